"""The REST API, version 1."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from accounts_registry.api_units import BodyViewSet, UnitViewSet
from users.api import ApiTokenDetailView, ApiTokenListView, MeView, ObtainTokenView

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("bodies", BodyViewSet, basename="body")

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("auth/tokens/", ApiTokenListView.as_view(), name="api-tokens"),
    path("auth/tokens/<uuid:pk>/", ApiTokenDetailView.as_view(), name="api-token-detail"),
    path("registry/", include("accounts_registry.api_pages_urls")),
    path("registry/", include("accounts_registry.api_bodies_urls")),
    path("public/", include("accounts_registry.api_public_urls")),
    path("legal/", include("legal.api_urls")),
    path("incidents/", include("incidents.api_urls")),
    path("directives/", include("directives.api_urls")),
    path("reports/", include("reports.api_urls")),
    *router.urls,
]
