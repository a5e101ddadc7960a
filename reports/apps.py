from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Compliance reports")

    def ready(self) -> None:
        # The audit trail of report submissions, acceptances, returns and reopenings.
        from reports import audit_trail

        audit_trail.connect()
