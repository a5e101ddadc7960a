"""The "API tokens" page: create (the token shown once), list, revoke; own tokens only."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEvent
from tests import factories
from users import tokens
from users.models import ApiToken

PAGE = reverse("api_tokens")


def _shown_token(page: str) -> str:
    match = re.search(r'id="new-token"[^>]*value="([0-9a-f]+)"', page, re.S)
    assert match is not None
    return match.group(1)


def test_a_new_token_is_shown_once_and_works(client: Client, db: None) -> None:
    user = factories.UserFactory.create()
    client.force_login(user)

    created = client.post(PAGE, {"name": "Máy tính phòng Văn hóa"})
    key = _shown_token(created.content.decode())
    again = client.get(PAGE).content.decode()

    assert created.status_code == 200
    assert "chỉ hiện một lần" in created.content.decode()
    assert "no-store" in created["Cache-Control"]
    assert key not in again
    assert "Máy tính phòng Văn hóa" in again
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_CREATE, actor=user).count() == 1


def test_the_list_shows_dates_day_first_and_never_used(client: Client, db: None) -> None:
    user = factories.UserFactory.create()
    token, _clear = tokens.issue(user, name="cron")
    client.force_login(user)

    page = client.get(PAGE).content.decode()

    assert timezone.localtime(token.created).strftime("%d/%m/%Y") in page
    assert timezone.localtime(token.expiry).strftime("%d/%m/%Y") in page
    assert "chưa dùng" in page
    assert "Thu hồi" in page


def test_a_name_is_required(client: Client, db: None) -> None:
    client.force_login(factories.UserFactory.create())

    response = client.post(PAGE, {"name": "  "})

    assert response.status_code == 200
    assert 'id="new-token"' not in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_ends_the_token(client: Client, db: None) -> None:
    user = factories.UserFactory.create()
    token, key = tokens.issue(user, name="cron")
    client.force_login(user)

    response = client.post(reverse("api_token_revoke", args=[token.pk]), follow=True)

    assert response.redirect_chain[-1][0] == PAGE
    assert "cron" in response.content.decode()  # named in the confirmation
    assert not ApiToken.objects.exists()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code in (401, 403)


def test_another_users_token_is_a_404(client: Client, db: None) -> None:
    owner = factories.UserFactory.create()
    token, _key = tokens.issue(owner, name="cron")
    client.force_login(factories.UserFactory.create())

    response = client.post(reverse("api_token_revoke", args=[token.pk]))

    assert response.status_code == 404
    assert "cron" not in client.get(PAGE).content.decode()
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_revoking_needs_a_post(client: Client, db: None) -> None:
    user = factories.UserFactory.create()
    token, _key = tokens.issue(user, name="cron")
    client.force_login(user)

    assert client.get(reverse("api_token_revoke", args=[token.pk])).status_code == 405
    assert ApiToken.objects.exists()


def test_the_page_needs_a_login(client: Client, db: None) -> None:
    assert client.get(PAGE)["Location"].startswith(reverse("login"))


def test_the_list_costs_the_same_for_one_token_or_twenty(
    client: Client, db: None, django_assert_max_num_queries: Any
) -> None:
    user = factories.UserFactory.create()
    client.force_login(user)
    tokens.issue(user, name="one")
    with django_assert_max_num_queries(12) as few:
        client.get(PAGE)
    for n in range(tokens.MAX_ACTIVE_TOKENS - 1):
        tokens.issue(user, name=f"script {n}")

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(PAGE)

    assert response.content.decode().count("Thu hồi") >= tokens.MAX_ACTIVE_TOKENS
