"""Who is told what about a letter, through the one notification path."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _

from directives import selectors
from directives.models import (
    Directive,
    ImplementationReport,
    Receipt,
)
from notifications.services import Notice, notify, send_notices
from users.models import User

# --- Notifications -------------------------------------------------------------------------


def _directive_link(directive: Directive) -> str:
    return reverse("directives:detail", args=[directive.pk])


def _receipt_link(receipt: Receipt) -> str:
    return reverse("directives:receipt", args=[receipt.pk])


def _tell(
    users_by_receipt: dict[int, list[User]],
    receipts: dict[int, Receipt],
    *,
    key: str,
    text: Any,
    subject: Any,
    body: Any,
) -> int:
    """One in-app notice per user and receipt, and its email if the user wants email.

    Each at most once per key (``notifications.services.send_notices``).
    """
    notices = []
    with override("vi"):
        for receipt_id, people in users_by_receipt.items():
            receipt = receipts[receipt_id]
            params = {
                "reference": receipt.directive.reference,
                "subject": receipt.directive.subject,
                "issuer": receipt.directive.issuer.name,
                "recipient": receipt.recipient_name,
                "deadline": receipt.directive.report_deadline.strftime("%d/%m/%Y")
                if receipt.directive.report_deadline
                else "—",
            }
            link = _receipt_link(receipt)
            for person in people:
                notices.append(
                    Notice(
                        user=person,
                        text=str(text) % params,
                        key=f"{key}:{receipt_id}:{person.pk}",
                        link=link,
                        subject=str(subject) % params,
                        email_text=str(body) % params,
                        # The letter's issuer sends it; the email signs in its name.
                        sender=params["issuer"],
                    )
                )
    send_notices(notices)
    return len(notices)


def _notify_delivery(directive: Directive) -> None:
    receipts = {
        r.pk: r for r in directive.receipts.select_related("unit", "body", "directive__issuer")
    }
    _tell(
        selectors.handlers_of(list(receipts.values())),
        receipts,
        key="directive-issued",
        text=_("New directive %(reference)s from %(issuer)s: %(subject)s"),
        subject=_("[Cổng MXH] New directive %(reference)s: %(subject)s"),
        body=_(
            "%(issuer)s has sent directive %(reference)s to %(recipient)s: %(subject)s.\n"
            "Acknowledge it in the portal and report back by %(deadline)s."
        ),
    )


def _notify_issuer_of_report(receipt: Receipt, report: ImplementationReport) -> None:
    directive = receipt.directive
    link = _directive_link(directive)
    with override("vi"):
        text = gettext("%(recipient)s reported on directive %(reference)s") % {
            "recipient": receipt.recipient_name,
            "reference": directive.reference,
        }
    notify(
        selectors.issuer_people(directive),
        text=text,
        key=f"directive-report:{report.pk}",
        link=link,
        subject=f"[Cổng MXH] {text}",
        email_text=f"{text}.",
        sender=receipt.recipient_name,
    )
