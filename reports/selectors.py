"""Reads of reports, always through ``users.scope``.

Three questions, three querysets:

- ``reports_for(user)``: the reports a user may see (their units, as ``scope.units`` says);
- ``reports_for(user, Action.REVIEW)``: the reports a user may accept, return or reopen —
  those whose unit's *parent* is in the user's review scope, so a district office reviews
  its communes but never its own district report;
- ``preparable(user)``: the reports a user fills in and submits — the ones they see but do
  not review (an officer's own unit, the unit of a body's staff); administrators all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from reports.asof import as_of_for
from reports.models import (
    BuildRun,
    ReportBodyRow,
    ReportChildRow,
    ReportingPeriod,
    ReportPageRow,
    ReportState,
    ReportStep,
    UnitReport,
)
from reports.periods import deadlines_of_existing_levels
from units.models import AdministrativeUnit
from users import scope
from users.models import Role
from users.scope import Action


def reports_for(user: Any, action: Action = Action.VIEW) -> QuerySet[UnitReport]:
    """The reports ``user`` may see (VIEW) or review (REVIEW)."""
    reports = UnitReport.objects.all()
    if action is Action.REVIEW:
        return scope.restrict(user, reports, unit_path="unit__parent__path", action=action)
    if action is Action.VIEW:
        # Through scope.units: it also gives staff the unit of their body.
        return reports.filter(unit__in=scope.units(user, Action.VIEW).values("pk"))
    return preparable(user)


def preparable(user: Any) -> QuerySet[UnitReport]:
    """The reports ``user`` may fill in and submit: those of the units they act for (never
    the history they can only look at: a dissolved district, a merged commune)."""
    visible = reports_for(user, Action.VIEW)
    if scope.grants_for(user).is_admin:
        return visible
    return visible.filter(scope.own_units_q(user, "unit__")).exclude(
        pk__in=reports_for(user, Action.REVIEW).values("pk")
    )


def _get(reports: QuerySet[UnitReport], pk: Any) -> UnitReport:
    try:
        return reports.select_related("unit", "unit__level", "unit__parent", "period").get(pk=pk)
    except (UnitReport.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_report_or_404(user: Any, pk: Any, action: Action = Action.VIEW) -> UnitReport:
    return _get(reports_for(user, action), pk)


def get_reviewable_or_404(user: Any, pk: Any) -> UnitReport:
    return _get(reports_for(user, Action.REVIEW), pk)


def get_preparable_or_404(user: Any, pk: Any) -> UnitReport:
    return _get(preparable(user), pk)


def can_review(user: Any, report: UnitReport) -> bool:
    """Whether ``user`` may accept, return or reopen ``report`` (one query)."""
    return reports_for(user, Action.REVIEW).filter(pk=report.pk).exists()


def can_prepare(user: Any, report: UnitReport) -> bool:
    """Whether ``user`` may fill in and submit ``report`` (one query)."""
    return preparable(user).filter(pk=report.pk).exists()


def review_queue(user: Any) -> QuerySet[UnitReport]:
    """Submitted reports waiting for ``user``'s review, oldest period and first unit first."""
    return (
        reports_for(user, Action.REVIEW)
        .filter(state=ReportState.SUBMITTED)
        .select_related("unit", "unit__level", "period")
        .order_by("period__ends_on", "submitted_at", "unit__path", "pk")
    )


def report_rows(reports: QuerySet[UnitReport]) -> QuerySet[UnitReport]:
    """What a list of reports shows, in a stable order, without a query per row."""
    return reports.select_related("unit", "unit__level", "period").order_by(
        "-period__ends_on", "period__kind", "unit__path", "pk"
    )


def periods() -> QuerySet[ReportingPeriod]:
    """Periods are public within the portal: everyone reports on the same ones. Their
    deadlines are those of the levels that exist in each period (no district after 2025)."""
    return ReportingPeriod.objects.prefetch_related(
        Prefetch("deadlines", queryset=deadlines_of_existing_levels())
    ).order_by("-starts_on", "kind")


def steps_of(report: UnitReport) -> QuerySet[ReportStep]:
    return report.steps.select_related("by").order_by("at", "pk")


def body_rows_of(report: UnitReport) -> QuerySet[ReportBodyRow]:
    return report.body_rows.order_by("body_name", "body_id")


def page_rows_of(report: UnitReport) -> QuerySet[ReportPageRow]:
    return report.page_rows.order_by("body_name", "platform", "name", "page_id")


def child_rows_of(report: UnitReport) -> QuerySet[ReportChildRow]:
    return report.child_rows.order_by("child_path")


def missing_children(report: UnitReport, *, now: datetime | None = None) -> list[str]:
    """The names of the units below ``report``'s unit without an accepted report for its
    period, read live (two queries), by path.

    The snapshot's child rows say how the units below stood when the report was last
    built: a commune accepted seconds ago would still show as missing there. This reads
    their reports as they are now. The units below are those in force at the end of the
    period; a period that has ended keeps the hierarchy it was built with (its rows), since
    units may have moved since.
    """
    now = now or timezone.now()
    children: list[tuple[int, str, str]]
    if as_of_for(report.period.ends_on, now=now) is not None and report.built_at is not None:
        children = list(
            report.child_rows.order_by("child_path").values_list(
                "child_unit_id", "child_name", "child_path"
            )
        )
    else:
        children = list(
            AdministrativeUnit.objects.in_force_on(report.period.ends_on)
            .filter(parent_id=report.unit_id)
            .order_by("path")
            .values_list("pk", "name", "path")
        )
    if not children:
        return []
    accepted = set(
        UnitReport.objects.filter(
            period_id=report.period_id,
            unit_id__in=[pk for pk, _name, _path in children],
            state=ReportState.ACCEPTED,
        ).values_list("unit_id", flat=True)
    )
    return [name for pk, name, _path in children if pk not in accepted]


def can_build(user: Any) -> bool:
    """Who may (re)build a period's drafts: administrators and provincial departments.

    ``services.build_start`` builds the whole period (a run has no subtree), so it is left
    to those who answer for a province or more; rebuilding only refreshes drafts from the
    registry and never touches a submitted or accepted report.
    """
    grants = scope.grants_for(user)
    return grants.is_admin or Role.PROVINCE_OFFICER in grants.roles


def build_runs_for(user: Any) -> QuerySet[BuildRun]:
    """The builds a user may follow: every run for those who may build, none for others."""
    runs = BuildRun.objects.select_related("period")
    return runs if can_build(user) else runs.none()
