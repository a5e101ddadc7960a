"""Keep the current request at hand for the audit trail's receivers.

Approvals are recorded by receivers on the workflow's step models (each app's
``audit_trail`` module), which know who acted but not from where: the request (its address
and browser) is kept in ``portal.request_context.current_request`` for the length of the
request, so the services need no extra argument.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from portal.request_context import current_request


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
