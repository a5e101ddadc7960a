"""Sessions on shared office computers: an idle timeout beside the absolute one, no caching.

Many commune offices share one computer. A session therefore ends

- **when idle**: ``SESSION_IDLE_TIMEOUT_MINUTES`` (30 by default) without a request, and
- **when old**: ``SESSION_COOKIE_AGE`` after the login, however active it was (the start is
  stored in the session at login and never moved; Django's own expiry date moves forward
  whenever the session is saved, so it cannot enforce this alone).

On either expiry the user is logged out and a page request is sent to the login page with a
Vietnamese message (an API call simply goes on as anonymous, which the API refuses).

``NoStoreMiddleware`` marks every answer to a logged-in user, and every API answer to a
request that carries credentials, ``Cache-Control: private, no-store``: neither the browser
(its back button, its disk cache on a shared computer) nor a proxy may keep it. Public pages
for anonymous visitors keep whatever caching they had.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

from portal.middleware import API_PATH_PREFIX

# Keys in the session: when it was opened by a login, and when the user was last seen.
STARTED_KEY = "_portal_session_started"
SEEN_KEY = "_portal_session_seen"
# The last-seen time is written at most this often, so that a busy user's session is not
# saved (an UPDATE) on every request.
SEEN_RESOLUTION_SECONDS = 60

NO_STORE = "private, no-store"


def idle_timeout_seconds() -> int:
    return int(getattr(settings, "SESSION_IDLE_TIMEOUT_MINUTES", 30)) * 60


@receiver(user_logged_in, dispatch_uid="portal.sessions.mark_start")
def mark_start(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A login opens a new session period, even when the session key is kept."""
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[STARTED_KEY] = now
    request.session[SEEN_KEY] = now


def expiry_reason(session: Any, now: int) -> str | None:
    """Why this logged-in session must end now ("idle" or "age"), or None."""
    started = session.get(STARTED_KEY)
    seen = session.get(SEEN_KEY)
    if not isinstance(started, int) or not isinstance(seen, int):
        return None
    if now - started > int(settings.SESSION_COOKIE_AGE):
        return "age"
    if now - seen > idle_timeout_seconds():
        return "idle"
    return None


class SessionTimeoutMiddleware:
    """End a logged-in session that has been idle too long or has lived too long."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            reason = expiry_reason(session, now)
            if reason is not None:
                return self._expire(request, reason)
            if not isinstance(session.get(STARTED_KEY), int):
                # A session opened before this rule existed (or by a path that sent no
                # login signal): its period starts now.
                session[STARTED_KEY] = now
                session[SEEN_KEY] = now
            elif now - int(session[SEEN_KEY]) >= SEEN_RESOLUTION_SECONDS:
                session[SEEN_KEY] = now
        return self.get_response(request)

    def _expire(self, request: HttpRequest, reason: str) -> HttpResponse:
        logout(request)
        if request.path_info.startswith(API_PATH_PREFIX):
            # The API answers as to an anonymous caller: 401/403 from its own permissions.
            return self.get_response(request)
        if reason == "idle":
            text = _(
                "You were logged out after %(minutes)d minutes without activity. "
                "Log in again to continue."
            ) % {"minutes": idle_timeout_seconds() // 60}
        else:
            text = _(
                "Your session reached its maximum length of %(hours)s hours and was ended. "
                "Log in again to continue."
            ) % {"hours": f"{int(settings.SESSION_COOKIE_AGE) / 3600:g}"}
        messages.warning(request, text)
        login_url = resolve_url(settings.LOGIN_URL)
        target = request.get_full_path() if request.method == "GET" else ""
        query = f"?{urlencode({'next': target})}" if target else ""
        response = HttpResponseRedirect(login_url + query)
        response.headers["Cache-Control"] = NO_STORE
        return response


def carries_credentials(request: HttpRequest) -> bool:
    """Whether the request is made as someone: a logged-in session or an API credential."""
    if "HTTP_AUTHORIZATION" in request.META:
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class NoStoreMiddleware:
    """``Cache-Control: private, no-store`` on every answer made for someone in particular."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Read after the view: a login sets the user, a logout clears it; an API view
        # authenticated by token sets request.user only on DRF's request, hence the header.
        if carries_credentials(request):
            response.headers["Cache-Control"] = NO_STORE
            response.headers.pop("Expires", None)
        return response
