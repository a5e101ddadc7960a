from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        # The registry's pages show incident facts, and its verdict cache watches incidents,
        # without the registry (below incidents) importing them.
        from incidents.registry_facts import connect

        connect()
        # The audit trail of incidents' escalations, resolutions and dismissals.
        from incidents import audit_trail

        audit_trail.connect()
