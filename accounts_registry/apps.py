from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsRegistryConfig(AppConfig):
    name = "accounts_registry"
    verbose_name = _("Registry of official pages")
