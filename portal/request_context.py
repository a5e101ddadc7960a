"""The request being served, at hand for code that is not given it.

The audit trail's receivers on the workflows' step models know who acted but not from
where, and a log line does not know whose request it belongs to: ``current_request`` holds
the request (its address and browser) in a context variable for the length of the request,
set by ``audit.middleware.AuditContextMiddleware``. It is None outside a request (a Celery
task, a management command).
"""

from __future__ import annotations

from contextvars import ContextVar

from django.http import HttpRequest

current_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)
