"""The dashboard's route; included by ``reports.urls`` (namespace ``reports``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from reports import dashboard_views

urlpatterns: list[URLPattern] = [
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
]
