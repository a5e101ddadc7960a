from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectivesConfig(AppConfig):
    name = "directives"
    verbose_name = _("Directives")

    def ready(self) -> None:
        # The audit trail of issued directives.
        from directives import audit_trail

        audit_trail.connect()
