"""The user's choice of email: set on their own settings page, honoured by every sender."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents import services as incident_services
from incidents.models import IncidentKind
from notifications.models import Notification, OutboundEmail
from notifications.services import notify
from tests.conftest import Tree
from tests.factories import UserFactory, officer_of, staff_of
from users.models import User

pytestmark = pytest.mark.django_db

URL = "/accounts/notifications/"


def _wants_email(user: User) -> bool:
    return User.objects.get(pk=user.pk).email_notifications


def test_the_settings_page_is_reachable_from_the_notifications_page(client: Client) -> None:
    user = UserFactory.create()
    client.force_login(user)

    page = client.get(reverse("notifications:list"))

    assert reverse("notification_settings") == URL
    assert f'href="{URL}"' in page.content.decode()
    assert 'data-email-notifications="on"' in page.content.decode()


def test_a_user_turns_email_off_and_on_again(client: Client) -> None:
    user = UserFactory.create()
    client.force_login(user)

    shown = client.get(URL)
    off = client.post(URL, {})
    listed = client.get(reverse("notifications:list"))

    assert shown.status_code == 200
    assert 'name="email_notifications"' in shown.content.decode()
    assert user.email in shown.content.decode()
    assert (off.status_code, off["Location"]) == (302, URL)
    assert _wants_email(user) is False
    assert 'data-email-notifications="off"' in listed.content.decode()
    # The change is in the user's history, like any other change to a user
    assert user.history.filter(email_notifications=False).exists()

    client.post(URL, {"email_notifications": "on"})

    assert _wants_email(user) is True


def test_nobody_can_change_another_users_choice(client: Client) -> None:
    user, other = UserFactory.create(), UserFactory.create()
    client.force_login(user)

    client.post(
        f"{URL}?user={other.pk}", {"user": other.pk, "pk": other.pk, "username": other.username}
    )

    # Only the signed-in user's own choice changed, whatever the request names
    assert _wants_email(other) is True
    assert _wants_email(user) is False
    assert User.objects.get(pk=user.pk).username == user.username


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    response = client.post(URL, {})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_notify_sends_the_notice_to_everyone_and_the_email_only_to_those_who_want_it() -> None:
    wants = UserFactory.create()
    declines = UserFactory.create(email_notifications=False)
    no_address = UserFactory.create(email="")

    new = notify(
        [wants, declines, no_address],
        text="Thông báo thử",
        key="test",
        link="/reports/",
        subject="Thử",
    )
    again = notify([wants, declines, no_address], text="Thông báo thử", key="test", subject="Thử")

    assert (new, again) == (3, 0)
    assert Notification.objects.count() == 3
    (email,) = OutboundEmail.objects.all()
    assert (email.to, email.dedupe_key) == (wants.email, f"test:{wants.pk}")
    # Addressed by name, with the link built from PORTAL_BASE_URL, and signed by the portal.
    assert email.text_body.startswith(f"Kính gửi {wants.full_name},")
    assert f"\n{settings.PORTAL_BASE_URL}/reports/\n" in email.text_body
    assert "Trân trọng," in email.text_body


def test_notifying_many_users_takes_as_many_queries_as_notifying_a_few() -> None:
    few = UserFactory.create_batch(3)
    many = UserFactory.create_batch(30)

    def count(users: list[User], key: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            notify(users, text="x", key=key, subject="x")
        return len(captured.captured_queries)

    assert count(few, "few") == count(many, "many")
    assert OutboundEmail.objects.count() == 33


def test_incident_notices_respect_the_choice(tree: Tree) -> None:
    staff = staff_of(tree.ubnd_cam_ngoc, email_notifications=False)
    officer = officer_of(tree.cam_thuy)

    incident_services.incident_report(
        body=tree.ubnd_cam_ngoc,
        kind=IncidentKind.IMPERSONATION,
        url="https://www.facebook.com/ubnd.camngoc.gia",
        description="Trang giả mạo.",
        by=staff,
    )

    assert set(Notification.objects.values_list("user_id", flat=True)) == {staff.pk, officer.pk}
    assert list(OutboundEmail.objects.values_list("to", flat=True)) == [officer.email]


def test_an_invalid_address_does_not_stop_the_others(django_assert_max_num_queries: Any) -> None:
    good = UserFactory.create()
    bad = UserFactory.create(email="not an address")

    with django_assert_max_num_queries(9):
        notify([good, bad], text="x", key="k", subject="x")

    assert Notification.objects.count() == 2
    assert list(OutboundEmail.objects.values_list("to", flat=True)) == [good.email]
