"""Bulk registration and exports, under ``/registry/bulk/`` (namespace ``registry``)."""

from __future__ import annotations

from django.urls import path

from accounts_registry import views_bulk

urlpatterns = [
    path("template.xlsx", views_bulk.template_download, name="bulk_template"),
    path("import/", views_bulk.bulk_upload, name="bulk_upload"),
    path("import/preview/", views_bulk.bulk_preview, name="bulk_preview"),
    path("import/commit/", views_bulk.bulk_commit, name="bulk_commit"),
    path("export.xlsx", views_bulk.export_xlsx, name="pages_export_xlsx"),
    path("export.csv", views_bulk.export_csv, name="pages_export_csv"),
]
