"""The REST API, version 1."""

from __future__ import annotations

from rest_framework.routers import DefaultRouter

from units.api import BodyViewSet, UnitViewSet

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("bodies", BodyViewSet, basename="body")

urlpatterns = router.urls
