"""REST API of the reports app, under ``/api/v1/reports/``."""

from __future__ import annotations

from django.urls import include, path

urlpatterns: list = [
    path("", include("reports.exports.api_urls")),
]
