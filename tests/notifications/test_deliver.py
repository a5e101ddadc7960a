"""The delivery task: at most one email per row, retries on SMTP errors, failures recorded."""

from __future__ import annotations

from typing import Any

import pytest

from notifications import services
from notifications.models import EmailStatus, OutboundEmail
from notifications.tasks import deliver_email
from tests.notifications.backends import FlakyBackend


def _queued(**kwargs: Any) -> OutboundEmail:
    fields = {
        "to": "can.bo@camngoc.thanhhoa.gov.vn",
        "subject": "Nhắc nộp báo cáo",
        "text_body": "Xin chào",
        "html_body": "<p>Xin chào</p>",
        **kwargs,
    }
    return OutboundEmail.objects.create(**fields)


def test_delivering_sends_the_email_with_both_bodies(db: None, mailoutbox: list[Any]) -> None:
    email = _queued()

    outcome = deliver_email(email.pk)

    email.refresh_from_db()
    assert outcome == "sent"
    assert email.status == EmailStatus.SENT
    assert email.sent_at is not None
    assert email.attempts == 1
    [message] = mailoutbox
    assert message.to == ["can.bo@camngoc.thanhhoa.gov.vn"]
    assert message.subject == "Nhắc nộp báo cáo"
    assert message.body == "Xin chào"
    assert message.alternatives[0][0] == "<p>Xin chào</p>"


def test_calling_the_task_twice_sends_one_email(db: None, mailoutbox: list[Any]) -> None:
    email = _queued()

    first = deliver_email(email.pk)
    second = deliver_email(email.pk)

    email.refresh_from_db()
    assert (first, second) == ("sent", "skipped")
    assert len(mailoutbox) == 1
    assert email.attempts == 1


def test_a_row_claimed_by_another_worker_is_not_sent_again(db: None, mailoutbox: list[Any]) -> None:
    email = _queued(status=EmailStatus.SENDING, attempts=1)

    outcome = deliver_email(email.pk)

    assert outcome == "skipped"
    assert mailoutbox == []


def test_an_email_that_no_longer_exists_is_skipped(db: None, mailoutbox: list[Any]) -> None:
    assert deliver_email(987654) == "skipped"
    assert mailoutbox == []


def test_a_text_only_email_has_no_html_part(db: None, mailoutbox: list[Any]) -> None:
    email = _queued(html_body="")

    deliver_email(email.pk)

    assert mailoutbox[0].alternatives == []


def test_a_failed_send_is_retried_and_recorded(
    db: None, mailoutbox: list[Any], flaky_smtp: type[FlakyBackend], retries_in_process: None
) -> None:
    email = _queued()
    flaky_smtp.failures_left = 2

    # apply() runs the task and its retries in this process, as a worker would in turn.
    result = deliver_email.apply(args=(email.pk,))

    email.refresh_from_db()
    assert result.get() == "sent"
    assert email.status == EmailStatus.SENT
    assert email.attempts == 3
    assert email.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert len(mailoutbox) == 1


def test_a_transient_failure_puts_the_row_back_in_the_queue(
    db: None, mailoutbox: list[Any], flaky_smtp: type[FlakyBackend]
) -> None:
    email = _queued()
    flaky_smtp.failures_left = 1

    with pytest.raises(services.DeliveryDeferred):
        services.deliver(email.pk)

    email.refresh_from_db()
    assert email.status == EmailStatus.QUEUED
    assert email.attempts == 1
    assert "SMTPServerDisconnected" in email.last_error
    assert mailoutbox == []


def test_delivery_gives_up_after_the_last_attempt(
    db: None, mailoutbox: list[Any], flaky_smtp: type[FlakyBackend], retries_in_process: None
) -> None:
    email = _queued()
    flaky_smtp.failures_left = 100

    result = deliver_email.apply(args=(email.pk,))

    email.refresh_from_db()
    assert result.get() == "failed"
    assert email.status == EmailStatus.FAILED
    assert email.attempts == services.MAX_ATTEMPTS
    assert "SMTPServerDisconnected" in email.last_error
    assert mailoutbox == []
    # A failed row is not sent by a late duplicate of the task either.
    flaky_smtp.failures_left = 0
    assert deliver_email(email.pk) == "skipped"


def test_an_error_that_retrying_cannot_fix_fails_at_once(
    db: None, mailoutbox: list[Any], settings: Any
) -> None:
    settings.EMAIL_BACKEND = "tests.notifications.backends.BrokenBackend"
    email = _queued()

    with pytest.raises(ValueError, match="linefeed"):
        deliver_email(email.pk)

    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED
    assert email.attempts == 1
    assert email.last_error.startswith("ValueError: ")


def test_failed_emails_can_be_queued_again(
    db: None, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    failed = _queued(status=EmailStatus.FAILED, attempts=5, last_error="SMTPException: down")
    sent = _queued(status=EmailStatus.SENT, attempts=1)

    with django_capture_on_commit_callbacks() as callbacks:
        count = services.requeue(email_ids=[failed.pk, sent.pk])
    deliver_email(failed.pk)

    failed.refresh_from_db()
    assert count == 1
    assert len(callbacks) == 1
    assert failed.status == EmailStatus.SENT
    assert len(mailoutbox) == 1
