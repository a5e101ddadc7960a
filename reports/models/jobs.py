"""Work done for a report in the background: the build of a period, an export of a report."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reports.models.periods import ReportingPeriod
from reports.models.unit_reports import UnitReport


class BuildState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class BuildRun(models.Model):
    """One run of the build of a period's reports, with its progress for the UI to poll."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="build_runs")
    state = models.CharField(
        _("state"), max_length=10, choices=BuildState.choices, default=BuildState.QUEUED
    )
    refresh = models.BooleanField(_("refresh existing drafts"), default=True)
    total = models.PositiveIntegerField(_("units to build"), default=0)
    done = models.PositiveIntegerField(_("units built"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("build run")
        verbose_name_plural = _("build runs")

    def __str__(self) -> str:
        return f"{self.period}: {self.get_state_display()} ({self.done}/{self.total})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", "XLSX"
    DOCX = "docx", "DOCX"
    PDF = "pdf", "PDF"
    CSV = "csv", _("CSV (ZIP of the tables)")


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """One export of one report in one format, built by Celery when it is large.

    The file is written under a temporary name and moved into place only when complete, so a
    worker killed half-way leaves no half-written file; a retry builds it again from the
    report's frozen rows and gives the same content.
    """

    report = models.ForeignKey(UnitReport, on_delete=models.PROTECT, related_name="exports")
    fmt = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=ExportState.choices, default=ExportState.QUEUED
    )
    # The report's state and snapshot time when asked: a later export of a changed draft is a
    # new job, an unchanged report reuses the finished file.
    report_built_at = models.DateTimeField(_("report built at"), null=True, blank=True)
    report_state = models.CharField(_("report state"), max_length=12, blank=True)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True, max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["report", "fmt", "state"], name="export_report_fmt_state")]

    def __str__(self) -> str:
        return f"{self.report}: {self.fmt} ({self.get_state_display()})"
