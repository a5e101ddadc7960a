"""REST API of the reports app, under ``/api/v1/reports/``."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from reports.api import BuildRunViewSet, PeriodViewSet, ReportViewSet
from reports.api_reviews import FakePageReviewViewSet

router = SimpleRouter()
# Periods, builds and fake-page reviews before the reports: every id is digits (``lookup_value_regex``), so
# neither "periods/" nor the exports' "exports/" is ever read as a report's id.
router.register("periods", PeriodViewSet, basename="report-period")
router.register("builds", BuildRunViewSet, basename="report-build")
router.register("fake-page-reviews", FakePageReviewViewSet, basename="fake-page-review")
router.register("", ReportViewSet, basename="report")

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("reports.exports.api_urls")),
    *router.urls,
]
