"""Bulk registration from an XLSX template, and the page list exported as XLSX or CSV.

The upload is kept between the preview and the commit under ``MEDIA_ROOT/bulk/`` with a
random name recorded in the uploader's session only: nobody else can commit (or read) it,
and the name is never taken from the request. The commit re-validates everything.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts_registry import bulk, exports
from accounts_registry.views_pages import filtered_pages
from audit.services import record_export
from users.requests import AuthenticatedHttpRequest

_SESSION_KEY = "registry_bulk_upload"
# An upload waits this long for its commit; a preview left open over a day is re-uploaded.
UPLOAD_MAX_AGE_SECONDS = 24 * 60 * 60
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "bulk"


def _stored_upload(request: HttpRequest) -> Path | None:
    """The file this user uploaded for the pending import, if any is still there."""
    name = request.session.get(_SESSION_KEY)
    if not name:
        return None
    try:
        # Only a UUID we generated can name the file: no path from the request is trusted.
        path = _upload_dir() / f"{uuid.UUID(str(name))}.xlsx"
    except ValueError:
        return None
    return path if path.is_file() else None


def _purge_stale_uploads() -> None:
    """Delete uploads never committed (abandoned previews, expired sessions)."""
    cutoff = time.time() - UPLOAD_MAX_AGE_SECONDS
    for path in _upload_dir().glob("*.xlsx"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            continue  # another request removed it first


def _forget_upload(request: HttpRequest) -> None:
    path = _stored_upload(request)
    if path is not None:
        path.unlink(missing_ok=True)
    request.session.pop(_SESSION_KEY, None)


def _require_editor(request: AuthenticatedHttpRequest) -> None:
    if not bulk.editable_bodies(request.user).exists():
        raise Http404


@login_required
def template_download(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The XLSX template, with the bodies the user may register pages for."""
    _require_editor(request)
    response = HttpResponse(bulk.build_template(request.user), content_type=_XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-dang-ky-trang.xlsx"'
    return response


@login_required
def bulk_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a filled-in template; it is checked, never written, until the commit."""
    _require_editor(request)
    error: Any = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose the filled-in template to upload.")
        else:
            try:
                bulk.check_xlsx(upload, upload.size or 0)
            except ValidationError as exc:
                error = exc.messages[0]
            else:
                _forget_upload(request)
                name = uuid.uuid4()
                _upload_dir().mkdir(parents=True, exist_ok=True)
                _purge_stale_uploads()
                with (_upload_dir() / f"{name}.xlsx").open("wb") as out:
                    for piece in upload.chunks():
                        out.write(piece)
                request.session[_SESSION_KEY] = str(name)
                return redirect("registry:bulk_preview")
    return render(
        request,
        "accounts_registry/bulk/upload.html",
        {"error": error, "max_rows": bulk.MAX_ROWS},
        status=400 if error else 200,
    )


def _render_preview(request: HttpRequest, preview: bulk.Preview, status: int = 200) -> HttpResponse:
    return render(
        request,
        "accounts_registry/bulk/preview.html",
        {"preview": preview, "headers": bulk.HEADERS},
        status=status,
    )


@login_required
def bulk_preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every row of the upload: the bad ones with all their reasons, then the good ones."""
    _require_editor(request)
    path = _stored_upload(request)
    if path is None:
        messages.info(request, _("Upload the filled-in template first."))
        return redirect("registry:bulk_upload")
    try:
        preview = bulk.validate_workbook(path, request.user)
    except ValidationError as exc:
        _forget_upload(request)
        messages.error(request, exc.messages[0])
        return redirect("registry:bulk_upload")
    return _render_preview(request, preview)


@login_required
@require_POST
def bulk_commit(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Register every row, or none (re-checked now: the register may have changed)."""
    _require_editor(request)
    path = _stored_upload(request)
    if path is None:
        messages.info(request, _("Upload the filled-in template first."))
        return redirect("registry:bulk_upload")
    try:
        # One action: each reviewer is told once of all the pages it submits.
        submit = request.POST.get("submit_for_review") == "1"
        pages = bulk.import_workbook(path, request.user, submit=submit)
    except bulk.BulkError as refused:
        messages.error(request, _("Nothing was imported: correct the rows below and upload again."))
        return _render_preview(request, refused.preview, status=409)
    except ValidationError as exc:
        _forget_upload(request)
        messages.error(request, exc.messages[0])
        return redirect("registry:bulk_upload")
    _forget_upload(request)
    if submit:
        messages.success(
            request,
            ngettext(
                "%(count)d page was registered and submitted for review.",
                "%(count)d pages were registered and submitted for review.",
                len(pages),
            )
            % {"count": len(pages)},
        )
        return redirect("registry:page_list")
    messages.success(
        request,
        ngettext(
            "%(count)d page was registered as a draft. Submit it for review when ready.",
            "%(count)d pages were registered as drafts. Submit them for review when ready.",
            len(pages),
        )
        % {"count": len(pages)},
    )
    return redirect("registry:page_list")


def _filename(extension: str) -> str:
    return f"trang-mang-xa-hoi-{timezone.localdate():%Y%m%d}.{extension}"


@login_required
def export_xlsx(request: AuthenticatedHttpRequest) -> FileResponse:
    """The filtered page list as an Excel workbook."""
    out = exports.write_xlsx(filtered_pages(request)[1])
    # Contact persons' names and phones: a personal-data export, recorded (privacy/).
    record_export(request, "registry pages (XLSX, with contact persons)")
    return FileResponse(out, as_attachment=True, filename=_filename("xlsx"), content_type=_XLSX)


@login_required
def export_csv(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    """The filtered page list as CSV (UTF-8 with BOM), streamed."""
    record_export(request, "registry pages (CSV, with contact persons)")
    response = StreamingHttpResponse(
        exports.write_csv(filtered_pages(request)[1]), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response
