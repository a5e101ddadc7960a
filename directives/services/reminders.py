"""Reminders of letters due: manual, and on the steps around the deadline (once per receipt and step)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directives import selectors
from directives.models import (
    Directive,
    DirectiveState,
    Receipt,
    Reminder,
    ReminderStep,
)
from directives.services.notices import _tell
from notifications import reminders as reminder_steps
from users.models import User

# --- Reminders ------------------------------------------------------------------------------


def reminder_days() -> tuple[int, ...]:
    """Days around the deadline when an unanswered recipient is reminded (negative: before)."""
    return reminder_steps.reminder_days("PORTAL_DIRECTIVE_REMINDER_DAYS")


def _claim(receipt_ids: Iterable[int], *, step: str, kind: str, by: User | None) -> list[int]:
    """Insert one reminder row per receipt for ``step``; return the receipts this call won.

    The unique (receipt, step) key with ON CONFLICT DO NOTHING decides between concurrent
    runs; each run then reads back its own batch.
    """
    batch = uuid.uuid4()
    now = timezone.now()
    Reminder.objects.bulk_create(
        [
            Reminder(receipt_id=pk, step=step, kind=kind, sent_by=by, sent_at=now, batch=batch)
            for pk in receipt_ids
        ],
        ignore_conflicts=True,
    )
    return list(Reminder.objects.filter(batch=batch).values_list("receipt_id", flat=True))


def _remind(receipt_ids: list[int], step: str) -> int:
    if not receipt_ids:
        return 0
    receipts = {
        r.pk: r
        for r in Receipt.objects.filter(pk__in=receipt_ids).select_related(
            "unit", "body", "directive", "directive__issuer"
        )
    }
    return _tell(
        selectors.handlers_of(list(receipts.values())),
        receipts,
        key=f"directive-reminder-{step}",
        text=_("Reminder: report back on directive %(reference)s by %(deadline)s"),
        subject=_("[Cổng MXH] Reminder: directive %(reference)s awaits your report"),
        body=_(
            "%(issuer)s is waiting for %(recipient)s to report back on directive "
            "%(reference)s (%(subject)s). Deadline: %(deadline)s."
        ),
    )


@dataclass(frozen=True)
class ReminderOutcome:
    reminded: int  # receipts reminded by this call
    skipped: int  # receipts already reminded at this step (or answered)


@transaction.atomic
def remind_now(
    directive: Directive,
    *,
    by: User,
    receipts: Iterable[Receipt] | None = None,
    today: date | None = None,
) -> ReminderOutcome:
    """The sender's reminder to recipients who have not reported (at most once a day each)."""
    if not directive.is_issued:
        raise ValidationError(_("Only an issued directive has recipients to remind."))
    pending = selectors.unanswered(directive, today)
    if receipts is not None:
        pending = pending.filter(pk__in=[r.pk for r in receipts])
    pending_ids = list(pending.values_list("pk", flat=True))
    step = f"manual-{(today or timezone.localdate()).isoformat()}"
    won = _claim(pending_ids, step=step, kind=ReminderStep.MANUAL, by=by)
    _remind(won, step)
    return ReminderOutcome(reminded=len(won), skipped=len(pending_ids) - len(won))


def due_steps(today: date) -> list[tuple[str, QuerySet[Receipt]]]:
    """For each automatic step, the unanswered receipts whose latest step that is today.

    A receipt is at step ``d`` when ``deadline + d <= today`` and the next step's day has
    not come; a missed run therefore sends the latest step only, never a backlog.
    """
    days = reminder_days()
    base = Receipt.objects.filter(
        # A recipient that has ceased is not reminded: nobody is left to answer for it.
        selectors.receipt_open_q(today),
        directive__state=DirectiveState.ISSUED,
        directive__report_deadline__isnull=False,
        delivered_at__isnull=False,
        reported_at__isnull=True,
    )
    steps = []
    for i, day in enumerate(days):
        # deadline <= today - day, and (for all but the last step) deadline > today - next
        queryset = base.filter(directive__report_deadline__lte=today - timedelta(days=day))
        if i + 1 < len(days):
            nxt = days[i + 1]
            queryset = queryset.filter(directive__report_deadline__gt=today - timedelta(days=nxt))
        steps.append((reminder_steps.step_name(day), queryset))
    return steps


def send_due_reminders(today: date | None = None) -> int:
    """The automatic reminders of one day; safe to run twice or in two workers at once."""
    today = today or timezone.localdate()
    reminded = 0
    for step, queryset in due_steps(today):
        with transaction.atomic():
            won = _claim(
                queryset.exclude(reminders__step=step).values_list("pk", flat=True),
                step=step,
                kind=ReminderStep.BEFORE if step.startswith("before") else ReminderStep.AFTER,
                by=None,
            )
            _remind(won, step)
            reminded += len(won)
    return reminded
