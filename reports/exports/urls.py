"""URL patterns; included by the app's URLconf."""

from __future__ import annotations

urlpatterns: list = []
