"""Who must have a second factor: held at enrolment or the code step, the admin site, the API."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tests import factories
from tests.conftest import Tree
from tests.factories import DEMO_PASSWORD
from tests.users.otp_support import enrol, next_app_code, password_step
from users import otp
from users.models import ApiToken, User


@pytest.fixture(autouse=True)
def _second_factor_required(settings: Any) -> None:
    settings.PORTAL_OTP_REQUIRED = True


@pytest.fixture
def province_officer(tree: Tree) -> User:
    return factories.officer_of(tree.thanh_hoa, username="tinh")


def test_the_second_factor_is_required_unless_the_environment_says_otherwise() -> None:
    # The suite turns it off for tests about other things (tests/conftest.py); the
    # settings module itself, read afresh, has it on.
    environment = {k: v for k, v in os.environ.items() if k != "PORTAL_OTP_REQUIRED"}
    read = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.PORTAL_OTP_REQUIRED)",
        ],
        env={**environment, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )

    assert read.stdout.strip() == "True"


@pytest.mark.parametrize("role", ["province", "system_admin", "superuser"])
def test_the_roles_that_require_it(tree: Tree, role: str) -> None:
    if role == "province":
        user = factories.officer_of(tree.thanh_hoa)
    elif role == "system_admin":
        user = factories.admin_user()
    else:
        user = factories.UserFactory.create(is_staff=True, is_superuser=True)

    assert otp.required_for(user)


def test_officers_of_communes_and_districts_and_staff_of_bodies_may_choose(tree: Tree) -> None:
    assert not otp.required_for(factories.officer_of(tree.cam_thuy))
    assert not otp.required_for(factories.officer_of(tree.cam_ngoc))
    assert not otp.required_for(factories.staff_of(tree.ubnd_cam_ngoc))


def test_a_provincial_officer_without_an_authenticator_can_do_nothing_but_enrol(
    client: Client, province_officer: User
) -> None:
    # Logging in with the password is accepted...
    assert password_step(client, province_officer) == reverse("home")

    # ...but every page leads to enrolment, keeping the page asked for.
    for path in ("/", "/registry/pages/", "/reports/", reverse("otp_overview")):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"{reverse('otp_setup')}?next={path.replace('/', '%2F')}"
    setup = client.get(reverse("otp_setup"))
    assert setup.status_code == 200
    assert "Vai trò của bạn bắt buộc xác thực hai bước" in setup.content.decode()
    # Static files and logging out are still reachable.
    assert client.get(django_settings.STATIC_URL + "css/otp.css").status_code != 302

    enrol(client)

    assert client.get("/registry/pages/").status_code == 200
    assert otp.session_verified(client.get("/").wsgi_request.user)


def test_a_provincial_officer_with_an_authenticator_is_asked_for_the_code(
    client: Client, province_officer: User
) -> None:
    client.force_login(province_officer)
    enrol(client)
    client.post(reverse("logout"))

    assert password_step(client, province_officer) == reverse("login_otp")
    client.post(reverse("login_otp"), {"code": next_app_code(province_officer)})

    assert client.get("/registry/pages/").status_code == 200


def test_a_session_that_skipped_the_code_is_sent_to_the_code_step(
    client: Client, province_officer: User
) -> None:
    client.force_login(province_officer)
    enrol(client)
    client.logout()
    client.force_login(province_officer)

    held = client.get("/units/")

    assert held["Location"] == f"{reverse('login_otp')}?next=%2Funits%2F"
    page = client.get(held["Location"])
    assert page.status_code == 200
    passed = client.post(
        reverse("login_otp"), {"code": next_app_code(province_officer), "next": "/units/"}
    )
    assert passed["Location"] == "/units/"
    assert client.get("/units/").status_code == 200


def test_a_user_who_may_choose_is_not_held(client: Client, tree: Tree) -> None:
    client.force_login(factories.officer_of(tree.cam_thuy))

    assert client.get("/registry/pages/").status_code == 200


def test_turning_off_sends_a_provincial_officer_straight_back_to_enrolment(
    client: Client, province_officer: User
) -> None:
    client.force_login(province_officer)
    enrol(client)

    response = client.post(reverse("otp_disable"), {"code": next_app_code(province_officer)})

    assert response["Location"] == reverse("otp_setup")
    assert not otp.is_enrolled(province_officer)
    assert client.get("/")["Location"].startswith(reverse("otp_setup"))


# --- The admin site ---------------------------------------------------------------------


def test_the_admin_site_refuses_a_session_that_has_not_passed_the_second_factor(
    client: Client, db: None
) -> None:
    admin = factories.UserFactory.create(username="quantri", is_staff=True, is_superuser=True)
    client.force_login(admin)

    refused = client.get("/admin/")

    assert refused.status_code == 302
    assert refused["Location"].startswith(reverse("otp_setup"))

    enrol(client)
    client.logout()
    client.force_login(admin)
    assert client.get("/admin/")["Location"].startswith(reverse("login_otp"))

    client.post(reverse("login_otp"), {"code": next_app_code(admin)})
    assert client.get("/admin/").status_code == 200


def test_the_admin_login_page_is_the_portals_two_step_login(client: Client, db: None) -> None:
    response = client.get("/admin/login/?next=/admin/audit/")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=%2Fadmin%2Faudit%2F"


# --- The API ----------------------------------------------------------------------------


def test_the_api_answers_403_to_a_session_that_has_not_passed_the_second_factor(
    client: Client, province_officer: User
) -> None:
    client.force_login(province_officer)

    response = client.get("/api/v1/me/")

    assert response.status_code == 403
    assert "xác thực" in response.json()["detail"]


def test_api_tokens_are_unaffected(client: Client, province_officer: User) -> None:
    from users import tokens

    _token, clear = tokens.issue(province_officer)

    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {clear}")

    assert response.status_code == 200


def test_a_password_alone_is_not_enough_for_a_required_or_enrolled_user(
    client: Client, tree: Tree, province_officer: User
) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    assert otp.password_is_enough(staff)
    assert not otp.password_is_enough(province_officer)

    client.force_login(staff)
    enrol(client)

    assert not otp.password_is_enough(staff)


# --- Cost -------------------------------------------------------------------------------


def test_the_check_adds_no_query_to_a_page_of_a_user_who_may_choose(
    client: Client, tree: Tree, settings: Any
) -> None:
    client.force_login(factories.officer_of(tree.cam_thuy))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/registry/pages/").status_code == 200
        return len(captured.captured_queries)

    settings.PORTAL_OTP_REQUIRED = False
    queries()  # whatever the first visit warms
    without = queries()
    settings.PORTAL_OTP_REQUIRED = True
    with_check = queries()

    assert with_check == without


def test_a_verified_session_costs_one_query_more_at_most(
    client: Client, province_officer: User, django_assert_max_num_queries: Any, settings: Any
) -> None:
    client.force_login(province_officer)
    settings.PORTAL_OTP_REQUIRED = False
    with CaptureQueriesContext(connection) as unverified:
        client.get("/registry/pages/")
    # Read now: the next request empties the connection's query log.
    budget = len(unverified.captured_queries) + 1
    settings.PORTAL_OTP_REQUIRED = True
    enrol(client)

    with django_assert_max_num_queries(budget):
        assert client.get("/registry/pages/").status_code == 200


# --- Lost phone and lost codes ----------------------------------------------------------


def test_an_administrator_resets_the_second_factor_of_a_user_who_lost_everything(
    client: Client, province_officer: User
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from audit.models import AuditAction, AuditEvent

    client.force_login(province_officer)
    enrol(client)
    client.logout()
    admin = factories.UserFactory.create(username="quantri", is_staff=True, is_superuser=True)
    client.force_login(admin)
    enrol(client)
    device = TOTPDevice.objects.get(user=province_officer)

    response = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not otp.is_enrolled(province_officer)
    event = AuditEvent.objects.get(action=AuditAction.OTP_DISABLE)
    assert (event.actor, event.object_id) == (admin, str(province_officer.pk))
    # The officer's next login leads to enrolment of the new phone.
    client.logout()
    assert password_step(client, province_officer) == reverse("home")
    assert client.get("/")["Location"].startswith(reverse("otp_setup"))


def test_the_token_endpoint_refuses_a_password_alone_to_a_user_who_needs_the_second_factor(
    province_officer: User, db: None
) -> None:
    # Given a provincial officer, who may only use the portal after a second factor
    api = APIClient()

    # When a script asks the API for a token with the officer's password only
    response = api.post(
        "/api/v1/auth/token/",
        {"username": province_officer.username, "password": DEMO_PASSWORD},
        format="json",
    )

    # Then no token is issued: tokens are created on the tokens page, once verified
    assert response.status_code == 403
    assert "xác thực hai bước" in response.json()["detail"]
    assert not ApiToken.objects.filter(user=province_officer).exists()


def test_the_token_endpoint_refuses_a_password_alone_to_a_user_who_turned_it_on(
    client: Client, tree: Tree
) -> None:
    # Given a commune officer who chose to turn the second factor on
    officer = factories.officer_of(tree.cam_ngoc, username="xa.camngoc.2fa")
    client.force_login(officer)
    enrol(client)

    # When a script asks the API for a token with the password only
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": officer.username, "password": DEMO_PASSWORD},
        format="json",
    )

    # Then it is refused as well
    assert response.status_code == 403
    assert not ApiToken.objects.filter(user=officer).exists()
