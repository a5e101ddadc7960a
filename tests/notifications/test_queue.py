"""Queueing email: one row per logical email, delivery enqueued only after commit."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from notifications.models import EmailStatus, OutboundEmail
from notifications.services import queue_email


def test_queueing_stores_the_email_and_enqueues_delivery_on_commit(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        email = queue_email(
            to="van.thu@camthuy.thanhhoa.gov.vn",
            subject="Đặt lại mật khẩu",
            text="Mở liên kết",
            html="<p>Mở liên kết</p>",
        )

    email.refresh_from_db()
    assert email.status == EmailStatus.QUEUED
    assert email.attempts == 0
    assert email.html_body == "<p>Mở liên kết</p>"
    # Nothing reaches the broker before the row is committed.
    assert len(callbacks) == 1


def test_the_same_dedupe_key_never_queues_a_second_email(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        first = queue_email(to="a@example.gov.vn", subject="Nhắc", text="1", dedupe_key="k-1")
        second = queue_email(to="a@example.gov.vn", subject="Nhắc", text="1", dedupe_key="k-1")

    assert first.pk == second.pk
    assert OutboundEmail.objects.count() == 1
    assert len(callbacks) == 1


def test_emails_without_a_key_are_independent(db: None) -> None:
    queue_email(to="a@example.gov.vn", subject="Nhắc", text="1")
    queue_email(to="a@example.gov.vn", subject="Nhắc", text="1")

    assert OutboundEmail.objects.count() == 2


def test_line_breaks_are_removed_from_the_subject(db: None) -> None:
    email = queue_email(to="a@example.gov.vn", subject="Đặt lại\nmật khẩu\r\n", text="x")

    assert email.subject == "Đặt lại mật khẩu"


def test_an_invalid_address_is_refused(db: None) -> None:
    with pytest.raises(ValidationError):
        queue_email(to="not an address", subject="x", text="x")

    assert not OutboundEmail.objects.exists()
