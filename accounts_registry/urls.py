"""The registry's pages for logged-in users (pages, contacts, posting rules)."""

from __future__ import annotations

from django.urls import include, path

app_name = "registry"
urlpatterns = [
    path("pages/", include("accounts_registry.urls_pages")),
    path("bodies/", include("accounts_registry.urls_bodies")),
    path("bulk/", include("accounts_registry.urls_bulk")),
]
