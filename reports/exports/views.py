"""Export pages: ask for an export, wait for it, download it.

Every view reaches the report through ``reports.selectors.get_report_or_404``: a report, or
an export of a report, outside the user's scope is a 404, never a file.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from reports import selectors
from reports.exports import services
from reports.models import ExportFormat, ExportJob, ExportState


def get_export_or_404(user: Any, pk: Any) -> ExportJob:
    """An export of a report ``user`` may see; anything else is a 404."""
    try:
        job = ExportJob.objects.get(pk=pk)
    except (ExportJob.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    job.report = selectors.get_report_or_404(user, job.report_id)
    return job


@login_required
@require_POST
def export(request: HttpRequest, report_id: int, fmt: str) -> HttpResponse:
    """Ask for an export: straight to the file when ready, else to the page that waits."""
    report = selectors.get_report_or_404(request.user, report_id)
    if fmt not in ExportFormat.values:
        raise Http404
    job = services.export_request(report=report, fmt=fmt, user=request.user)
    if job.state == ExportState.DONE:
        return redirect("reports:export_download", export_id=job.pk)
    return redirect("reports:export_status", export_id=job.pk)


def status_data(job: ExportJob) -> dict[str, Any]:
    """What the status page and its poller show."""
    done = job.state == ExportState.DONE
    return {
        "id": job.pk,
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "download_url": reverse("reports:export_download", args=[job.pk]) if done else None,
        "size": job.size,
    }


@login_required
@require_GET
def export_status(request: HttpRequest, export_id: int) -> HttpResponse:
    """The export being prepared; polled as JSON by static/js/export-status.js."""
    job = get_export_or_404(request.user, export_id)
    data = status_data(job)
    if request.GET.get("format") == "json":
        response = JsonResponse(data)
        response["Cache-Control"] = "private, no-store"
        return response
    return render(request, "reports/exports/status.html", {"job": job, "status": data})


@login_required
@require_GET
def export_download(request: HttpRequest, export_id: int) -> HttpResponseBase:
    """The finished file, as an attachment named after the unit and the period."""
    job = get_export_or_404(request.user, export_id)
    if job.state != ExportState.DONE or not job.file:
        return redirect("reports:export_status", export_id=job.pk)
    return file_response(job)


def file_response(job: ExportJob) -> FileResponse:
    """The job's file (shared with the API)."""
    try:
        handle = default_storage.open(job.file.name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=services.CONTENT_TYPES[ExportFormat(job.fmt)])
    response["Content-Disposition"] = services.content_disposition(job)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
