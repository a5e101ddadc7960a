"""API routes of incidents (under /api/v1/incidents/)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from incidents.api import IncidentViewSet, PublicReportView
from incidents.api_findings import FindingViewSet

router = SimpleRouter()
router.register("findings", FindingViewSet, basename="finding")
router.register("", IncidentViewSet, basename="incident")

urlpatterns: list[URLPattern | URLResolver] = [
    path("report/", PublicReportView.as_view(), name="incident-public-report"),
    *router.urls,
]
