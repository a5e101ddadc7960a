"""API routes of the exports, under ``/api/v1/reports/`` (before the reports router)."""

from __future__ import annotations

from django.urls import URLPattern, path

from reports.exports import api

urlpatterns: list[URLPattern] = [
    path(
        "<int:report_id>/exports/",
        api.ReportExportCreateView.as_view(),
        name="api-report-exports",
    ),
    path("exports/<int:export_id>/", api.ExportDetailView.as_view(), name="api-report-export"),
    path(
        "exports/<int:export_id>/download/",
        api.ExportDownloadView.as_view(),
        name="api-report-export-download",
    ),
]
