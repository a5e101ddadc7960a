"""Many emails queued at once reach the worker in batches, each email still sent once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from celery.signals import before_task_publish

from notifications import services
from notifications.models import EmailStatus, OutboundEmail
from notifications.services import ENQUEUE_BATCH, Email, queue_emails
from notifications.tasks import deliver_emails


@pytest.fixture
def published() -> Iterator[list[tuple[str, Any]]]:
    """The task messages this test publishes to the real broker: (task name, first argument)."""
    messages: list[tuple[str, Any]] = []

    def record(sender: str | None = None, body: Any = None, **_kwargs: Any) -> None:
        # Message protocol 2: the body is (args, kwargs, embed).
        args = body[0]
        messages.append((str(sender), args[0] if args else None))

    before_task_publish.connect(record, weak=False)
    yield messages
    before_task_publish.disconnect(record)


def _emails(count: int, prefix: str = "batch") -> list[Email]:
    return [
        Email(
            to=f"van.thu.{i}@xa{i % 7}.thanhhoa.gov.vn",
            subject="Nhắc nộp báo cáo",
            text=f"Thư số {i}",
            dedupe_key=f"{prefix}:{i}",
        )
        for i in range(count)
    ]


@pytest.mark.django_db
def test_many_emails_go_to_the_broker_in_a_few_messages_after_commit(
    django_capture_on_commit_callbacks: Any, published: list[tuple[str, Any]]
) -> None:
    count = 2 * ENQUEUE_BATCH + 50

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ids = queue_emails(_emails(count))
        # Nothing reaches the broker before the rows are committed
        assert published == []

    assert len(ids) == count
    assert len(callbacks) == 1
    batches = [args for name, args in published if name == "notifications.tasks.deliver_emails"]
    # Three messages for 450 emails, not 450; every id in exactly one of them
    assert [len(batch) for batch in batches] == [ENQUEUE_BATCH, ENQUEUE_BATCH, 50]
    assert sorted(pk for batch in batches for pk in batch) == sorted(ids)
    assert not [name for name, _args in published if name == "notifications.tasks.deliver_email"]


@pytest.mark.django_db
def test_a_batch_delivered_twice_sends_each_email_once(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks():
        ids = queue_emails(_emails(5))

    first = deliver_emails(ids)
    second = deliver_emails(ids)

    assert first == {"sent": 5}
    assert second == {"skipped": 5}
    assert len(mailoutbox) == 5
    assert sorted(m.to[0] for m in mailoutbox) == sorted(e.to for e in _emails(5))
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {EmailStatus.SENT}


@pytest.mark.django_db
def test_a_transient_failure_in_a_batch_hands_that_email_to_the_retrying_task(
    flaky_smtp: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
    published: list[tuple[str, Any]],
) -> None:
    with django_capture_on_commit_callbacks():
        ids = queue_emails(_emails(3))
    flaky_smtp.failures_left = 1

    outcome = deliver_emails(ids)

    # The first email met the failure and went back to the one-email task; the others went
    assert outcome == {"deferred": 1, "sent": 2}
    retried = OutboundEmail.objects.get(pk=ids[0])
    assert retried.status == EmailStatus.QUEUED
    assert retried.attempts == 1
    assert ("notifications.tasks.deliver_email", ids[0]) in published
    assert len(mailoutbox) == 2


@pytest.mark.django_db
def test_an_email_that_can_never_be_sent_does_not_stop_the_rest_of_its_batch(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks():
        ids = queue_emails(_emails(3))
    # A header no mail server accepts (written past the model's validation)
    OutboundEmail.objects.filter(pk=ids[1]).update(to="bad\naddress@x.vn")

    outcome = services.deliver_batch(ids)

    assert outcome == {"sent": 2, "failed": 1}
    assert OutboundEmail.objects.get(pk=ids[1]).status == EmailStatus.FAILED
    assert len(mailoutbox) == 2


@pytest.mark.django_db
def test_the_sweep_sends_lost_emails_in_batches(published: list[tuple[str, Any]]) -> None:
    for email in _emails(ENQUEUE_BATCH + 1, prefix="lost"):
        OutboundEmail.objects.create(
            to=email.to, subject=email.subject, text_body=email.text, dedupe_key=email.dedupe_key
        )

    assert services.enqueue_stale(older_than=timedelta(0)) == ENQUEUE_BATCH + 1
    batches = [args for name, args in published if name == "notifications.tasks.deliver_emails"]
    assert [len(batch) for batch in batches] == [ENQUEUE_BATCH, 1]
