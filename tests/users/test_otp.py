"""The second factor: enrolment, the two-step login, wrong codes, recovery codes, turning off."""

from __future__ import annotations

import time
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditAction, AuditEvent
from tests import factories
from tests.conftest import Tree
from tests.users.otp_support import (
    app_code,
    enrol,
    next_app_code,
    password_step,
    recovery_codes_on_page,
    secret_on_page,
)
from users import otp
from users.models import User


@pytest.fixture(autouse=True)
def _second_factor_required(settings: Any) -> None:
    settings.PORTAL_OTP_REQUIRED = True


@pytest.fixture
def staff(tree: Tree) -> User:
    """A user for whom the second factor is optional."""
    return factories.staff_of(tree.ubnd_cam_ngoc, username="lan")


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def enrolled(client: Client, user: User) -> list[str]:
    """``user`` with an authenticator set up through the pages, then logged out."""
    client.force_login(user)
    _secret, codes = enrol(client)
    client.post(reverse("logout"))
    return codes


# --- Enrolment --------------------------------------------------------------------------


def test_setup_shows_a_qr_code_without_inline_styles_and_the_key_in_text(
    client: Client, staff: User
) -> None:
    client.force_login(staff)

    response = client.get(reverse("otp_setup"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Thiết lập xác thực hai bước" in page
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "<path" in svg
    assert "style=" not in svg
    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed
    assert secret_on_page(page) == otp.secret_text(device).replace(" ", "")
    # A reloaded page shows the same key: what was scanned stays valid.
    assert secret_on_page(client.get(reverse("otp_setup")).content.decode()) == secret_on_page(page)


def test_the_device_is_confirmed_only_by_a_right_code(client: Client, staff: User) -> None:
    client.force_login(staff)
    secret = secret_on_page(client.get(reverse("otp_setup")).content.decode())

    wrong = client.post(reverse("otp_setup"), {"code": "000000"})

    assert wrong.status_code == 200
    assert "Mã không đúng" in wrong.content.decode()
    assert not otp.is_enrolled(staff)

    # The portal waits a second after a wrong code before it checks another.
    with time_machine.travel(time.time() + 2, tick=True):
        right = client.post(reverse("otp_setup"), {"code": app_code(secret)})

    assert right.status_code == 302
    assert otp.is_enrolled(staff)
    assert [event.actor for event in events(AuditAction.OTP_ENABLE)] == [staff]


def test_ten_recovery_codes_are_shown_once_and_stored_hashed(client: Client, staff: User) -> None:
    client.force_login(staff)

    _secret, codes = enrol(client)

    assert len(set(codes)) == 10
    stored = set(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True))
    assert len(stored) == 10
    assert not stored & {code.replace("-", "") for code in codes}
    assert not stored & set(codes)
    assert stored == {otp.recovery_hash(code.replace("-", "")) for code in codes}
    again = client.get(reverse("otp_codes"))
    assert again.status_code == 302
    assert recovery_codes_on_page(client.get(again["Location"]).content.decode()) == []


# --- Logging in -------------------------------------------------------------------------


def test_a_user_with_an_authenticator_is_logged_in_only_after_the_code(
    client: Client, staff: User
) -> None:
    enrolled(client, staff)
    logins_before = len(events(AuditAction.LOGIN))

    after_password = password_step(client, staff)

    assert after_password == reverse("login_otp")
    assert client.get(reverse("home")).wsgi_request.user.is_anonymous
    code_page = client.get(reverse("login_otp"))
    assert "Mã xác thực" in code_page.content.decode()
    assert len(events(AuditAction.LOGIN)) == logins_before

    response = client.post(reverse("login_otp"), {"code": next_app_code(staff)})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert home.wsgi_request.user == staff
    assert otp.session_verified(home.wsgi_request.user)
    assert len(events(AuditAction.LOGIN)) == logins_before + 1


def test_the_page_asked_for_before_login_is_reached_after_the_code(
    client: Client, staff: User
) -> None:
    enrolled(client, staff)

    password_step(client, staff, query="?next=/units/")
    response = client.post(reverse("login_otp"), {"code": next_app_code(staff)})

    assert response["Location"] == "/units/"


def test_a_next_address_on_another_site_is_ignored(client: Client, staff: User) -> None:
    enrolled(client, staff)

    password_step(client, staff, query="?next=https://evil.example/")
    response = client.post(reverse("login_otp"), {"code": next_app_code(staff)})

    assert response["Location"] == reverse("home")


def test_a_user_without_an_authenticator_logs_in_with_the_password_alone(
    client: Client, staff: User
) -> None:
    assert password_step(client, staff) == reverse("home")
    assert client.get(reverse("home")).wsgi_request.user == staff


def test_the_code_step_without_the_password_step_goes_back_to_the_login(
    client: Client, db: None
) -> None:
    response = client.get(reverse("login_otp"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")


def test_a_code_cannot_be_used_twice(client: Client, staff: User) -> None:
    enrolled(client, staff)
    code = next_app_code(staff)
    password_step(client, staff)
    client.post(reverse("login_otp"), {"code": code})
    client.post(reverse("logout"))

    password_step(client, staff)
    replay = client.post(reverse("login_otp"), {"code": code})

    assert replay.status_code == 200
    assert "Mã không đúng" in replay.content.decode()
    assert replay.wsgi_request.user.is_anonymous


def test_the_password_step_lasts_five_minutes(client: Client, staff: User) -> None:
    enrolled(client, staff)
    password_step(client, staff)

    with time_machine.travel(time.time() + 6 * 60, tick=True):
        response = client.post(reverse("login_otp"), {"code": next_app_code(staff)})

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(reverse("home")).wsgi_request.user.is_anonymous


# --- Wrong codes ------------------------------------------------------------------------


def test_a_wrong_code_is_refused_and_recorded(client: Client, staff: User) -> None:
    enrolled(client, staff)
    password_step(client, staff)

    response = client.post(reverse("login_otp"), {"code": "123456"})

    assert response.status_code == 200
    assert "Mã không đúng" in response.content.decode()
    assert response.wsgi_request.user.is_anonymous
    failed = events(AuditAction.OTP_FAILED)
    assert [(event.actor, event.actor_username) for event in failed] == [(None, "lan")]


def test_codes_tried_in_quick_succession_wait_and_five_wrong_ones_end_the_attempt(
    client: Client, staff: User
) -> None:
    enrolled(client, staff)
    password_step(client, staff)
    client.post(reverse("login_otp"), {"code": "123456"})

    # Even the right code is not checked while the portal makes the guesser wait.
    hurried = client.post(reverse("login_otp"), {"code": next_app_code(staff)})

    assert "hãy chờ" in hurried.content.decode()
    assert hurried.wsgi_request.user.is_anonymous
    for _ in range(3):
        last = client.post(reverse("login_otp"), {"code": "654321"})
    assert last.status_code == 302
    assert last["Location"] == reverse("login")
    assert len(events(AuditAction.OTP_FAILED)) == 5
    # The password has to be typed again.
    assert client.get(reverse("login_otp"))["Location"] == reverse("login")


# --- Recovery codes ---------------------------------------------------------------------


def test_a_recovery_code_logs_in_once(client: Client, staff: User) -> None:
    codes = enrolled(client, staff)
    password_step(client, staff)

    response = client.post(reverse("login_otp"), {"code": codes[3].lower().replace("-", " ")})

    assert response.status_code == 302
    assert otp.session_verified(client.get(reverse("home")).wsgi_request.user)
    assert otp.recovery_codes_left(staff) == 9
    assert [event.actor for event in events(AuditAction.OTP_RECOVERY_USED)] == [staff]
    client.post(reverse("logout"))

    password_step(client, staff)
    again = client.post(reverse("login_otp"), {"code": codes[3]})

    assert again.status_code == 200
    assert "Mã khôi phục này không hợp lệ" in again.content.decode()
    assert again.wsgi_request.user.is_anonymous


def test_new_recovery_codes_replace_the_old_ones(client: Client, staff: User) -> None:
    old = enrolled(client, staff)
    password_step(client, staff)
    client.post(reverse("login_otp"), {"code": next_app_code(staff)})

    response = client.post(reverse("otp_regenerate"), {"code": next_app_code(staff)})
    new = recovery_codes_on_page(client.get(response["Location"]).content.decode())
    client.post(reverse("logout"))

    assert len(new) == 10
    assert not set(new) & set(old)
    password_step(client, staff)
    assert client.post(reverse("login_otp"), {"code": old[0]}).status_code == 200
    with time_machine.travel(time.time() + 2, tick=True):
        assert client.post(reverse("login_otp"), {"code": new[0]}).status_code == 302


def test_new_recovery_codes_need_a_current_code(client: Client, staff: User) -> None:
    old = enrolled(client, staff)
    client.force_login(staff)

    response = client.post(reverse("otp_regenerate"), {"code": "000000"})

    assert response.status_code == 400
    assert otp.recovery_codes_left(staff) == 10
    password_step(client, staff)
    assert client.post(reverse("login_otp"), {"code": old[0]}).status_code == 302


# --- The account page, turning off ------------------------------------------------------


def test_the_account_page_offers_the_second_factor_to_a_user_who_may_choose(
    client: Client, staff: User
) -> None:
    client.force_login(staff)

    home = client.get(reverse("home")).content.decode()
    page = client.get(reverse("otp_overview")).content.decode()

    assert reverse("otp_overview") in home
    assert 'data-otp-state="off"' in page
    assert reverse("otp_setup") in page


def test_turning_off_needs_a_current_code(client: Client, staff: User) -> None:
    enrolled(client, staff)
    password_step(client, staff)
    client.post(reverse("login_otp"), {"code": next_app_code(staff)})

    refused = client.post(reverse("otp_disable"), {"code": "000000"})

    assert refused.status_code == 200
    assert otp.is_enrolled(staff)

    with time_machine.travel(time.time() + 2, tick=True):
        response = client.post(reverse("otp_disable"), {"code": next_app_code(staff)})

    assert response["Location"] == reverse("otp_overview")
    assert not otp.is_enrolled(staff)
    assert not StaticToken.objects.filter(device__user=staff).exists()
    assert [event.actor for event in events(AuditAction.OTP_DISABLE)] == [staff]
    client.post(reverse("logout"))
    assert password_step(client, staff) == reverse("home")
