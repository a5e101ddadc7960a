from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project itself, as an app: the commands that concern every app (schedules)."""

    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        # Registers the checks of the portal's own settings (PORTAL_BASE_URL in production).
        # And the session's start at login (idle and absolute timeouts, portal.sessions).
        from portal import checks, sessions  # noqa: F401
