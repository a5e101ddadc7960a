"""Password guessing spread across addresses: a per-account limit that spares the owner.

Real Redis counts the failures (the default cache), real PostgreSQL holds axes' attempts and
the audit trail; each attempt goes through the login page or the token endpoint as a
browser or a script would send it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEvent
from tests import factories
from tests.factories import DEMO_PASSWORD
from users import guessing

LIMIT = 20


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> None:
    settings.PORTAL_LOGIN_ACCOUNT_FAILURE_LIMIT = LIMIT
    settings.PORTAL_LOGIN_ACCOUNT_COOLOFF_MINUTES = 60


def _login(client: Client, password: str, address: str, username: str = "hoa") -> Any:
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def _spread_failures(username: str = "hoa", count: int = LIMIT) -> None:
    """``count`` wrong passwords, each from a fresh browser at its own address."""
    for n in range(count):
        response = _login(Client(), f"wrong-{n}", f"198.51.100.{n + 1}", username)
        assert response.status_code == 200


def _owner_browser() -> Client:
    """The owner's own browser, which has logged in before and carries its device mark."""
    browser = Client()
    assert _login(browser, DEMO_PASSWORD, "203.0.113.50").status_code == 302
    assert guessing.COOKIE_NAME in browser.cookies
    browser.post(reverse("logout"))
    return browser


def test_failures_from_many_addresses_pause_unknown_browsers_even_with_the_right_password(
    db: None,
) -> None:
    factories.UserFactory.create(username="hoa")
    _spread_failures()

    attempt = _login(Client(), DEMO_PASSWORD, "192.0.2.77")

    assert attempt.status_code == 200
    assert not attempt.context["user"].is_authenticated
    page = attempt.content.decode()
    assert "trình duyệt" in page  # the Vietnamese sentence about new browsers
    assert 'role="alert"' in page


def test_the_owners_known_browser_still_logs_in(db: None) -> None:
    factories.UserFactory.create(username="hoa")
    browser = _owner_browser()
    _spread_failures()

    response = _login(browser, DEMO_PASSWORD, "203.0.113.50")

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_the_pause_and_the_refusals_are_in_the_audit_trail(db: None) -> None:
    factories.UserFactory.create(username="hoa")
    _spread_failures()
    _login(Client(), DEMO_PASSWORD, "192.0.2.77")

    [pause] = AuditEvent.objects.filter(action=AuditAction.LOCKOUT, actor_username="hoa")
    failures = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor_username="hoa")
    assert pause.actor is None
    assert pause.ip_address == f"198.51.100.{LIMIT}"
    assert "60" in pause.note
    assert failures.count() == LIMIT + 1
    assert failures.first().ip_address == "192.0.2.77"  # type: ignore[union-attr]
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()


def test_below_the_limit_a_new_browser_logs_in(db: None) -> None:
    factories.UserFactory.create(username="hoa")
    _spread_failures(count=LIMIT - 1)

    assert _login(Client(), DEMO_PASSWORD, "192.0.2.77").status_code == 302


def test_scripts_are_unknown_clients_too(db: None) -> None:
    factories.UserFactory.create(username="hoa")
    _spread_failures()

    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "hoa", "password": DEMO_PASSWORD},
        REMOTE_ADDR="192.0.2.78",
    )

    assert response.status_code == 429
    assert "token" not in response.json()


def test_other_accounts_are_not_paused(db: None) -> None:
    factories.UserFactory.create(username="hoa")
    factories.UserFactory.create(username="mai")
    _spread_failures()

    assert _login(Client(), DEMO_PASSWORD, "192.0.2.77", username="mai").status_code == 302


def test_a_name_nobody_has_is_paused_alike(db: None) -> None:
    """The limit counts names typed: it does not reveal which accounts exist."""
    _spread_failures(username="khong-co-ai")

    response = _login(Client(), "anything-at-all", "192.0.2.77", username="khong-co-ai")

    assert "trình duyệt" in response.content.decode()


def test_a_known_browser_is_not_locked_by_the_address_lockout(db: None, settings: Any) -> None:
    """Colleagues behind one office address cannot lock the owner out of their computer."""
    factories.UserFactory.create(username="hoa")
    browser = _owner_browser()
    office = "203.0.113.50"
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(), f"wrong-{n}", office)

    assert _login(Client(), DEMO_PASSWORD, office).status_code == 429  # axes' lock
    assert _login(browser, DEMO_PASSWORD, office).status_code == 302


def test_a_stolen_device_mark_buys_only_a_few_guesses(db: None, settings: Any) -> None:
    factories.UserFactory.create(username="hoa")
    browser = _owner_browser()
    for n in range(settings.AXES_FAILURE_LIMIT):
        assert _login(browser, f"wrong-{n}", "203.0.113.50").status_code == 200
    _spread_failures()

    # The mark is no longer honoured: this browser is an unknown one, and paused.
    response = _login(browser, DEMO_PASSWORD, "203.0.113.51")

    assert response.status_code == 200
    assert "trình duyệt" in response.content.decode()


def test_a_forged_device_cookie_is_ignored(db: None) -> None:
    factories.UserFactory.create(username="hoa")
    _spread_failures()
    forger = Client()
    forger.cookies[guessing.COOKIE_NAME] = "W3siYSI6ICJ4In1d:forged:signature"

    response = _login(forger, DEMO_PASSWORD, "192.0.2.79")

    assert response.status_code == 200
    assert not response.context["user"].is_authenticated


def test_the_device_cookie_is_http_only_and_long_lived(db: None, settings: Any) -> None:
    factories.UserFactory.create(username="hoa")
    browser = Client()

    _login(browser, DEMO_PASSWORD, "203.0.113.50")

    cookie = browser.cookies[guessing.COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == settings.PORTAL_DEVICE_COOKIE_DAYS * 86400
