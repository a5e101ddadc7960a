"""The REST API, version 1."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import DefaultRouter

from units.api import BodyViewSet, UnitViewSet
from users.api import MeView, ObtainTokenView

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("bodies", BodyViewSet, basename="body")

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    *router.urls,
]
