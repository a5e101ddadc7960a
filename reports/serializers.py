"""Serializers of the reports API: what a period, a report, its frozen rows and a build look
like, and what a unit may send. They validate shapes only (a count is not negative, a note
is text); ``reports.services`` decides what is allowed and checks the rules between fields.

What depends on the caller or on other rows (the due date for the unit's level, the actions
the caller may take, the summary of the units below) comes through the serializer context,
computed for a whole page of rows at once by ``reports.api``: nothing here queries per row.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models
from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from reports.models import (
    BuildRun,
    PeriodDeadline,
    ReportBodyRow,
    ReportChildRow,
    ReportingPeriod,
    ReportPageRow,
    ReportState,
    ReportStep,
    RolledUpTotals,
    UnitReport,
)
from reports.periods import DueDates, due_dates
from reports.services import EDITABLE_FIELDS

# What a caller may do to a report now, in the order a client would show buttons.
ACTIONS = ("update", "submit", "accept", "return", "reopen")


def _totals_fields() -> dict[str, serializers.Field[Any, Any, Any, Any]]:
    fields: dict[str, serializers.Field[Any, Any, Any, Any]] = {}
    for field in RolledUpTotals._meta.local_fields:
        if isinstance(field, models.FloatField):
            fields[field.name] = serializers.FloatField(required=False, allow_null=True)
        else:
            fields[field.name] = serializers.IntegerField(required=False, allow_null=True)
    return fields


# The keys of ``UnitReport.totals`` (``reports.models.TOTAL_FIELDS``), for the schema.
_TOTALS = inline_serializer(name="ReportTotals", fields=_totals_fields())


@extend_schema_field(_TOTALS)
class TotalsField(serializers.JSONField):
    """The subtree's totals as built: the unit's bodies, its accepted children, its
    declarations (empty until the report is built)."""


class ReportStateField(serializers.ChoiceField):
    """A report's state (``ReportState``): ``draft``, ``submitted``, ``returned``,
    ``accepted``; empty where there is none (the first step, a unit below without a report).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ReportState.choices, **kwargs)


class ReportStateFieldExtension(OpenApiSerializerFieldExtension):
    """Every report state in the schema is one ``ReportStateEnum`` component.

    Left to drf-spectacular, the same choices under ``state``, ``from_state``, ``to_state``
    and ``child_state`` in several components would be named by a hash, with warnings.
    """

    target_class = ReportStateField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        component = ResolvedComponent(
            name="ReportStateEnum",
            type=ResolvedComponent.SCHEMA,
            object="ReportStateEnum",
            schema={
                "type": "string",
                "enum": list(ReportState.values),
                "description": "\n".join(
                    f"* `{value}` - {label}" for value, label in ReportState.choices
                ),
            },
        )
        auto_schema.registry.register_on_missing(component)
        if self.target.allow_blank:
            return {"oneOf": [component.ref, {"type": "string", "maxLength": 0}]}
        return component.ref


