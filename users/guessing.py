"""Password guessing spread across addresses: a per-account limit the owner is exempt from.

django-axes locks one (username, address) pair after a few failures; an attacker with many
addresses goes round it. Counting failures per account alone would let that attacker lock
the owner out. So, following OWASP's "device cookies":

- A successful login gives the browser a **device mark**: a signed cookie
  (``portal_device``) that names the account and carries a random nonce. A shared office
  computer keeps the marks of its last few users.
- Failures from **unknown clients** (no valid mark for the account typed: a new browser, a
  script, the token endpoint) are counted per account. Past
  ``PORTAL_LOGIN_ACCOUNT_FAILURE_LIMIT`` in ``PORTAL_LOGIN_ACCOUNT_COOLOFF_MINUTES``,
  unknown clients are refused for that long, even with the right password.
- A **known browser** (a valid mark for the account) is not refused by that limit, nor by
  axes' per-address lock, so nobody can lock the owner out of their own computer. Its
  failures are counted per mark instead: after ``AXES_FAILURE_LIMIT`` of them the mark is
  no longer honoured for ``AXES_COOLOFF_MINUTES`` (a stolen cookie buys a few guesses, not
  endless ones), and the browser is an unknown client again.

Failures are counted per name typed, whether or not an account has it, so the limit tells
nobody which accounts exist. Counts live in the default cache (Redis); while Redis is down
this limit is not enforced, and axes' lock (in the database) still is.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

from audit.models import AuditAction
from audit.services import record

COOKIE_NAME = "portal_device"
_SALT = "users.guessing.device"
# Marks kept in one browser: the last few people to log in on a shared office computer.
MAX_MARKS = 10
# Set on the request when this limit refused the attempt (read by the forms and the API).
REFUSED_ATTRIBUTE = "portal_guessing_refused"
_LOGGED_IN_ATTRIBUTE = "_portal_device_login"


def _account(username: str) -> str:
    """The account as counted: the name typed, NFC and case-folded, hashed to a fixed size."""
    folded = unicodedata.normalize("NFC", str(username)).casefold()
    return hashlib.sha256(folded.encode()).hexdigest()[:32]


def _account_limit() -> int:
    return int(settings.PORTAL_LOGIN_ACCOUNT_FAILURE_LIMIT)


def _account_cooloff() -> int:
    return int(settings.PORTAL_LOGIN_ACCOUNT_COOLOFF_MINUTES) * 60


def _device_limit() -> int:
    return int(settings.AXES_FAILURE_LIMIT)


def _device_cooloff() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def count(key: str, window: int) -> int:
    """Add one to a counter that lives ``window`` seconds from its first count."""
    cache.add(key, 0, timeout=window)
    try:
        return int(cache.incr(key))
    except ValueError:
        # The key expired in between, or the cache is down: this failure goes uncounted.
        return 0


def _marks(request: HttpRequest) -> list[dict[str, str]]:
    """The device marks the browser carries, if the cookie is genuine and not too old."""
    value = request.COOKIES.get(COOKIE_NAME)
    if not value:
        return []
    try:
        marks = signing.loads(
            value, salt=_SALT, max_age=int(settings.PORTAL_DEVICE_COOKIE_DAYS) * 86400
        )
    except signing.BadSignature:
        return []
    if not isinstance(marks, list):
        return []
    return [
        mark
        for mark in marks
        if isinstance(mark, dict) and isinstance(mark.get("a"), str) and mark.get("n")
    ]


def known_nonce(request: HttpRequest | None, username: str) -> str | None:
    """The nonce of this browser's mark for ``username``, if it holds one still honoured."""
    if request is None or not username:
        return None
    account = _account(username)
    for mark in _marks(request):
        if mark["a"] == account:
            nonce = str(mark["n"])
            if (cache.get(f"guessing:device:{nonce}") or 0) >= _device_limit():
                return None
            return nonce
    return None


def is_known_browser(request: HttpRequest | None, credentials: dict[str, Any] | None) -> bool:
    """axes' ``AXES_WHITELIST_CALLABLE``: a known browser is limited by its mark instead."""
    username = str((credentials or {}).get("username") or "")
    return known_nonce(request, username) is not None


def account_paused(username: str) -> bool:
    """Whether unknown clients are refused for this account now."""
    return (cache.get(f"guessing:account:{_account(username)}") or 0) >= _account_limit()


def refused(request: HttpRequest | None) -> bool:
    """Whether this limit refused the login attempt made with ``request``."""
    return bool(getattr(request, REFUSED_ATTRIBUTE, False))


def refused_message() -> str:
    return gettext(
        "Too many wrong passwords were tried for this account from browsers it has not been "
        "used on. To protect it, logins from new browsers are paused for up to %(minutes)d "
        "minutes. Log in from a browser you have used before, or try again later."
    ) % {"minutes": int(settings.PORTAL_LOGIN_ACCOUNT_COOLOFF_MINUTES)}


def _account_failed(request: HttpRequest, username: str) -> None:
    key = f"guessing:account:{_account(username)}"
    failures = count(key, _account_cooloff())
    if failures == _account_limit():
        # The pause lasts the whole cool-off from the failure that started it.
        cache.touch(key, _account_cooloff())
        record(
            action=AuditAction.LOCKOUT,
            anonymous=True,
            username=username,
            request=request,
            note=gettext(
                "Too many failures for this account from unknown browsers: they are refused "
                "for %(minutes)d minutes; known browsers are not."
            )
            % {"minutes": int(settings.PORTAL_LOGIN_ACCOUNT_COOLOFF_MINUTES)},
        )


def _device_failed(request: HttpRequest, username: str, nonce: str) -> None:
    failures = count(f"guessing:device:{nonce}", _device_cooloff())
    if failures == _device_limit():
        record(
            action=AuditAction.LOCKOUT,
            anonymous=True,
            username=username,
            request=request,
            note=gettext("Too many failures from a known browser: its mark is not honoured."),
        )


class GuessingLimitBackend(ModelBackend):
    """Django's model backend behind the per-account limit on guessing.

    It comes after axes' backend (which refuses a locked-out address first) in
    ``AUTHENTICATION_BACKENDS``; refusing raises ``PermissionDenied``, which ends Django's
    ``authenticate()`` with ``None`` and a ``user_login_failed`` signal, as axes does.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if request is None or username is None:
            return super().authenticate(request, username, password, **kwargs)
        nonce = known_nonce(request, username)
        if nonce is None and account_paused(username):
            setattr(request, REFUSED_ATTRIBUTE, True)
            raise PermissionDenied
        user = super().authenticate(request, username, password, **kwargs)
        if user is None:
            if nonce is not None:
                _device_failed(request, username, nonce)
            else:
                _account_failed(request, username)
        return user


@receiver(user_logged_in, dispatch_uid="users.guessing.mark_login")
def _remember_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None:
        setattr(request, _LOGGED_IN_ATTRIBUTE, user.get_username())


class DeviceCookieMiddleware:
    """After a successful login, give the browser a fresh mark for the account."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        username = getattr(request, _LOGGED_IN_ATTRIBUTE, None)
        if username:
            account = _account(username)
            # A new nonce at each login; the marks of the browser's other users are kept.
            marks = [mark for mark in _marks(request) if mark["a"] != account]
            marks.append({"a": account, "n": secrets.token_urlsafe(16)})
            response.set_cookie(
                COOKIE_NAME,
                signing.dumps(marks[-MAX_MARKS:], salt=_SALT, compress=True),
                max_age=int(settings.PORTAL_DEVICE_COOKIE_DAYS) * 86400,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
