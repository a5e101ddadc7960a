"""API routes of directives (under /api/v1/directives/)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from directives.api import DirectiveViewSet, ReceiptViewSet

router = SimpleRouter()
# Receipts first: "receipts/" must not be read as a directive's id (ids are digits anyway).
router.register("receipts", ReceiptViewSet, basename="directive-receipt")
router.register("", DirectiveViewSet, basename="directive")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
