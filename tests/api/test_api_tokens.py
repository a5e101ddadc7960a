"""API tokens: listed and revoked by their owner only, expiring, dead after a password change
or reset, and every creation, daily use and revocation in the audit trail."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEvent
from notifications.models import OutboundEmail
from notifications.tasks import deliver_email
from tests import factories
from tests.factories import DEMO_PASSWORD
from users import tokens
from users.models import ApiToken, User

TOKEN = "/api/v1/auth/token/"
TOKENS = "/api/v1/auth/tokens/"
ME = "/api/v1/me/"
NEW_PASSWORD = "a-new-long-passphrase-42"


def _obtain(client: APIClient, username: str, name: str = "") -> dict[str, Any]:
    response = client.post(TOKEN, {"username": username, "password": DEMO_PASSWORD, "name": name})
    assert response.status_code == 200, response.content
    return dict(response.json())


def _as(client: APIClient, key: str) -> APIClient:
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_owner_lists_their_tokens_without_the_secret(api_client: APIClient, db: None) -> None:
    factories.UserFactory.create(username="lan")
    first = _obtain(api_client, "lan", "Máy chủ báo cáo")
    second = _obtain(api_client, "lan", "Script hàng tuần")

    listed = _as(api_client, second["token"]).get(TOKENS)

    assert listed.status_code == 200
    rows = listed.json()["results"]
    assert [row["name"] for row in rows] == ["Script hàng tuần", "Máy chủ báo cáo"]
    assert {row["id"] for row in rows} == {first["id"], second["id"]}
    assert first["token"] not in listed.content.decode()
    assert second["token"] not in listed.content.decode()
    assert rows[0]["expired"] is False


def test_nobody_lists_or_revokes_another_users_token(api_client: APIClient, db: None) -> None:
    factories.UserFactory.create(username="lan")
    factories.UserFactory.create(username="mai")
    lans = _obtain(api_client, "lan")
    mais = _obtain(api_client, "mai")

    _as(api_client, mais["token"])
    listed = api_client.get(TOKENS).json()["results"]
    revoked = api_client.delete(f"{TOKENS}{lans['id']}/")

    assert [row["id"] for row in listed] == [mais["id"]]
    assert revoked.status_code == 404
    assert _as(APIClient(), lans["token"]).get(ME).status_code == 200


def test_a_revoked_token_stops_working_and_the_revocation_is_recorded(
    api_client: APIClient, db: None
) -> None:
    user = factories.UserFactory.create(username="lan")
    kept = _obtain(api_client, "lan", "kept")
    doomed = _obtain(api_client, "lan", "doomed")

    revoked = _as(api_client, kept["token"]).delete(f"{TOKENS}{doomed['id']}/")

    assert revoked.status_code == 204
    assert _as(APIClient(), doomed["token"]).get(ME).status_code in (401, 403)
    assert _as(APIClient(), kept["token"]).get(ME).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.TOKEN_REVOKE)
    assert (event.actor, event.object_repr, event.object_id) == (user, "doomed", doomed["id"])


def test_creation_is_recorded_with_the_address(api_client: APIClient, db: None) -> None:
    user = factories.UserFactory.create(username="lan")

    api_client.post(
        TOKEN,
        {"username": "lan", "password": DEMO_PASSWORD, "name": "cron"},
        REMOTE_ADDR="203.0.113.9",
    )

    event = AuditEvent.objects.get(action=AuditAction.TOKEN_CREATE)
    assert (event.actor, event.object_repr, event.ip_address) == (user, "cron", "203.0.113.9")


def test_use_is_recorded_once_a_day(
    api_client: APIClient, db: None, django_assert_max_num_queries: Any
) -> None:
    user = factories.UserFactory.create(username="lan")
    key = _obtain(api_client, "lan")["token"]
    _as(api_client, key)

    with django_assert_max_num_queries(5):  # token and user, last used, audit, /me/'s own
        api_client.get(ME)
    for _ in range(3):
        api_client.get(ME)
    # A day later, the first request is recorded again.
    yesterday = timezone.now() - datetime.timedelta(days=1)
    ApiToken.objects.filter(user=user).update(last_used=yesterday)
    api_client.get(ME)

    uses = AuditEvent.objects.filter(action=AuditAction.TOKEN_USE)
    assert uses.count() == 2
    assert {event.actor for event in uses} == {user}
    assert ApiToken.objects.get(user=user).last_used > yesterday


def test_an_expired_token_does_not_work(api_client: APIClient, db: None) -> None:
    factories.UserFactory.create(username="lan")
    key = _obtain(api_client, "lan")["token"]
    ApiToken.objects.update(expiry=timezone.now() - datetime.timedelta(seconds=1))

    response = _as(api_client, key).get(ME)

    assert response.status_code in (401, 403)


def test_an_inactive_users_token_does_not_work(api_client: APIClient, db: None) -> None:
    user = factories.UserFactory.create(username="lan")
    key = _obtain(api_client, "lan")["token"]
    user.is_active = False
    user.save()

    assert _as(api_client, key).get(ME).status_code in (401, 403)


def test_a_user_holds_a_bounded_number_of_live_tokens(api_client: APIClient, db: None) -> None:
    user = factories.UserFactory.create(username="lan")
    for n in range(tokens.MAX_ACTIVE_TOKENS):
        tokens.issue(user, name=f"script {n}")

    refused = api_client.post(TOKEN, {"username": "lan", "password": DEMO_PASSWORD})

    assert refused.status_code == 400
    assert "token" not in refused.json()
    assert ApiToken.objects.filter(user=user).count() == tokens.MAX_ACTIVE_TOKENS


def test_changing_the_password_revokes_every_token(client: Client, db: None) -> None:
    user = factories.UserFactory.create(username="lan")
    keys = [tokens.issue(user, name=name)[1] for name in ("a", "b")]
    client.force_login(user)

    client.post(
        reverse("password_change"),
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    for key in keys:
        assert _as(APIClient(), key).get(ME).status_code in (401, 403)
    assert not ApiToken.objects.exists()
    change = AuditEvent.objects.get(action=AuditAction.PASSWORD_CHANGE)
    assert (change.actor, change.object_id) == (user, str(user.pk))
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKE).count() == 2


def test_resetting_the_password_revokes_every_token(
    client: Client, db: None, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    user = factories.UserFactory.create(username="lan", email="lan@camngoc.gov.vn")
    key = tokens.issue(user, name="cron")[1]
    client.post(reverse("password_reset"), {"email": "lan@camngoc.gov.vn"})
    deliver_email(OutboundEmail.objects.get().pk)
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", str(mailoutbox[0].body))
    assert link is not None
    form_url = client.get(link.group(1))["Location"]

    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert _as(APIClient(), key).get(ME).status_code in (401, 403)
    assert not ApiToken.objects.exists()
    reset = AuditEvent.objects.get(action=AuditAction.PASSWORD_RESET)
    assert reset.actor == user
    assert not AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGE).exists()


def test_a_password_hash_upgrade_at_login_keeps_the_tokens(db: None, settings: Any) -> None:
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = factories.UserFactory.create(username="lan")
    User.objects.filter(pk=user.pk).update(
        password=make_password(DEMO_PASSWORD, hasher="pbkdf2_sha256")
    )
    user.refresh_from_db()
    key = tokens.issue(user, name="cron")[1]

    # Django rehashes with the first hasher at a successful login: not a password change.
    assert user.check_password(DEMO_PASSWORD)
    user.refresh_from_db()

    assert user.password.startswith("md5$")
    assert _as(APIClient(), key).get(ME).status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGE).exists()
