"""Middleware of the portal as a whole."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class VietnameseFirstMiddleware:
    """Ignore the browser's Accept-Language: the portal is in Vietnamese unless the user
    chose English with the language switch.

    Many officers' browsers (and most headless ones) announce English; without this, the
    portal would greet a commune officer in English she never asked for. The explicit
    choice is kept in the language cookie set by Django's ``set_language`` view.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
