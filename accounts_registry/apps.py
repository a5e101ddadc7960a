from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsRegistryConfig(AppConfig):
    name = "accounts_registry"
    verbose_name = _("Registry of official pages")

    def ready(self) -> None:
        # Cached public verdicts go stale on any write to what they are built from.
        from accounts_registry.verify_cache import connect_signals

        connect_signals()

        # The audit trail of page approvals and returns.
        from accounts_registry import audit_trail

        audit_trail.connect()
