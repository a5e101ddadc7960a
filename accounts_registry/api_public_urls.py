"""The public API under /api/v1/public/: no authentication, rate limited."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from accounts_registry.api_public import PublicDirectoryView, PublicVerifyView

urlpatterns: list[URLPattern | URLResolver] = [
    path("verify", PublicVerifyView.as_view(), name="public-verify"),
    path("directory/", PublicDirectoryView.as_view(), name="public-directory"),
]
