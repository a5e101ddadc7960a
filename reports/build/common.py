"""What both builds of a period share: batch sizes, the result of a build, the period's
bounds, the units to build, and the hierarchy of a past period."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, cast

from django.utils import timezone

from reports.models import TOTAL_FIELDS, BodyFigures, ReportingPeriod, UnitReport
from reports.periods_policy import province_id_of, required_kinds
from units.models import AdministrativeUnit

# A body row's figures (pages and incidents), summed into the report's totals by both builds.
BODY_FIGURES: tuple[str, ...] = tuple(field.name for field in BodyFigures._meta.local_fields)

# Units per transaction: bounds memory and lock time, and is how often progress is saved.
BATCH_SIZE = 1000
# The same, for the build inside PostgreSQL (``reports.build_sql``) run for a ``BuildRun``
# (otherwise it takes the period in one transaction): the country (10,810 units) is five.
SQL_BATCH_SIZE = 2500
# Rows per INSERT: keeps each statement well under the parameter limits of every backend.
INSERT_BATCH_SIZE = 1000

_FLOAT_TOTALS = {"hours_to_report_total"}


@dataclass
class BuildResult:
    """What one build did."""

    period_id: int
    units: int = 0
    created: int = 0
    rebuilt: int = 0
    frozen: int = 0  # reports left as they were: submitted or accepted
    body_rows: int = 0
    page_rows: int = 0
    child_rows: int = 0


def empty_totals() -> dict[str, Any]:
    return {name: 0.0 if name in _FLOAT_TOTALS else 0 for name in TOTAL_FIELDS}


def local_bounds(period: ReportingPeriod) -> tuple[datetime, datetime]:
    """The period as [start, end) instants in the portal's time zone."""
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(period.starts_on, time.min), zone)
    end = timezone.make_aware(datetime.combine(period.ends_on + timedelta(days=1), time.min), zone)
    return start, end


def units_of(
    period: ReportingPeriod, unit_ids: Iterable[int] | None = None
) -> list[dict[str, Any]]:
    """The units in force on the last day of the period (optionally only some), by path."""
    units = AdministrativeUnit.objects.in_force_on(period.ends_on)
    if unit_ids is not None:
        units = units.filter(pk__in=list(unit_ids))
    rows = units.order_by("path").values("pk", "name", "path", "parent_id")
    return cast(list[dict[str, Any]], list(rows))


def requiring_kind(kind: str, units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Of ``units``, those whose province requires periods of ``kind`` (one query).

    A province that does not ask for monthly reports (or dropped half-years) gets no
    report for such a period: nobody would fill it in, and it would only show as overdue.
    The province is the first step of the unit's path, as the path stood in the period.
    """
    if not units:
        return units
    required = required_kinds(province_id_of(unit["path"]) for unit in units)
    return [unit for unit in units if kind in required[province_id_of(unit["path"])]]


class UnitTree:
    """The units of a past period by parent, as they were at its end (``asof.units_at``)."""

    def __init__(self, units: list[dict[str, Any]]) -> None:
        self.below: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for unit in units:  # sorted by path: children come out in order
            if unit["parent_id"] is not None:
                self.below[unit["parent_id"]].append(unit)

    def children_of(
        self, period: ReportingPeriod, unit_ids: list[int]
    ) -> tuple[dict[int, list[dict[str, Any]]], dict[int, dict[str, Any]]]:
        """The units directly below, and their reports (one query)."""
        children = {pk: self.below[pk] for pk in unit_ids if self.below.get(pk)}
        ids = [child["pk"] for below in children.values() for child in below]
        if not ids:
            return children, {}
        reports = UnitReport.objects.filter(period=period, unit_id__in=ids).values(
            "pk", "unit_id", "state", "submitted_at", "submitted_late", "totals"
        )
        return children, {report["unit_id"]: dict(report) for report in reports}
