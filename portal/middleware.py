"""Middleware of the portal as a whole."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Under this prefix the callers are programs (the province's tools, scripts): they ask for a
# language on purpose, so their Accept-Language is honoured.
API_PATH_PREFIX = "/api/"


class VietnameseFirstMiddleware:
    """Ignore the browser's Accept-Language on pages: the portal is in Vietnamese unless the
    user chose English with the language switch.

    Many officers' browsers (and most headless ones) announce English; without this, the
    portal would greet a commune officer in English she never asked for. The explicit
    choice is kept in the language cookie set by Django's ``set_language`` view.

    The API (``/api/``) is the exception: a script sends ``Accept-Language: en`` because it
    wants English answers, and docs/api.md promises them. Without the header the API answers
    in Vietnamese too; a language cookie, where a browser has one, still wins.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PATH_PREFIX):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
