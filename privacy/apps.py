from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Personal data (Vietnam's Law on Personal Data Protection, in force 01/01/2026):
    retention, and a person's requests to see or erase their data (who sees a citizen
    reporter is ``incidents.reporters``)."""

    name = "privacy"
    verbose_name = _("Personal data")
