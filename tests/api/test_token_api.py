"""The token endpoint: new hashed tokens for good credentials, and the lockouts on the API too."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.utils import timezone
from knox.crypto import hash_token
from rest_framework.test import APIClient

from tests import factories
from tests.conftest import Tree
from users.models import ApiToken

TOKEN = "/api/v1/auth/token/"


def test_good_credentials_get_a_token_that_authenticates(api_client: APIClient, tree: Tree) -> None:
    officer = factories.officer_of(tree.cam_thuy, username="hoa")

    response = api_client.post(TOKEN, {"username": "hoa", "password": factories.DEMO_PASSWORD})
    key = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    me = api_client.get("/api/v1/me/")

    assert response.status_code == 200
    [stored] = ApiToken.objects.filter(user=officer)
    # Only a hash is kept: the clear token is nowhere in the database.
    assert stored.digest == hash_token(key)
    assert key not in {stored.digest, stored.token_key, stored.name}
    assert response.json()["id"] == str(stored.pk)
    assert me.status_code == 200
    assert me.json()["username"] == "hoa"


def test_the_token_expires_after_the_configured_days(
    api_client: APIClient, db: None, settings: Any
) -> None:
    settings.API_TOKEN_TTL_DAYS = 30
    factories.UserFactory.create(username="lan")

    response = api_client.post(
        TOKEN, {"username": "lan", "password": factories.DEMO_PASSWORD, "name": "Báo cáo tự động"}
    )

    body = response.json()
    assert body["name"] == "Báo cáo tự động"
    expiry = datetime.datetime.fromisoformat(body["expiry"])
    expected = timezone.now() + datetime.timedelta(days=30)
    assert abs((expiry - expected).total_seconds()) < 60


def test_asking_twice_gives_two_tokens_that_both_work(api_client: APIClient, db: None) -> None:
    factories.UserFactory.create(username="lan")
    credentials = {"username": "lan", "password": factories.DEMO_PASSWORD}

    first = api_client.post(TOKEN, credentials).json()["token"]
    second = api_client.post(TOKEN, credentials).json()["token"]

    assert first != second
    for key in (first, second):
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert api_client.get("/api/v1/me/").status_code == 200


def test_wrong_password_gets_400_and_no_token(api_client: APIClient, db: None) -> None:
    factories.UserFactory.create(username="lan")

    response = api_client.post(TOKEN, {"username": "lan", "password": "wrong"})

    assert response.status_code == 400
    assert "token" not in response.json()
    assert not ApiToken.objects.exists()


def test_inactive_user_gets_no_token(api_client: APIClient, db: None) -> None:
    factories.UserFactory.create(username="lan", is_active=False)

    response = api_client.post(TOKEN, {"username": "lan", "password": factories.DEMO_PASSWORD})

    assert response.status_code == 400


def test_missing_fields_are_a_validation_error(api_client: APIClient, db: None) -> None:
    response = api_client.post(TOKEN, {"username": "lan"})

    assert response.status_code == 400
    assert "password" in response.json()


def test_repeated_failures_lock_the_user_out_even_with_the_right_password(
    api_client: APIClient, db: None
) -> None:
    factories.UserFactory.create(username="lan")
    failures = [
        api_client.post(TOKEN, {"username": "lan", "password": f"wrong-{n}"}).status_code
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]

    locked = api_client.post(TOKEN, {"username": "lan", "password": factories.DEMO_PASSWORD})

    assert failures[:-1] == [400] * (settings.AXES_FAILURE_LIMIT - 1)
    assert failures[-1] == 429
    assert locked.status_code == 429
    assert locked["Content-Type"] == "application/json"
    assert "token" not in locked.json()
    assert not ApiToken.objects.exists()


def test_an_api_lockout_also_applies_to_the_login_form(
    api_client: APIClient, rf: RequestFactory, db: None
) -> None:
    factories.UserFactory.create(username="lan")
    for n in range(settings.AXES_FAILURE_LIMIT):
        api_client.post(TOKEN, {"username": "lan", "password": f"wrong-{n}"})
    login_request = rf.post("/accounts/login/", REMOTE_ADDR="127.0.0.1")

    # The login form authenticates exactly like this, so one counter guards both doors.
    user = authenticate(request=login_request, username="lan", password=factories.DEMO_PASSWORD)

    assert user is None
    assert getattr(login_request, "axes_locked_out", False) is True


def test_a_lockout_does_not_touch_another_user(api_client: APIClient, db: None) -> None:
    factories.UserFactory.create(username="lan")
    factories.UserFactory.create(username="mai")
    for n in range(settings.AXES_FAILURE_LIMIT):
        api_client.post(TOKEN, {"username": "lan", "password": f"wrong-{n}"})

    response = api_client.post(TOKEN, {"username": "mai", "password": factories.DEMO_PASSWORD})

    assert response.status_code == 200
