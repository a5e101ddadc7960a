"""Holding users who must have a second factor to enrolment or the code step."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from users import otp

# What a held user may still reach: these pages, logging out, the language switch and the
# static files the pages need.
_OPEN_URL_NAMES = ("login_otp", "otp_setup", "logout", "set_language", "javascript-catalog")


class SecondFactorMiddleware:
    """With ``PORTAL_OTP_REQUIRED`` on, a user whose role requires a second factor (and any
    user on the admin site) whose session has not passed it is sent to the code step if they
    have an authenticator, to enrolment if not; the API answers 403 instead.

    It costs nothing for anonymous requests and verified sessions; for other signed-in users
    it reads their roles, which the page's own scope reuses (``scope.grants_for``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open_paths: tuple[str, ...] | None = None
        self._admin_prefix = "/admin/"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self._hold(request) or self.get_response(request)

    def _hold(self, request: HttpRequest) -> HttpResponse | None:
        if not settings.PORTAL_OTP_REQUIRED:
            return None
        user = request.user
        if not user.is_authenticated or otp.session_verified(user):
            return None
        path = request.path_info
        if self._is_open(path):
            return None
        admin_site = path.startswith(self._admin_prefix)
        if not (admin_site or otp.required_for(user)):
            return None
        if path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": _(
                        "This session has not passed two-step verification: log in on the portal "
                        "with your authenticator app, or use an API token."
                    )
                },
                status=403,
            )
        target = reverse("login_otp" if otp.is_enrolled(user) else "otp_setup")
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")

    def _is_open(self, path: str) -> bool:
        if self._open_paths is None:
            self._open_paths = tuple(reverse(name) for name in _OPEN_URL_NAMES)
            self._admin_prefix = reverse("admin:index")
        static = "/" + settings.STATIC_URL.lstrip("/")
        return path in self._open_paths or path.startswith(static)
