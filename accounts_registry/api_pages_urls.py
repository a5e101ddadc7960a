"""API routes of the official pages and platforms (under /api/v1/registry/)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from accounts_registry.api_pages import PageViewSet, PlatformViewSet

router = SimpleRouter()
router.register("pages", PageViewSet, basename="registry-page")
router.register("platforms", PlatformViewSet, basename="registry-platform")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
