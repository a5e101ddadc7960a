from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project itself, as an app: the commands that concern every app (schedules)."""

    name = "portal"
    verbose_name = "Portal"
