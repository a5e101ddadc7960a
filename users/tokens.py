"""API tokens: issued, used, listed and revoked, each step in the audit trail.

Tokens are django-rest-knox's (hashed with SHA-512, the clear token shown once) in the
portal's own model, ``users.ApiToken``, which adds a name and the day of last use. Every
token expires (``API_TOKEN_TTL_DAYS``), a user holds at most ``MAX_ACTIVE_TOKENS`` live ones,
and changing or resetting the password revokes them all (``User.save``).

Use is recorded once a day per token: the first authenticated request of each day (in the
portal's time zone) sets ``last_used`` and writes one ``token_use`` event, with one
conditional ``UPDATE``; every other request costs nothing beyond the lookup of the token.
"""

from __future__ import annotations

import binascii
import datetime
from hmac import compare_digest
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework import exceptions

from audit.models import AuditAction
from audit.services import record
from users.models import ApiToken, User

# Live tokens per user: enough for a few scripts and machines, few enough that a script
# asking for a new token at every run is told to keep the one it has.
MAX_ACTIVE_TOKENS = 20


def too_many_message() -> str:
    return gettext(
        "You already have %(count)d API tokens in use: revoke one you no longer need first."
    ) % {"count": MAX_ACTIVE_TOKENS}


class TooManyTokens(Exception):
    """The user already holds ``MAX_ACTIVE_TOKENS`` live tokens."""


def ttl() -> datetime.timedelta:
    """How long a new token lives (``API_TOKEN_TTL_DAYS``, read at each call)."""
    return datetime.timedelta(days=settings.API_TOKEN_TTL_DAYS)


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first: nobody lists or revokes another's."""
    # knox's model and manager have no type hints: say what the query gives.
    tokens: QuerySet[ApiToken] = ApiToken.objects.filter(user=user).order_by("-created")
    return tokens


def live_tokens_of(user: User) -> QuerySet[ApiToken]:
    return tokens_of(user).filter(expiry__gt=timezone.now())


def default_name() -> str:
    return gettext("API token of %(date)s") % {
        "date": timezone.localtime().strftime("%d/%m/%Y %H:%M")
    }


def issue(
    user: User, *, name: str = "", request: HttpRequest | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the clear token (shown once only)."""
    name = (name or "").strip() or default_name()
    with transaction.atomic():
        # Serialise one user's issues so that two at once cannot pass the limit together.
        User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
        if live_tokens_of(user).count() >= MAX_ACTIVE_TOKENS:
            raise TooManyTokens
        token, clear = ApiToken.objects.create(user, expiry=ttl(), name=name[:100])
        record(action=AuditAction.TOKEN_CREATE, actor=user, obj=token, request=request)
    return token, clear


def revoke(token: ApiToken, *, note: str = "", request: HttpRequest | None = None) -> None:
    """End one token (its row is deleted: a hash is useless to keep); the event stays."""
    with transaction.atomic():
        record(action=AuditAction.TOKEN_REVOKE, obj=token, note=note, request=request)
        token.delete()


def password_changed(user: User) -> None:
    """Record the change of ``user``'s password and revoke every token they hold.

    Called by ``User.save`` whenever a new password was set. The reset form marks the user
    with ``_password_event`` so that the event says "reset" and names the account as its
    actor (the person holding the emailed link); otherwise the actor is the request's user
    (the owner, or an administrator in the admin), or nobody in a command.
    """
    # Read once: a later change through the same object is a change again.
    event = user.__dict__.pop("_password_event", AuditAction.PASSWORD_CHANGE)
    actor = user if event == AuditAction.PASSWORD_RESET else None
    note = gettext("Revoked with the password change.")
    with transaction.atomic():
        record(action=event, actor=actor, obj=user)
        tokens = list(ApiToken.objects.filter(user=user))
        for token in tokens:
            record(action=AuditAction.TOKEN_REVOKE, actor=actor, obj=token, note=note)
        ApiToken.objects.filter(pk__in=[token.pk for token in tokens]).delete()


def _start_of_today() -> datetime.datetime:
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def note_use(token: ApiToken, request: HttpRequest | None = None) -> None:
    """Record the first use of the day: ``last_used`` and one ``token_use`` event."""
    today = _start_of_today()
    if token.last_used is not None and token.last_used >= today:
        return
    now = timezone.now()
    # Conditional, so that two requests at once record the day's first use only once.
    claimed = (
        ApiToken.objects.filter(pk=token.pk)
        .filter(Q(last_used__isnull=True) | Q(last_used__lt=today))
        .update(last_used=now)
    )
    token.last_used = now
    if claimed:
        record(action=AuditAction.TOKEN_USE, actor=token.user, obj=token, request=request)


class ApiTokenAuthentication(TokenAuthentication):
    """knox's ``Authorization: Token <token>``, in one query, with the use recorded.

    knox's own class reads every token of the user at each request to delete the expired
    ones; here an expired token is simply not found (the owner sees it as expired on the
    tokens page until they remove it, and it goes with the next password change).
    """

    def authenticate(self, request: Any) -> tuple[Any, ApiToken] | None:
        self._request = getattr(request, "_request", request)
        found: tuple[Any, ApiToken] | None = super().authenticate(request)
        return found

    def authenticate_credentials(self, token: bytes) -> tuple[Any, ApiToken]:
        invalid = exceptions.AuthenticationFailed(_("Invalid token."))
        try:
            text = token.decode("utf-8")
            digest = hash_token(text)
        except (UnicodeDecodeError, TypeError, ValueError, binascii.Error):
            raise invalid from None
        candidates = ApiToken.objects.filter(
            token_key=text[: CONSTANTS.TOKEN_KEY_LENGTH], expiry__gt=timezone.now()
        ).select_related("user")
        for candidate in candidates:
            if compare_digest(digest, candidate.digest):
                user, found = self.validate_user(candidate)
                note_use(found, getattr(self, "_request", None))
                return user, found
        raise invalid

    def validate_user(self, auth_token: ApiToken) -> tuple[Any, ApiToken]:
        if not auth_token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return auth_token.user, auth_token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema, under the name the API always had."""

    target_class = "users.tokens.ApiTokenAuthentication"
    name = "tokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return dict(
            build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")
        )
