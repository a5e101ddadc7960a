"""The portal's URLs plus the legal library's, until portal/urls.py includes them."""

from __future__ import annotations

from django.urls import include, path

from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path("legal/", include("legal.urls")),
    path("api/v1/legal/", include("legal.api_urls")),
    *portal_urlpatterns,
]
