"""The periodic sweep that re-enqueues emails whose first delivery message was lost."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from notifications.models import EmailStatus, OutboundEmail
from notifications.tasks import enqueue_stale_emails


def _email(age: timedelta, **kwargs: Any) -> OutboundEmail:
    email = OutboundEmail.objects.create(
        to="van.thu@camngoc.thanhhoa.gov.vn", subject="Nhắc", text_body="x", **kwargs
    )
    # created_at is set on insert; age the row the only way the model allows.
    OutboundEmail.objects.filter(pk=email.pk).update(created_at=timezone.now() - age)
    return email


def test_a_queued_email_never_attempted_is_sent_by_the_sweep(
    db: None, mailoutbox: list[Any], eager_celery: None
) -> None:
    lost = _email(timedelta(minutes=30))

    count = enqueue_stale_emails()

    lost.refresh_from_db()
    assert count == 1
    assert lost.status == EmailStatus.SENT
    assert len(mailoutbox) == 1


def test_the_sweep_leaves_fresh_retrying_and_finished_emails_alone(
    db: None, mailoutbox: list[Any], eager_celery: None
) -> None:
    _email(timedelta(minutes=1))  # its message is probably still on its way
    _email(timedelta(hours=1), attempts=2, last_error="SMTPServerDisconnected: x")
    _email(timedelta(hours=1), status=EmailStatus.SENT, attempts=1)
    _email(timedelta(hours=1), status=EmailStatus.FAILED, attempts=5)

    assert enqueue_stale_emails() == 0
    assert mailoutbox == []
