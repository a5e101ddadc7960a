"""Answering a letter: opened, acknowledged, reported back (text, figures, files)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directives import selectors
from directives.models import (
    DirectiveState,
    ImplementationReport,
    Receipt,
    ReportFigure,
)
from directives.services.drafting import _attach, _names
from directives.services.notices import _notify_issuer_of_report
from users.models import User

# --- Answering -------------------------------------------------------------------------------


def _check_recipient_alive(receipt: Receipt) -> None:
    """Refuse to answer for a recipient that has ceased: nobody speaks for it any more."""
    if selectors.recipient_ceased(receipt):
        raise ValidationError(
            _(
                "%(recipient)s has ceased (it is no longer in force): its letters can no longer "
                "be acknowledged or answered."
            )
            % {"recipient": receipt.recipient_name}
        )


def receipt_open(receipt: Receipt, *, by: User) -> None:
    """Record the first time someone the letter is addressed to opened it."""
    Receipt.objects.filter(pk=receipt.pk, read_at__isnull=True).update(
        read_at=timezone.now(), read_by=by
    )


@transaction.atomic
def receipt_acknowledge(receipt: Receipt, *, by: User) -> Receipt:
    """Acknowledge receipt (idempotent: the first acknowledgement stands)."""
    receipt = (
        Receipt.objects.select_for_update(of=("self",))
        .select_related("directive", "unit", "body", "body__unit")
        .get(pk=receipt.pk)
    )
    if receipt.directive.state != DirectiveState.ISSUED:
        raise ValidationError(_("This directive is not issued."))
    _check_recipient_alive(receipt)
    now = timezone.now()
    if receipt.read_at is None:
        receipt.read_at, receipt.read_by = now, by
    if receipt.acknowledged_at is None:
        receipt.acknowledged_at, receipt.acknowledged_by = now, by
        receipt.save(update_fields=["read_at", "read_by", "acknowledged_at", "acknowledged_by"])
    return receipt


@transaction.atomic
def report_submit(
    receipt: Receipt,
    *,
    by: User,
    text: str,
    figures: Sequence[tuple[str, Decimal]] = (),
    files: Sequence[UploadedFile] = (),
    asked: dict[str, Decimal] | None = None,
) -> ImplementationReport:
    """Report back on implementation; acknowledges the letter if that was not done yet.

    ``asked`` gives the figures the letter asks of this recipient, by key: every one of
    them, and no other (``selectors.tasks_of``); ``figures`` are the recipient's own.
    """
    receipt = (
        Receipt.objects.select_for_update(of=("self",))
        .select_related(
            "directive",
            "directive__issuer",
            "directive__issuer__unit",
            "unit",
            "body",
            "body__unit",
        )
        .get(pk=receipt.pk)
    )
    if receipt.directive.state != DirectiveState.ISSUED:
        raise ValidationError(_("This directive is not issued."))
    _check_recipient_alive(receipt)
    if not text.strip():
        raise ValidationError({"text": _("Write what was done.")})
    expected = selectors.tasks_of(receipt).asked
    given = dict(asked or {})
    unknown = sorted(set(given) - {figure.key for figure in expected})
    if unknown:
        raise ValidationError(
            {"asked": _("This letter does not ask you for: %(keys)s.") % {"keys": _names(unknown)}}
        )
    missing = [figure.label for figure in expected if given.get(figure.key) is None]
    if missing:
        raise ValidationError(
            {
                "asked": _("Give the figures the letter asks for: %(names)s.")
                % {"names": _names(missing)}
            }
        )
    negative = [figure.label for figure in expected if given[figure.key] < 0]
    if negative:
        raise ValidationError(
            {"asked": _("A figure cannot be negative: %(names)s.") % {"names": _names(negative)}}
        )
    report = ImplementationReport(receipt=receipt, text=text.strip(), submitted_by=by)
    report.full_clean()
    report.save()
    rows = [
        ReportFigure(report=report, label=figure.label, value=given[figure.key], key=figure.key)
        for figure in expected
    ] + [ReportFigure(report=report, label=label.strip(), value=value) for label, value in figures]
    for position, row in enumerate(rows, start=1):
        row.position = position
    ReportFigure.objects.bulk_create(rows)
    if files:
        _attach(files, by=by, report=report)
    now = timezone.now()
    if receipt.read_at is None:
        receipt.read_at, receipt.read_by = now, by
    if receipt.acknowledged_at is None:
        receipt.acknowledged_at, receipt.acknowledged_by = now, by
    if receipt.reported_at is None:
        receipt.reported_at = now
    receipt.save(
        update_fields=["read_at", "read_by", "acknowledged_at", "acknowledged_by", "reported_at"]
    )
    _notify_issuer_of_report(receipt, report)
    return report
