"""Public pages at the site root, no login (namespace ``public``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from accounts_registry import views_public

urlpatterns: list[URLPattern | URLResolver] = [
    path("verify/", views_public.verify, name="verify"),
    path("directory/", views_public.directory, name="directory"),
]
