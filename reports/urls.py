"""Pages of the reports app (namespace ``reports``)."""

from __future__ import annotations

from django.urls import include, path

app_name = "reports"

urlpatterns: list = [
    path("", include("reports.dashboard_urls")),
    path("", include("reports.exports.urls")),
]
