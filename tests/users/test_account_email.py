"""The password reset email leaves ``users`` as a signal and reaches the outbox once."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from notifications import account_emails
from notifications.models import EmailStatus, OutboundEmail
from tests import factories
from users.signals import account_email

ADDRESS = "hoa@camngoc.gov.vn"


@pytest.fixture(autouse=True)
def _base_url(settings: Any) -> None:
    settings.PORTAL_BASE_URL = "https://portal.example.gov.vn"


def test_a_reset_request_queues_exactly_one_email_with_the_link(
    client: Client, db: None, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    factories.UserFactory.create(username="hoa", email=ADDRESS)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("password_reset"), {"email": ADDRESS})

    assert response["Location"] == reverse("password_reset_done")
    [email] = OutboundEmail.objects.all()
    assert email.to == ADDRESS
    assert email.status == EmailStatus.QUEUED
    assert "https://portal.example.gov.vn/accounts/reset/" in email.text_body
    assert "https://portal.example.gov.vn/accounts/reset/" in email.html_body
    assert len(callbacks) == 1
    assert mailoutbox == []


def test_the_receiver_is_connected_once_whatever_calls_ready_again(db: None) -> None:
    apps.get_app_config("notifications").ready()

    account_email.send(sender=None, to=ADDRESS, subject="Thử", text="Nội dung", html="")

    assert OutboundEmail.objects.filter(to=ADDRESS).count() == 1


def test_with_no_receiver_the_signal_sends_nothing_and_raises_nothing(db: None) -> None:
    assert account_email.disconnect(dispatch_uid=account_emails.DISPATCH_UID)
    try:
        answers = account_email.send(sender=None, to=ADDRESS, subject="Thử", text="x", html="")
    finally:
        account_emails.connect()

    assert answers == []
    assert not OutboundEmail.objects.exists()


def test_a_failing_outbox_is_logged_and_the_page_answers_as_always(
    client: Client, db: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    factories.UserFactory.create(username="hoa", email=ADDRESS)

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("outbox down")

    monkeypatch.setattr(account_emails, "queue_email", broken)

    response = client.post(reverse("password_reset"), {"email": ADDRESS})

    assert response["Location"] == reverse("password_reset_done")
    assert not OutboundEmail.objects.exists()
    assert "Could not queue the password reset email" in caplog.text
