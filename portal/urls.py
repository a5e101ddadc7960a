"""Top-level URLs: the portal's pages, the REST API and its schema, the admin."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("users.urls")),
    path("units/", include("units.urls")),
    path("legal/", include("legal.urls")),
    path("incidents/", include("incidents.urls")),
    path("directives/", include("directives.urls")),
    path("reports/", include("reports.urls")),
    path("registry/", include("accounts_registry.urls")),
    path("", include(("accounts_registry.urls_public", "public"), namespace="public")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include("portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
