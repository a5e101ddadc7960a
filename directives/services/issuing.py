"""Issuing a letter: delivered to every recipient, an implementing letter answering its parent."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directives import selectors
from directives.models import (
    Directive,
    DirectiveState,
    PaperLetter,
    Receipt,
)
from directives.services.addressees import letter_addressees, letter_distribution
from directives.services.drafting import (
    _check_issuer_alive,
    _check_task_numbers,
    _ddmmyyyy,
    _names,
    _save,
)
from directives.services.workflow import DIRECTIVE_WORKFLOW
from users.models import User
from users.workflow import transition


@transaction.atomic
def directive_issue(
    directive: Directive, *, by: User | None, today: date | None = None
) -> Directive:
    """Issue a draft: freeze it, deliver it to every recipient, and tell them."""

    def apply(directive: Directive) -> None:
        if not directive.receipts.exists():
            raise ValidationError(
                {"recipients": _("Choose at least one recipient before issuing.")}
            )
        now = timezone.now()
        directive.issued_on = directive.issued_on or today or timezone.localdate()
        _check_issuer_alive(directive)
        ceased = selectors.ceased_recipients(directive, directive.issued_on)
        if ceased:
            raise ValidationError(
                {
                    "recipients": _(
                        "These recipients are not in force on %(date)s, the date of the "
                        "letter: %(names)s. Remove them from the draft before issuing it."
                    )
                    % {"date": _ddmmyyyy(directive.issued_on), "names": _names(ceased)}
                }
            )
        if directive.report_deadline and directive.report_deadline < directive.issued_on:
            raise ValidationError(
                {
                    "report_deadline": _(
                        "The deadline for reporting back is before the date of issue."
                    )
                }
            )
        _check_task_numbers(directive)
        # The named groups are written in "Kính gửi" and "Nơi nhận", typed or not.
        directive.addressees = letter_addressees(directive)
        directive.distribution = letter_distribution(directive)
        if not directive.basis.strip() and directive.implements_paper_id:
            directive.basis = paper_basis(directive.implements_paper)
        directive.issued_at = now
        directive.issued_by = by

    def deliver(directive: Directive, by: User | None) -> None:
        """Save, deliver to every recipient and answer the letter it implements."""
        _save(directive, by)
        directive.receipts.update(delivered_at=directive.issued_at)
        if directive.implements_id:
            _answer_parent(directive, directive.issued_at)

    return transition(
        DIRECTIVE_WORKFLOW,
        directive,
        DirectiveState.ISSUED,
        by=by,
        refusal=_("This directive has already been issued or archived."),
        apply=apply,
        save=deliver,
    ).obj


def paper_basis(paper: PaperLetter | None) -> str:
    """ "Thực hiện Công văn số … ngày … của … về việc …;" for a letter on paper."""
    if paper is None:
        return ""
    subject = paper.subject[:1].lower() + paper.subject[1:]
    return (
        f"Thực hiện Công văn số {paper.reference} ngày {paper.issued_on:%d/%m/%Y} "
        f"của {paper.issuer_name} về việc {subject};"
    )


def implements_receipt_q(directive: Directive) -> Q:
    """The receipts of the parent directive that ``directive`` answers."""
    return Q(directive_id=directive.implements_id) & (
        Q(body_id=directive.issuer_id) | Q(body__isnull=True, unit_id=directive.issuer.unit_id)
    )


def _answer_parent(directive: Directive, now: Any) -> None:
    """An implementing directive answers the receipt of the directive it implements."""
    parent_receipts = Receipt.objects.filter(implements_receipt_q(directive))
    parent_receipts.filter(acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=directive.issued_by
    )
    parent_receipts.filter(read_at__isnull=True).update(read_at=now, read_by=directive.issued_by)
    parent_receipts.filter(reported_at__isnull=True).update(reported_at=now)
