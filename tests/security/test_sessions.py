"""Sessions on shared computers: idle and absolute timeouts, and nothing cached for a user.

The passage of time is the session's own record moved back (when it was opened, when the
user was last seen), exactly what the middleware reads; the requests are real ones through
the whole middleware stack against PostgreSQL.
"""

from __future__ import annotations

import time

import pytest
from django.test import Client

from portal.sessions import SEEN_KEY, STARTED_KEY
from tests import factories
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def _logged_in(client: Client) -> None:
    user = factories.admin_user(username="hung")
    response = client.post("/accounts/login/", {"username": "hung", "password": DEMO_PASSWORD})
    assert response.status_code == 302, "the login itself failed"
    assert client.session.get("_auth_user_id") == str(user.pk)


def _age(client: Client, *, started_ago: int, seen_ago: int) -> None:
    session = client.session
    now = int(time.time())
    session[STARTED_KEY] = now - started_ago
    session[SEEN_KEY] = now - seen_ago
    session.save()


def test_a_login_stores_the_start_of_the_session(client: Client) -> None:
    before = int(time.time())
    _logged_in(client)

    assert client.session[STARTED_KEY] >= before
    assert client.session[SEEN_KEY] >= before


def test_an_idle_session_is_logged_out_with_a_vietnamese_message(
    client: Client, settings: object
) -> None:
    _logged_in(client)
    _age(client, started_ago=40 * 60, seen_ago=31 * 60)

    response = client.get("/units/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Funits%2F"
    page = client.get(response["Location"])
    assert "Bạn đã được đăng xuất sau 30 phút không hoạt động" in page.content.decode()
    # Logged out on the server: the next page asks for a login again.
    assert "_auth_user_id" not in client.session
    assert client.get("/units/")["Location"].startswith("/accounts/login/")


def test_the_idle_timeout_follows_its_setting(client: Client, settings: object) -> None:
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 5  # type: ignore[attr-defined]
    _logged_in(client)
    _age(client, started_ago=10 * 60, seen_ago=6 * 60)

    response = client.get("/units/")

    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "sau 5 phút không hoạt động" in page.content.decode()


def test_an_active_session_stays_and_its_last_activity_moves(client: Client) -> None:
    _logged_in(client)
    _age(client, started_ago=60 * 60, seen_ago=29 * 60)

    response = client.get("/units/")

    assert response.status_code == 200
    assert int(time.time()) - client.session[SEEN_KEY] < 5
    # The start does not move with activity.
    assert int(time.time()) - client.session[STARTED_KEY] >= 60 * 60


def test_a_session_older_than_its_absolute_age_ends_even_if_active(client: Client) -> None:
    _logged_in(client)
    # Active a second ago, but opened 8 hours and 1 minute ago.
    _age(client, started_ago=8 * 60 * 60 + 60, seen_ago=1)

    response = client.get("/units/")

    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "độ dài tối đa 8 giờ" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_expired_session_is_anonymous_to_the_api(client: Client) -> None:
    _logged_in(client)
    assert client.get("/api/v1/units/").status_code == 200
    _age(client, started_ago=40 * 60, seen_ago=31 * 60)

    response = client.get("/api/v1/units/")

    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/json")


def test_every_page_for_a_logged_in_user_is_no_store(client: Client) -> None:
    _logged_in(client)

    for path in ("/", "/units/", "/api/v1/units/", "/directory/"):
        response = client.get(path)

        assert response.status_code == 200, path
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"no-store", "private"} <= directives, path


def test_an_api_answer_to_a_credential_is_no_store_even_when_refused(client: Client) -> None:
    response = client.get("/api/v1/units/", HTTP_AUTHORIZATION="Token not-a-real-token")

    assert response.status_code in (401, 403)
    assert "no-store" in response["Cache-Control"]


def test_public_pages_for_anonymous_visitors_keep_their_caching(client: Client) -> None:
    for path in ("/directory/", "/verify/", "/incidents/report/"):
        response = client.get(path)

        assert response.status_code == 200, path
        assert "no-store" not in response.get("Cache-Control", ""), path
