"""Passwords: at least 12 characters and not a common one; password reset limited per account
and per address, answering the same page either way, with links from PORTAL_BASE_URL only,
and every request, reset and change in the audit trail."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from notifications.models import OutboundEmail
from notifications.tasks import deliver_email
from tests import factories
from tests.factories import DEMO_PASSWORD

RESET = "password_reset"


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> None:
    settings.PORTAL_PASSWORD_RESET_ACCOUNT_HOURLY = 3
    settings.PORTAL_PASSWORD_RESET_ADDRESS_HOURLY = 10


def _change(client: Client, new: str) -> Any:
    return client.post(
        reverse("password_change"),
        {"old_password": DEMO_PASSWORD, "new_password1": new, "new_password2": new},
    )


def test_a_password_of_eleven_characters_is_refused(client: Client, db: None) -> None:
    user = factories.UserFactory.create()
    client.force_login(user)

    response = _change(client, "xk7#pq2!wz9")

    assert response.status_code == 200
    assert "ít nhất 12 ký tự" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)


def test_a_common_password_is_refused_however_long(client: Client, db: None) -> None:
    client.force_login(factories.UserFactory.create())

    # On Django's list of 20,000 common passwords (CommonPasswordValidator).
    response = _change(client, "administrator")

    assert response.status_code == 200
    assert "quá phổ biến" in response.content.decode()


def test_a_long_uncommon_password_is_accepted_and_recorded(client: Client, db: None) -> None:
    user = factories.UserFactory.create()
    client.force_login(user)

    response = _change(client, "sông Mã chảy qua Cẩm Thủy")

    assert response.status_code == 302
    [event] = AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGE)
    assert (event.actor, event.object_id) == (user, str(user.pk))


def test_reset_emails_to_one_account_are_limited_and_the_page_answers_the_same(
    client: Client, db: None
) -> None:
    user = factories.UserFactory.create(username="lan", email="lan@camngoc.gov.vn")
    answers = [
        client.post(reverse(RESET), {"email": "lan@camngoc.gov.vn"}, REMOTE_ADDR=f"192.0.2.{n}")
        for n in range(1, 6)
    ]

    assert {answer["Location"] for answer in answers} == {reverse("password_reset_done")}
    assert OutboundEmail.objects.filter(to="lan@camngoc.gov.vn").count() == 3
    events = AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET_REQUEST)
    assert events.count() == 5
    assert {event.actor_username for event in events} == {"lan"}
    assert all(event.actor is None for event in events)
    assert [event.note != "" for event in events.order_by("pk")] == [False] * 3 + [True] * 2
    assert str(user.pk) in {event.object_id for event in events}


def test_reset_requests_from_one_address_are_limited(client: Client, db: None) -> None:
    for n in range(12):
        factories.UserFactory.create(username=f"user{n}", email=f"user{n}@camngoc.gov.vn")

    answers = [
        client.post(reverse(RESET), {"email": f"user{n}@camngoc.gov.vn"}, REMOTE_ADDR="192.0.2.1")
        for n in range(12)
    ]

    assert {answer["Location"] for answer in answers} == {reverse("password_reset_done")}
    assert OutboundEmail.objects.count() == 10
    # Another address is not held back by this one.
    client.post(reverse(RESET), {"email": "user11@camngoc.gov.vn"}, REMOTE_ADDR="192.0.2.2")
    assert OutboundEmail.objects.count() == 11


def test_the_reset_link_ignores_a_forged_host(
    client: Client, db: None, settings: Any, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    settings.PORTAL_BASE_URL = "https://mxh.thanhhoa.gov.vn"
    settings.ALLOWED_HOSTS = ["*"]
    factories.UserFactory.create(username="lan", email="lan@camngoc.gov.vn")

    client.post(reverse(RESET), {"email": "lan@camngoc.gov.vn"}, HTTP_HOST="attacker.example")
    deliver_email(OutboundEmail.objects.get().pk)

    [mail] = mailoutbox
    html = str(mail.alternatives[0][0])
    assert "attacker.example" not in str(mail.body)
    assert "attacker.example" not in html
    assert re.search(r"https://mxh\.thanhhoa\.gov\.vn/accounts/reset/\S+/", str(mail.body))


def test_a_reset_is_recorded_as_a_reset_by_the_account(
    client: Client, db: None, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    user = factories.UserFactory.create(username="lan", email="lan@camngoc.gov.vn")
    client.post(reverse(RESET), {"email": "lan@camngoc.gov.vn"})
    deliver_email(OutboundEmail.objects.get().pk)
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", str(mailoutbox[0].body))
    assert link is not None
    form_url = client.get(link.group(1))["Location"]

    short = client.post(form_url, {"new_password1": "short-pw-1", "new_password2": "short-pw-1"})
    done = client.post(
        form_url, {"new_password1": "một mật khẩu dài", "new_password2": "một mật khẩu dài"}
    )

    assert short.status_code == 200
    assert done["Location"] == reverse("password_reset_complete")
    [event] = AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET)
    assert event.actor == user
