"""Celery tasks of directives: the daily automatic reminders."""

from __future__ import annotations

from celery import shared_task

from directives.services import send_due_reminders


@shared_task(name="directives.send_due_reminders", acks_late=True)
def send_due_reminders_task() -> int:
    """Remind unanswered recipients around each directive's deadline (idempotent)."""
    return send_due_reminders()
