"""Celery tasks of the reports app: thin wrappers that take ids and call the services."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from reports import build, periods


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


# Tasks defined in submodules register when this module is imported by autodiscovery.
from reports.exports import tasks as export_tasks  # noqa: E402, F401
