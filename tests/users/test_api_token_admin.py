"""An administrator revokes someone's API token in the admin site; the secret is never shown."""

from __future__ import annotations

from django.test import Client
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEvent
from tests import factories
from tests.api.auth import token_for
from users.models import ApiToken

CHANGELIST = "/admin/users/apitoken/"


def test_an_administrator_revokes_a_token_and_the_revocation_is_recorded(
    client: Client, db: None
) -> None:
    # Given a script's token of a commune officer, and an administrator
    owner = factories.UserFactory.create(username="lan")
    clear = token_for(owner, name="Máy chủ báo cáo")
    token = ApiToken.objects.get(user=owner)
    admin = factories.UserFactory.create(username="quantri", is_staff=True, is_superuser=True)
    client.force_login(admin)

    # When the administrator looks at the tokens and revokes that one
    listing = client.get(CHANGELIST)
    assert listing.status_code == 200
    assert "Máy chủ báo cáo" in listing.content.decode()
    assert token.digest not in listing.content.decode()
    answer = client.post(
        CHANGELIST, {"action": "revoke_selected", "_selected_action": [str(token.pk)]}
    )
    assert answer.status_code == 302

    # Then the token no longer opens the API, and the audit trail names who revoked it
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {clear}")
    assert api.get("/api/v1/me/").status_code in (401, 403)
    event = AuditEvent.objects.get(action=AuditAction.TOKEN_REVOKE)
    assert event.actor == admin


def test_tokens_cannot_be_added_or_edited_in_the_admin(client: Client, db: None) -> None:
    owner = factories.UserFactory.create(username="lan")
    token_for(owner)
    token = ApiToken.objects.get(user=owner)
    client.force_login(
        factories.UserFactory.create(username="quantri", is_staff=True, is_superuser=True)
    )

    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.post(f"{CHANGELIST}{token.pk}/change/", {"name": "khác"}).status_code == 403
    assert ApiToken.objects.get(pk=token.pk).name == "tests"
