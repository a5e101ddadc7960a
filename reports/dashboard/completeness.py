"""Completeness and timeliness of the units directly below, and of everything below each."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Count, FilteredRelation, Q
from django.db.models.functions import Left
from django.utils.translation import gettext_lazy as _

from reports.dashboard.links import _report_url, dashboard_url
from reports.dashboard.model import (
    SENT,
    STATE_LABELS,
    TIMELINESS_LABELS,
    ChildRow,
    Completeness,
    StackedBar,
    stacked,
)
from reports.dashboard.reach import Reach
from reports.models import ReportingPeriod, ReportState
from reports.periods import DueDates
from units.models import AdministrativeUnit


def _state_of(row: dict[str, Any]) -> str:
    return row["period_report__state"] or "none"


def _timeliness(state: str, late: bool, due_on: date | None, today: date) -> str:
    if state in SENT:
        return "late" if late else "on_time"
    return "overdue" if due_on is not None and today > due_on else "pending"


def _children(
    reach: Reach, period: ReportingPeriod, deadlines: DueDates, today: date
) -> list[ChildRow]:
    """The units directly below in force at the end of the period, with their report."""
    units = reach.children(
        reach.within(AdministrativeUnit.objects.in_force_on(period.ends_on), "path")
    )
    rows = (
        units.annotate(
            period_report=FilteredRelation("reports", condition=Q(reports__period=period))
        )
        .values(
            "pk",
            "name",
            "path",
            "level_id",
            "period_report__id",
            "period_report__state",
            "period_report__submitted_late",
            "period_report__submitted_at",
        )
        .order_by("path")
    )
    children = []
    for row in rows:
        state = _state_of(row)
        due_on = deadlines.of(period.pk, row["level_id"], row["path"])
        report_id = row["period_report__id"]
        children.append(
            ChildRow(
                unit_id=row["pk"],
                name=row["name"],
                path=row["path"],
                state=state,
                timeliness=_timeliness(
                    state, bool(row["period_report__submitted_late"]), due_on, today
                ),
                due_on=due_on,
                submitted_at=row["period_report__submitted_at"],
                report_id=report_id,
                report_url=_report_url(report_id) if report_id else None,
                drill_url=dashboard_url(row["pk"], period),
            )
        )
    return children


def _completeness(children: Iterable[ChildRow]) -> Completeness:
    counts = Completeness()
    for child in children:
        counts.expected += 1
        counts.submitted += child.state in SENT
        counts.on_time += child.timeliness == "on_time"
        counts.accepted += child.state == ReportState.ACCEPTED
        counts.overdue += child.timeliness == "overdue"
    return counts


def _bars(children: list[ChildRow]) -> list[StackedBar]:
    if not children:
        return []
    states = dict.fromkeys(STATE_LABELS, 0)
    timeliness = dict.fromkeys(TIMELINESS_LABELS, 0)
    for child in children:
        states[child.state] += 1
        timeliness[child.timeliness] += 1
    return [
        stacked(_("Reports"), states, STATE_LABELS),
        stacked(_("Timeliness"), timeliness, TIMELINESS_LABELS),
    ]


def _below(
    reach: Reach, period: ReportingPeriod, children: list[ChildRow]
) -> dict[int, Completeness]:
    """For each child, the reports of every unit below it (one grouped query).

    Paths have fixed-width steps, so the units below a child are those whose path starts
    with the child's: grouping by that prefix counts a whole level of subtrees at once.
    """
    paths = {child.path: child.unit_id for child in children}
    lengths = {len(path) for path in paths}
    if len(lengths) != 1:
        # No children, or anchors at different depths (an officer of a province and of a
        # district elsewhere): the page shows the children's own reports only.
        return {}
    length = lengths.pop()
    depth = next(iter(paths)).count(".")
    units = reach.within(AdministrativeUnit.objects.in_force_on(period.ends_on), "path").filter(
        depth__gt=depth
    )
    sent = Q(period_report__state__in=SENT)
    rows = (
        units.annotate(
            period_report=FilteredRelation("reports", condition=Q(reports__period=period)),
            prefix=Left("path", length),
        )
        .values("prefix")
        .annotate(
            expected=Count("pk"),
            submitted=Count("pk", filter=sent),
            on_time=Count("pk", filter=sent & Q(period_report__submitted_late=False)),
            accepted=Count("pk", filter=Q(period_report__state=ReportState.ACCEPTED)),
        )
        .order_by()
    )
    return {
        paths[row["prefix"]]: Completeness(
            expected=row["expected"],
            submitted=row["submitted"],
            on_time=row["on_time"],
            accepted=row["accepted"],
        )
        for row in rows
        if row["prefix"] in paths
    }
