"""Top-level URLs: the portal's pages, the REST API and its schema, the admin."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal import views
from users import views_otp

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("users.urls")),
    path("units/", include("accounts_registry.urls_units")),
    path("legal/", include("legal.urls")),
    path("incidents/", include("incidents.urls")),
    path("notifications/", include("notifications.urls")),
    path("directives/", include("directives.urls")),
    path("reports/", include("reports.urls")),
    path("registry/", include("accounts_registry.urls")),
    path("", include(("accounts_registry.urls_public", "public"), namespace="public")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include("portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file of its own (?script=), so
    # the page runs under the Content-Security-Policy without 'unsafe-inline'.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="portal/api_docs.html"
        ),
        name="api-docs",
    ),
    # The admin's own login form would skip the second factor: the portal's login is used.
    path("admin/login/", views_otp.admin_login, name="admin_login_redirect"),
    path("admin/", admin.site.urls),
]
