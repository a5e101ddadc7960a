"""What incidents add to the registry: the facts it shows, and its verdict cache's freshness.

The registry sits below ``incidents`` and never imports it. At start-up
(``IncidentsConfig.ready()``) this module fills the registry's extension point
(``accounts_registry.page_facts``) with the incident facts its pages show, and connects the
incident writes to the verdict cache (``accounts_registry.verify_cache``).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from accounts_registry import page_facts, verify_cache
from incidents.models import Incident
from incidents.selectors import lost_control_since
from incidents.selectors_findings import finding_counts
from units.models import Body


def _finding_context(body: Body) -> dict[str, Any]:
    return {"finding_counts": finding_counts(body)}


def _on_incident_write(sender: type[Any], **kwargs: Any) -> None:
    # A loss of control reported, resolved or dismissed changes the page's verdict.
    verify_cache.bump_registry_version()


def connect() -> None:
    """Register the incident facts of registry pages; bump the verdict cache on writes."""
    # The public verdict, the directory and the public API: "lost control since".
    page_facts.register_annotation(page_facts.LOST_CONTROL_SINCE, lost_control_since)
    # The body's registry page: its monitoring findings, counted.
    page_facts.register_body_context("finding_counts", _finding_context)

    uid = f"verify_cache:{Incident._meta.label}"
    post_save.connect(_on_incident_write, sender=Incident, dispatch_uid=f"{uid}:save")
    post_delete.connect(_on_incident_write, sender=Incident, dispatch_uid=f"{uid}:delete")
