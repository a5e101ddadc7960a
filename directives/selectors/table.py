"""The sender's table: each recipient of a letter, its state, and the tally."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Max, Prefetch, QuerySet
from django.utils import timezone

from directives.models import (
    Attachment,
    Directive,
    DirectiveState,
    ImplementationReport,
    Receipt,
    ReportFigure,
)
from users import scope


def ceased_on(receipt: Receipt, day: date | None = None) -> date | None:
    """The day the recipient of ``receipt`` ceased, if it had by ``day`` (today): a body
    archived, or the unit it belonged to (or the unit addressed) no longer in force after
    its last day. None while it can still answer. No query when the body's unit is loaded.
    """
    day = day or scope.acting_day()
    if receipt.body_id and receipt.body is not None:
        body = receipt.body
        if scope.body_open(body, day):
            return None
        ends = [body.unit.valid_until] if body.unit.valid_until else []
        if body.archived_at is not None:
            ends.append(timezone.localdate(body.archived_at))
        ended = [end for end in ends if end <= day]
        return min(ended) if ended else None
    unit = receipt.unit
    if scope.unit_in_force(unit, day) or unit.valid_until is None:
        return None
    return unit.valid_until if unit.valid_until < day else None


@dataclass(frozen=True)
class ReceiptRow:
    """One line of a directive's table of recipients."""

    receipt: Receipt
    report_count: int
    last_reminder_at: Any
    implementations: list[Directive]
    # The day the recipient ceased (a unit abolished, a body archived): it can no longer
    # answer, so it is not late, and nobody is left to remind.
    ceased_on: date | None = None

    @property
    def overdue(self) -> bool:
        return self.ceased_on is None and self.receipt.is_overdue()

    @property
    def awaited(self) -> bool:
        """Still expected to answer: not reported, and not ceased."""
        return self.ceased_on is None and self.receipt.reported_at is None


def receipt_rows(directive: Directive, today: date | None = None) -> list[ReceiptRow]:
    """Every recipient of ``directive`` with its state, in a fixed number of queries (3)."""
    today = today or scope.acting_day()
    receipts = list(
        directive.receipts.select_related("unit", "unit__level", "body", "body__unit", "directive")
        .annotate(
            report_count=Count("reports", distinct=True), last_reminder_at=Max("reminders__sent_at")
        )
        .order_by("unit__path", "body__name", "pk")
    )
    implementations = implementations_by_issuer(directive)
    rows = []
    for receipt in receipts:
        found = [
            child
            for child in implementations
            if child.issuer_id == receipt.body_id
            or (receipt.body_id is None and child.issuer.unit_id == receipt.unit_id)
        ]
        rows.append(
            ReceiptRow(
                receipt=receipt,
                report_count=receipt.report_count,
                last_reminder_at=receipt.last_reminder_at,
                implementations=found,
                ceased_on=ceased_on(receipt, today),
            )
        )
    return rows


def implementations_by_issuer(directive: Directive) -> list[Directive]:
    return list(
        Directive.objects.filter(implements=directive, state=DirectiveState.ISSUED)
        .select_related("issuer", "issuer__unit")
        .order_by("issued_on", "pk")
    )


@dataclass(frozen=True)
class Tally:
    total: int
    opened: int
    acknowledged: int
    reported: int
    overdue: int  # late and still able to answer
    ceased: int = 0  # recipients that ceased before reporting: neither late nor awaited


def tally(rows: list[ReceiptRow]) -> Tally:
    return Tally(
        total=len(rows),
        opened=sum(1 for row in rows if row.receipt.read_at),
        acknowledged=sum(1 for row in rows if row.receipt.acknowledged_at),
        reported=sum(1 for row in rows if row.receipt.reported_at),
        overdue=sum(1 for row in rows if row.overdue),
        ceased=sum(1 for row in rows if row.ceased_on and not row.receipt.reported_at),
    )


def reports_of(directive: Directive) -> QuerySet[ImplementationReport]:
    return (
        ImplementationReport.objects.filter(receipt__directive=directive)
        .select_related("receipt", "receipt__unit", "receipt__body", "submitted_by")
        .prefetch_related(
            Prefetch("figures", queryset=ReportFigure.objects.order_by("position")),
            Prefetch("attachments", queryset=Attachment.objects.order_by("pk")),
        )
        .order_by("submitted_at", "pk")
    )
