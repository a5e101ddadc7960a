"""API routes for contact persons and posting rules (under ``/api/v1/registry/``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from accounts_registry.api_bodies import (
    ContactPersonViewSet,
    PostingRulesViewSet,
    SpokespersonViewSet,
)

router = SimpleRouter()
router.register("contacts", ContactPersonViewSet, basename="registry-contact")
router.register("spokespersons", SpokespersonViewSet, basename="registry-spokesperson")
router.register("posting-rules", PostingRulesViewSet, basename="registry-posting-rules")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
