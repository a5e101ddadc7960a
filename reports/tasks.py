"""Celery tasks of the reports app: thin wrappers that take ids and call the services."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from reports import build, periods, reminders


@shared_task(name="reports.ensure_periods")
def ensure_periods_task(ahead: int = 1) -> int:
    """Periodic: create the current and next periods of every kind, with their deadlines.

    Idempotent: a retry or a second scheduler creates nothing more. Returns how many
    periods it saw.
    """
    return len(periods.ensure_periods(timezone.localdate(), ahead=ahead))


@shared_task(name="reports.build_period", acks_late=True)
def build_period_task(run_id: int) -> str:
    """Run one queued build of a period's reports; a finished run is not run again."""
    return build.run_build(run_id)


@shared_task(name="reports.send_reminders", acks_late=True)
def send_reminders_task() -> dict[str, int]:
    """Periodic: remind the units whose report is due or late, and their reviewers.

    Idempotent: each unit and each reviewing unit is reminded once per period and step,
    whatever runs twice (a redelivered message after a worker died, two schedulers).
    Returns how many units and reviewing units this run reminded.
    """
    outcome = reminders.send_due_reminders(timezone.localdate())
    return {"units": outcome.units, "reviewers": outcome.reviewers}


# Tasks defined in submodules register when this module is imported by autodiscovery.
from reports.exports import tasks as export_tasks  # noqa: E402, F401
