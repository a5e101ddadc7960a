from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data and the embedded run: above every other app, which it uses."""

    name = "demo"
    verbose_name = "Demo"
