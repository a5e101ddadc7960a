"""Files: attachments, and the letter as DOCX and PDF."""

from __future__ import annotations

import re
import unicodedata

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.views.decorators.http import require_GET

from directives import selectors
from directives.files import CONTENT_TYPES
from directives.models import (
    Directive,
)
from users.requests import AuthenticatedHttpRequest

# --- Files -----------------------------------------------------------------------------------


@login_required
@require_GET
def attachment_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """A file of a directive or report, to those who may read it (media is not served)."""
    attachment = selectors.get_attachment_or_404(request.user, pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_filename,
        content_type=CONTENT_TYPES.get(attachment.kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def paper_scan_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """The scan of a letter on paper, to those who may read a letter citing it."""
    paper = selectors.get_paper_scan_or_404(request.user, pk)
    response = FileResponse(
        paper.scan.open("rb"),
        as_attachment=True,
        filename=paper.scan_filename,
        content_type=CONTENT_TYPES.get(paper.scan_kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def letter_filename(directive: Directive, extension: str) -> str:
    """``CV-1067-UBND-VHTT.docx``: ASCII, so every mail client and file system keeps it."""
    parts = ["CV", directive.number or "du-thao", directive.symbol]
    text = "-".join(part for part in parts if part).replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-") + extension


def _rendered(request: AuthenticatedHttpRequest, pk: int) -> Directive:
    directive = selectors.get_directive_or_404(request.user, pk)
    if not directive.is_issued and not selectors.can_manage(request.user, directive):
        raise Http404
    return directive


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    # The name is ASCII (``letter_filename``): no encoding is needed.
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def directive_docx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The letter as a Word file in the layout of Decree 30/2020/NĐ-CP."""
    directive = _rendered(request, pk)
    from directives import rendering  # written alongside; imported when first needed

    return _download(
        rendering.render_docx(directive),
        letter_filename(directive, ".docx"),
        CONTENT_TYPES["docx"],
    )


@login_required
@require_GET
def directive_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The letter as a PDF in the layout of Decree 30/2020/NĐ-CP."""
    directive = _rendered(request, pk)
    from directives import rendering

    return _download(
        rendering.render_pdf(directive),
        letter_filename(directive, ".pdf"),
        CONTENT_TYPES["pdf"],
    )
