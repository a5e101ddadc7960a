"""Refuse an oversized request body before anything parses it, with a clear 413.

Django reads a body only when a view (or the CSRF check) asks for ``request.POST``, and then
caps only the non-file part of it (``DATA_UPLOAD_MAX_MEMORY_SIZE``); a file part goes to disk
whatever its size. ``RequestSizeMiddleware`` looks at the declared ``Content-Length`` first and
answers 413 at once when it is over the limit of the request's kind:

- an **upload** (``multipart/form-data``, the only encoding that carries files) may be as
  large as the largest form the portal accepts: a directive's ``MAX_FILES`` attachments of
  ``PORTAL_ATTACHMENT_MAX_BYTES`` each, or one posting-rules file, evidence screenshot or bulk
  template, whichever is largest, plus ``DATA_UPLOAD_MAX_MEMORY_SIZE`` for the form's fields;
  the upload validators then check each file against its own limit;
- **anything else** (forms, JSON) may be ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB) at most.

A chunked body declares no length: it is read, up to the limit and not one byte more, before
the view runs, and refused as soon as it goes over. Pages get the site's layout in the
visitor's language, the API a JSON ``{"detail": …}``. The reverse proxy should refuse sooner
still (``client_max_body_size`` for nginx, see docs/operations.md).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from portal.middleware import API_PATH_PREFIX

# Django's own default for DATA_UPLOAD_MAX_MEMORY_SIZE, when the setting is None.
DEFAULT_DATA_LIMIT = 2_621_440
READ_CHUNK = 64 * 1024


def data_limit() -> int:
    """The largest body of a request that carries no file."""
    value = getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", DEFAULT_DATA_LIMIT)
    return int(value) if value is not None else DEFAULT_DATA_LIMIT


def upload_limit() -> int:
    """The largest ``multipart/form-data`` body: the largest form of files, plus its fields."""
    from accounts_registry import bulk
    from accounts_registry.files import max_rules_bytes
    from directives.files import MAX_FILES, max_attachment_bytes
    from incidents.files import max_evidence_bytes

    largest = max(
        max_attachment_bytes() * MAX_FILES,
        max_rules_bytes(),
        max_evidence_bytes(),
        bulk.MAX_UPLOAD_BYTES,
    )
    return largest + data_limit()


def is_upload(request: HttpRequest) -> bool:
    content_type: str = request.META.get("CONTENT_TYPE", "")
    return content_type.lower().startswith("multipart/form-data")


def limit_for(request: HttpRequest) -> int:
    return upload_limit() if is_upload(request) else data_limit()


def declared_length(request: HttpRequest) -> int | None:
    raw = request.META.get("CONTENT_LENGTH") or ""
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


def is_chunked(request: HttpRequest) -> bool:
    return "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()


class RequestSizeMiddleware:
    """Answer 413 before parsing when a body is over the limit of its kind."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = limit_for(request)
        length = declared_length(request)
        if length is not None and length > limit:
            return refuse(request, limit)
        if length is None and is_chunked(request):
            body = self._read_chunked(request, limit)
            if body is None:
                return refuse(request, limit)
            # From here on the body is an ordinary one of known length.
            request.META["CONTENT_LENGTH"] = str(len(body))
            request._stream = LimitedStream(io.BytesIO(body), len(body))  # type: ignore[assignment]
        return self.get_response(request)

    @staticmethod
    def _read_chunked(request: HttpRequest, limit: int) -> bytes | None:
        """The whole chunked body, or None as soon as it passes ``limit``."""
        stream = request.META.get("wsgi.input")
        if stream is None:
            return b""
        parts: list[bytes] = []
        total = 0
        while True:
            piece = stream.read(min(READ_CHUNK, limit + 1 - total))
            if not piece:
                return b"".join(parts)
            parts.append(piece)
            total += len(piece)
            if total > limit:
                return None


def refuse(request: HttpRequest, limit: int) -> HttpResponse:
    """413 with a sentence that says what the limit is, as JSON for the API."""
    problem = _("The request is too large: the limit for this kind of request is %(limit)s.") % {
        "limit": filesizeformat(limit)
    }
    if request.path_info.startswith(API_PATH_PREFIX):
        response = HttpResponse(
            json.dumps({"detail": problem}, ensure_ascii=False),
            status=413,
            content_type="application/json",
        )
    else:
        html = render_to_string("413.html", {"problem": problem}, request=request)
        response = HttpResponse(html, status=413)
    return response
