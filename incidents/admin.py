"""Admin for incidents: read and move along the workflow, never edit state or delete."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from incidents.models import (
    Evidence,
    Incident,
    IncidentStep,
    MonitoringFinding,
)


class StepInline(admin.TabularInline):
    model = IncidentStep
    extra = 0
    fields = readonly_fields = ("from_state", "to_state", "note", "by", "at")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = readonly_fields = (
        "link",
        "original_filename",
        "content_type",
        "size",
        "note",
        "added_by",
        "added_at",
    )
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Incident)
class IncidentAdmin(SimpleHistoryAdmin):
    list_display = ["pk", "kind", "body", "state", "source", "discovered_at", "created_at"]
    list_filter = ["state", "kind", "source"]
    search_fields = ["body__name", "url", "description"]
    raw_id_fields = ["body", "page", "reporter"]
    # The workflow fields change only through the services (the web pages and the API).
    readonly_fields = [
        "state",
        "source",
        "reported_to_platform_at",
        "closed_at",
        "canonical_url",
        "reporter",
        "created_at",
        "updated_at",
    ]
    inlines = [StepInline, EvidenceInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Incident | None = None) -> bool:
        return False


@admin.register(MonitoringFinding)
class MonitoringFindingAdmin(SimpleHistoryAdmin):
    list_display = ["pk", "body", "category", "severity", "state", "found_on", "deadline"]
    list_filter = ["state", "source", "category", "severity"]
    search_fields = ["body__name", "reference", "description"]
    raw_id_fields = ["body", "page", "finder", "finder_unit", "remediated_by"]
    # The state moves only through the services (opened, remediated, closed, reopened).
    readonly_fields = [
        "state",
        "remediation_note",
        "remediated_at",
        "remediated_by",
        "closing_note",
        "closed_at",
        "finder",
        "finder_unit",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Recording tells the body (notify): the portal's form does it.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
