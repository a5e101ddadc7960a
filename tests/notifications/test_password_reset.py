"""Password reset email goes through the outbound queue."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.views import PasswordResetView
from django.test import RequestFactory

from notifications.models import EmailStatus, OutboundEmail
from notifications.tasks import deliver_email
from tests import factories
from users.forms import PasswordResetForm


@pytest.fixture(autouse=True)
def _base_url(settings: Any) -> None:
    settings.PORTAL_BASE_URL = "https://portal.example.gov.vn"


def _request_reset(email: str) -> None:
    form = PasswordResetForm(data={"email": email})
    assert form.is_valid()
    form.save(
        # What a request's Host would give: the email must not use it.
        domain_override="forged.example.com",
        subject_template_name="registration/password_reset_subject.txt",
        email_template_name="registration/password_reset_email.txt",
        html_email_template_name="registration/password_reset_email.html",
    )


def test_reset_email_is_queued_not_sent_in_the_request(
    db: None, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    user = factories.UserFactory.create(email="hoa@camthuy.thanhhoa.gov.vn")

    with django_capture_on_commit_callbacks() as callbacks:
        _request_reset("hoa@camthuy.thanhhoa.gov.vn")

    email = OutboundEmail.objects.get()
    assert email.to == "hoa@camthuy.thanhhoa.gov.vn"
    assert email.status == EmailStatus.QUEUED
    assert "\n" not in email.subject
    assert "portal.example.gov.vn/accounts/reset/" in email.text_body
    assert "portal.example.gov.vn/accounts/reset/" in email.html_body
    assert user.username in email.text_body
    assert len(callbacks) == 1
    assert mailoutbox == []


def test_queued_reset_email_is_delivered_by_the_task(db: None, mailoutbox: list[Any]) -> None:
    factories.UserFactory.create(email="hoa@camthuy.thanhhoa.gov.vn")
    _request_reset("hoa@camthuy.thanhhoa.gov.vn")

    deliver_email(OutboundEmail.objects.get().pk)

    [message] = mailoutbox
    assert message.to == ["hoa@camthuy.thanhhoa.gov.vn"]
    assert "/accounts/reset/" in message.body
    assert message.alternatives[0][1] == "text/html"


def test_unknown_address_queues_nothing(db: None) -> None:
    _request_reset("nobody@example.gov.vn")

    assert not OutboundEmail.objects.exists()


def test_the_reset_view_with_this_form_queues_the_email_and_answers_at_once(
    rf: RequestFactory, db: None, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    factories.UserFactory.create(email="hoa@camthuy.thanhhoa.gov.vn")
    view = PasswordResetView.as_view(
        form_class=PasswordResetForm,
        subject_template_name="registration/password_reset_subject.txt",
        email_template_name="registration/password_reset_email.txt",
        html_email_template_name="registration/password_reset_email.html",
    )
    request = rf.post("/accounts/password/reset/", {"email": "hoa@camthuy.thanhhoa.gov.vn"})
    request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]

    with django_capture_on_commit_callbacks() as callbacks:
        response = view(request)

    assert response.status_code == 302
    assert OutboundEmail.objects.get().to == "hoa@camthuy.thanhhoa.gov.vn"
    assert len(callbacks) == 1
    assert mailoutbox == []


def test_reset_email_greets_the_user_links_to_the_portal_and_is_signed(db: None) -> None:
    # Given a user, and a request whose host is not the portal's
    user = factories.UserFactory.create(email="hoa@camthuy.thanhhoa.gov.vn", full_name="Lê Thị Hoa")

    # When they ask for a reset link
    _request_reset("hoa@camthuy.thanhhoa.gov.vn")

    # Then the email greets them by name, links to PORTAL_BASE_URL only, and is signed
    email = OutboundEmail.objects.get()
    for body in (email.text_body, email.html_body):
        assert "Kính gửi Lê Thị Hoa," in body
        assert "https://portal.example.gov.vn/accounts/reset/" in body
        assert "forged.example.com" not in body
        assert "Trân trọng," in body
        assert "Cổng quản lý trang mạng xã hội chính thức" in body
    assert "forged.example.com" not in email.subject
    assert user.username in email.text_body