def _person(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


# --- Periods and builds -----------------------------------------------------------------------


class ReportDeadlineSerializer(serializers.ModelSerializer[PeriodDeadline]):
    level: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    level_name = serializers.CharField(source="level.label", read_only=True)

    class Meta:
        model = PeriodDeadline
        fields = ["level", "level_name", "due_on"]
        read_only_fields = fields


class ReportPeriodSerializer(serializers.ModelSerializer[ReportingPeriod]):
    deadlines = ReportDeadlineSerializer(
        many=True, read_only=True, help_text="The due date for the units of each level."
    )

    class Meta:
        model = ReportingPeriod
        fields = ["id", "kind", "label", "starts_on", "ends_on", "deadlines"]
        read_only_fields = fields


class BuildRunSerializer(serializers.ModelSerializer[BuildRun]):
    period_label = serializers.CharField(source="period.label", read_only=True)
    percent = serializers.IntegerField(read_only=True, help_text="done * 100 / total.")

    class Meta:
        model = BuildRun
        fields = [
            "id",
            "period",
            "period_label",
            "state",
            "refresh",
            "total",
            "done",
            "percent",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ReportBuildInputSerializer(serializers.Serializer[Any]):
    refresh = serializers.BooleanField(
        required=False,
        default=True,
        help_text="Rebuild the drafts and returned reports already built (default); "
        "false builds only the reports never built.",
    )


# --- Reports ----------------------------------------------------------------------------------


class ReportStepSerializer(serializers.ModelSerializer[ReportStep]):
    from_state = ReportStateField(read_only=True, allow_blank=True)
    to_state = ReportStateField(read_only=True)
    by_name = serializers.SerializerMethodField()

    class Meta:
        model = ReportStep
        fields = ["from_state", "to_state", "note", "by_name", "at"]
        read_only_fields = fields

    def get_by_name(self, obj: ReportStep) -> str:
        return _person(obj.by)


class ReportChildrenSummarySerializer(serializers.Serializer[Any]):
    """Counts over the units directly below, as the report was last built."""

    expected = serializers.IntegerField()
    submitted = serializers.IntegerField()
    on_time = serializers.IntegerField()
    accepted = serializers.IntegerField()
    missing = serializers.IntegerField()


class UnitReportSerializer(serializers.ModelSerializer[UnitReport]):
    """A report as a line of a list: who, which period, where it stands."""

    period_label = serializers.CharField(source="period.label", read_only=True)
    state = ReportStateField(read_only=True)
    period_kind = serializers.CharField(source="period.kind", read_only=True)
    unit_name = serializers.SerializerMethodField(
        help_text="The unit's name when the report was built (its current name before)."
    )
    level = serializers.CharField(source="unit.level.code", read_only=True)
    due_on = serializers.SerializerMethodField(
        help_text="The period's due date for the unit's level, if one is set."
    )
    overdue = serializers.SerializerMethodField(
        help_text="Never submitted, and the due date has passed."
    )
    totals = TotalsField(read_only=True)
    actions = serializers.SerializerMethodField(
        help_text="What the caller may do to this report now: update, submit, accept, "
        "return, reopen."
    )

    class Meta:
        model = UnitReport
        fields = [
            "id",
            "period",
            "period_label",
            "period_kind",
            "unit",
            "unit_name",
            "level",
            "state",
            "due_on",
            "submitted_late",
            "overdue",
            "first_submitted_at",
            "submitted_at",
            "accepted_at",
            "built_at",
            "updated_at",
            "totals",
            "actions",
        ]
        read_only_fields = fields

    def get_unit_name(self, obj: UnitReport) -> str:
        return obj.unit_name or obj.unit.name

    def get_due_on(self, obj: UnitReport) -> date | None:
        # Read for the whole page at once by the view (the province's own date where set).
        dates: DueDates | None = self.context.get("due_dates")
        if dates is None:
            return due_dates([obj.period_id]).of(obj.period_id, obj.unit.level_id, obj.unit.path)
        return dates.of(obj.period_id, obj.unit.level_id, obj.unit.path)

    def get_overdue(self, obj: UnitReport) -> bool:
        due = self.get_due_on(obj)
        return obj.first_submitted_at is None and due is not None and timezone.localdate() > due

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ACTIONS)))
    def get_actions(self, obj: UnitReport) -> list[str]:
        preparable: set[int] = self.context.get("preparable", set())
        reviewable: set[int] = self.context.get("reviewable", set())
        allowed: list[str] = []
        if obj.pk in preparable and obj.is_editable:
            allowed += ["update", "submit"]
        if obj.pk in reviewable and obj.state == ReportState.SUBMITTED:
            allowed += ["accept", "return"]
        if obj.pk in reviewable and obj.state == ReportState.ACCEPTED:
            allowed.append("reopen")
        return allowed


class UnitReportDetailSerializer(UnitReportSerializer):
    """A whole report: the list line, the unit's declarations and narrative, the reviewer's
    last note, the workflow's steps and a summary of the units below."""

    steps = serializers.SerializerMethodField()
    children = serializers.SerializerMethodField()

    class Meta(UnitReportSerializer.Meta):
        fields = [
            *UnitReportSerializer.Meta.fields,
            "unit_path",
            *EDITABLE_FIELDS,
            "review_note",
            "created_at",
            "steps",
            "children",
        ]
        read_only_fields = fields

    @extend_schema_field(ReportStepSerializer(many=True))
    def get_steps(self, obj: UnitReport) -> Any:
        steps = self.context.get("steps", {}).get(obj.pk, [])
        return ReportStepSerializer(steps, many=True, context=self.context).data

    @extend_schema_field(ReportChildrenSummarySerializer)
    def get_children(self, obj: UnitReport) -> dict[str, int]:
        empty = {"expected": 0, "submitted": 0, "on_time": 0, "accepted": 0, "missing": 0}
        summaries: dict[int, dict[str, int]] = self.context.get("children", {})
        return summaries.get(obj.pk, empty)


class UnitReportUpdateSerializer(serializers.ModelSerializer[UnitReport]):
    """What the unit fills in: declarations (yes / no), counts, the narrative, and why units
    below have no accepted report. Only the fields sent are changed."""

    class Meta:
        model = UnitReport
        fields = list(EDITABLE_FIELDS)


class ReportNoteInputSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(
        max_length=5000, allow_blank=True, help_text="Why: what must be corrected."
    )


class ReportAcceptInputSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(
        max_length=5000, allow_blank=True, required=False, default="", help_text="A remark."
    )


# --- Frozen rows ------------------------------------------------------------------------------


class ReportBodyRowSerializer(serializers.ModelSerializer[ReportBodyRow]):
    class Meta:
        model = ReportBodyRow
        exclude = ["report"]
        read_only_fields = [field.name for field in ReportBodyRow._meta.fields]


class ReportPageRowSerializer(serializers.ModelSerializer[ReportPageRow]):
    class Meta:
        model = ReportPageRow
        exclude = ["report"]
        read_only_fields = [field.name for field in ReportPageRow._meta.fields]


class ReportChildRowSerializer(serializers.ModelSerializer[ReportChildRow]):
    child_state = ReportStateField(read_only=True, allow_blank=True)

    class Meta:
        model = ReportChildRow
        exclude = ["report"]
        read_only_fields = [field.name for field in ReportChildRow._meta.fields]
