"""Admin for reports: periods and deadline rules are editable; reports are read-only here.

Reports change only through ``reports.services`` (the workflow and the build), so the
admin shows them, their steps and their build runs, and never adds or deletes them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from reports.models import (
    BuildRun,
    DeadlineRule,
    FakePageReview,
    PeriodDeadline,
    PeriodRequirement,
    ProvinceDeadlineRule,
    ProvincePeriodDeadline,
    ReportingPeriod,
    ReportStep,
    UnitReport,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DeadlineInline(admin.TabularInline):
    model = PeriodDeadline
    extra = 0
    fields = ("level", "due_on")


class ProvinceDeadlineInline(ReadOnlyInline):
    """The provinces' own due dates, written from their calendars (reports/calendar/)."""

    model = ProvincePeriodDeadline
    fields = ("province", "level", "due_on")
    readonly_fields = fields


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["label", "kind", "starts_on", "ends_on"]
    list_filter = ["kind"]
    date_hierarchy = "starts_on"
    inlines = [DeadlineInline, ProvinceDeadlineInline]


@admin.register(PeriodRequirement)
class PeriodRequirementAdmin(SimpleHistoryAdmin):
    """Which kinds of period each province requires; its officers set them on the calendar
    page, and the history says who changed what."""

    list_display = ["province", "kind", "required", "updated_at"]
    list_filter = ["kind", "required"]
    list_select_related = ["province"]
    raw_id_fields = ["province"]
    search_fields = ["province__name"]


@admin.register(ProvinceDeadlineRule)
class ProvinceDeadlineRuleAdmin(SimpleHistoryAdmin):
    list_display = ["province", "kind", "level", "days_after_end", "updated_at"]
    list_filter = ["kind", "level"]
    list_select_related = ["province", "level"]
    raw_id_fields = ["province"]
    search_fields = ["province__name"]


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "level", "days_after_end"]
    list_filter = ["kind", "level"]
    list_select_related = ["level"]


class StepInline(ReadOnlyInline):
    model = ReportStep
    fields = readonly_fields = ("from_state", "to_state", "note", "by", "at")


@admin.register(UnitReport)
class UnitReportAdmin(SimpleHistoryAdmin):
    list_display = ["unit_name", "period", "state", "submitted_at", "submitted_late"]
    list_filter = ["state", "submitted_late", "period__kind"]
    list_select_related = ["period"]
    search_fields = ["unit_name", "unit__search_name"]
    raw_id_fields = ["unit", "period"]
    inlines = [StepInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in UnitReport._meta.concrete_fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(BuildRun)
class BuildRunAdmin(admin.ModelAdmin):
    list_display = ["period", "state", "done", "total", "started_at", "finished_at"]
    list_filter = ["state"]
    list_select_related = ["period"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in BuildRun._meta.concrete_fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FakePageReview)
class FakePageReviewAdmin(SimpleHistoryAdmin):
    list_display = [
        "unit",
        "period",
        "scans_done",
        "fake_pages_found",
        "reported_to_platform",
        "taken_down",
    ]
    list_filter = ["period"]
    list_select_related = ["unit", "period"]
    search_fields = ["unit__name"]
    raw_id_fields = ["unit", "recorded_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The unit records and corrects its figures in the portal, with their checks.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
