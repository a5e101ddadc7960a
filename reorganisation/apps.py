from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReorganisationConfig(AppConfig):
    """Applying a reorganisation of the administrative units (the merge of 01/07/2025): it
    moves the rows of every domain app (bodies, pages, roles, contacts, rules) and reports on
    letters and reports, so it sits above them all. Its plan rows live in ``units``."""

    name = "reorganisation"
    verbose_name = _("Reorganisation of administrative units")
