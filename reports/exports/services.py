"""Export jobs: ask for an export, build it (inline or in Celery), name its file.

``export_request`` never checks scope: the caller has fetched the report through
``reports.selectors.get_report_or_404`` first. A finished export of an unchanged report
(same ``built_at`` and state, not edited since) is reused; a small report is built in the request, a large
one by the Celery task ``reports.build_export`` queued on commit.

``run_export`` claims the job with a conditional ``UPDATE`` (queued, running or failed →
running; a done job is skipped, a job left running by a dead worker runs again), writes the
file under a temporary name next to its final place and renames it only when complete: no
reader ever sees half a file, and a failure leaves none.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from portal.text import fold
from reports.models import ExportFormat, ExportJob, ExportState, UnitReport

logger = logging.getLogger(__name__)

EXTENSIONS = {
    ExportFormat.XLSX: "xlsx",
    ExportFormat.DOCX: "docx",
    ExportFormat.PDF: "pdf",
    ExportFormat.CSV: "zip",
}
CONTENT_TYPES = {
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ExportFormat.PDF: "application/pdf",
    ExportFormat.CSV: "application/zip",
}
# Jobs that an identical request may wait for or reuse; a failed one is asked again.
_REUSABLE = (ExportState.QUEUED, ExportState.RUNNING, ExportState.DONE)


def writer_for(fmt: str) -> Callable[[UnitReport, IO[bytes]], None]:
    """The function that writes ``fmt``; imported late, the PDF engine is heavy."""
    if fmt == ExportFormat.XLSX:
        from reports.exports.xlsx import write_xlsx

        return write_xlsx
    if fmt == ExportFormat.CSV:
        from reports.exports.tabular import write_csv_zip

        return write_csv_zip
    from reports.exports import documents

    if fmt == ExportFormat.DOCX:
        return documents.write_docx
    if fmt == ExportFormat.PDF:
        return documents.write_pdf
    raise ValueError(f"Unknown export format: {fmt!r}")


def row_count(report: UnitReport) -> int:
    """The rows an export of ``report`` holds, from its totals (no query).

    The totals count what the export walks: the bodies (own and accepted children's), their
    live pages, and the units below (reporting or missing).
    """
    totals = report.totals or {}
    keys = ("bodies", "pages_registered", "units_reporting", "units_missing")
    return sum(int(totals.get(key) or 0) for key in keys)


def _enqueue(job_id: int) -> None:
    from reports.exports.tasks import build_export_task

    build_export_task.delay(job_id)


def export_request(*, report: UnitReport, fmt: str, user: Any) -> ExportJob:
    """The export of ``report`` in ``fmt``: reused, built now, or queued when large."""
    fmt = ExportFormat(fmt)
    same = ExportJob.objects.filter(
        report=report,
        fmt=fmt,
        report_built_at=report.built_at,
        report_state=report.state,
        # Declarations and narrative change without a rebuild: only a job asked after the
        # report's last change shows what it says now.
        created_at__gte=report.updated_at,
        state__in=_REUSABLE,
    ).order_by("-created_at", "-pk")
    found = same.first()
    # A finished file lost from the storage (a restored server, a cleaned disk) is made again.
    if found is not None and (
        found.state != ExportState.DONE or default_storage.exists(found.file.name)
    ):
        return found
    job = ExportJob.objects.create(
        report=report,
        fmt=fmt,
        report_built_at=report.built_at,
        report_state=report.state,
        requested_by=user if getattr(user, "is_authenticated", False) else None,
    )
    if row_count(report) <= settings.PORTAL_EXPORT_SYNC_MAX_ROWS:
        run_export(job.pk)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def file_name(job: ExportJob) -> str:
    """Where the job's file lives in the storage (one file per job, never overwritten)."""
    created = timezone.localtime(job.created_at)
    return f"exports/{created:%Y/%m}/{job.report_id}-{job.pk}.{EXTENSIONS[ExportFormat(job.fmt)]}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def download_name(job: ExportJob) -> tuple[str, str]:
    """(ASCII name, UTF-8 name): ``bao-cao-huyen-cam-thuy-quy-3-2026.xlsx`` and its accents."""
    report = job.report
    unit = report.unit_name or str(report.unit_id)
    period = report.period.label
    extension = EXTENSIONS[ExportFormat(job.fmt)]
    ascii_name = f"bao-cao-{_slug(unit)}-{_slug(period)}.{extension}"
    readable = unicodedata.normalize("NFC", f"Báo cáo {unit} {period}".replace("/", "-"))
    return ascii_name, f"{readable}.{extension}"


def content_disposition(job: ExportJob) -> str:
    """An attachment with an ASCII name and its UTF-8 form (RFC 6266 / RFC 5987)."""
    ascii_name, readable = download_name(job)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(readable, safe='')}"


def run_export(job_id: int) -> str:
    """Build the file of a queued export (the Celery task's body); a done job is skipped."""
    claimed = ExportJob.objects.filter(
        pk=job_id, state__in=[ExportState.QUEUED, ExportState.RUNNING, ExportState.FAILED]
    ).update(state=ExportState.RUNNING, started_at=timezone.now(), finished_at=None, error="")
    if not claimed:
        return "skipped"
    job = ExportJob.objects.select_related("report__unit__level", "report__period").get(pk=job_id)
    name = file_name(job)
    final = Path(default_storage.path(name))
    final.parent.mkdir(parents=True, exist_ok=True)
    # Same directory, so the rename is atomic; the dot hides it from a careless listing.
    partial = final.with_name(f".{final.name}.{uuid.uuid4().hex}.part")
    try:
        with partial.open("wb") as out:
            writer_for(job.fmt)(job.report, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, final)
    except Exception as exc:
        logger.exception("Export %s failed", job_id)
        partial.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job_id).update(
            state=ExportState.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        return "failed"
    ExportJob.objects.filter(pk=job_id).update(
        state=ExportState.DONE, file=name, size=final.stat().st_size, finished_at=timezone.now()
    )
    return "done"
