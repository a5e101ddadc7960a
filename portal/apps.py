from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project itself, as an app: the commands that concern every app (schedules)."""

    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        # Registers the checks of the portal's own settings (PORTAL_BASE_URL in production).
        from portal import checks  # noqa: F401
