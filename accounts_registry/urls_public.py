"""Public pages at the site root, no login (namespace ``public``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from accounts_registry import autocomplete, views_public

urlpatterns: list[URLPattern | URLResolver] = [
    path("verify/", views_public.verify, name="verify"),
    path("directory/", views_public.directory, name="directory"),
    # The public fake-page form's body search (no login, rate limited per address).
    path("directory/bodies/", autocomplete.public, name="autocomplete_bodies"),
]
