"""Reporting periods as data: their bounds, their Vietnamese labels and their deadlines.

Periods are national (one "Quý 3/2026" for the whole country); which kinds a province's
units report on, and when, is the province's choice (``reports.periods_policy``). A period
is created when some province in force requires its kind, with a national due date per
level (``DeadlineRule``) and, for a province with its own rules, that province's due dates
(``ProvincePeriodDeadline``), which win wherever they exist.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Value

from reports.models import (
    DeadlineRule,
    PeriodDeadline,
    PeriodKind,
    ProvinceDeadlineRule,
    ProvincePeriodDeadline,
    ReportingPeriod,
)
from reports.periods_policy import kinds_required_on, province_id_of
from units.models import AdministrativeUnit, UnitLevel

# Communes report first, then districts (after reviewing their communes), then the province.
DEFAULT_DAYS_AFTER_END = {"commune": 5, "district": 10, "province": 15}


def install_default_rules(rule_model: Any, level_model: Any) -> None:
    """Create the default deadline rules that are missing (models may be a migration's)."""
    levels = {level.code: level for level in level_model.objects.all()}
    for kind in PeriodKind.values:
        for code, days in DEFAULT_DAYS_AFTER_END.items():
            if code in levels:
                rule_model.objects.get_or_create(
                    kind=kind, level=levels[code], defaults={"days_after_end": days}
                )


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def bounds(kind: str, day: date) -> tuple[date, date]:
    """The first and last day of the period of ``kind`` that contains ``day``."""
    if kind == PeriodKind.MONTHLY:
        first_month = day.month
        months = 1
    elif kind == PeriodKind.QUARTERLY:
        first_month = (day.month - 1) // 3 * 3 + 1
        months = 3
    elif kind == PeriodKind.HALF_YEARLY:
        first_month = 1 if day.month <= 6 else 7
        months = 6
    elif kind == PeriodKind.YEARLY:
        first_month = 1
        months = 12
    else:
        raise ValueError(f"Unknown kind of period: {kind}")
    return date(day.year, first_month, 1), _month_end(day.year, first_month + months - 1)


def label(kind: str, starts_on: date) -> str:
    """The Vietnamese label printed on reports: "Tháng 7/2026", "Quý 3/2026"…"""
    year = starts_on.year
    if kind == PeriodKind.MONTHLY:
        return f"Tháng {starts_on.month}/{year}"
    if kind == PeriodKind.QUARTERLY:
        return f"Quý {(starts_on.month - 1) // 3 + 1}/{year}"
    if kind == PeriodKind.HALF_YEARLY:
        half = "đầu" if starts_on.month <= 6 else "cuối"
        return f"6 tháng {half} năm {year}"
    return f"Năm {year}"


@transaction.atomic
def ensure_period(kind: str, day: date) -> ReportingPeriod:
    """The period of ``kind`` containing ``day``, created with its deadlines if missing.

    Deadlines already there are left alone (an administrator may have moved one); the
    missing ones come from the ``DeadlineRule`` of each level, and from the rules of each
    province in force at the period's end that has set its own.
    """
    starts_on, ends_on = bounds(kind, day)
    period, _created = ReportingPeriod.objects.get_or_create(
        kind=kind,
        starts_on=starts_on,
        defaults={"ends_on": ends_on, "label": label(kind, starts_on)},
    )
    have = set(PeriodDeadline.objects.filter(period=period).values_list("level_id", flat=True))
    PeriodDeadline.objects.bulk_create(
        [
            PeriodDeadline(
                period=period,
                level_id=rule.level_id,
                due_on=period.ends_on + timedelta(days=rule.days_after_end),
            )
            for rule in DeadlineRule.objects.filter(kind=kind).exclude(level_id__in=have)
        ],
        ignore_conflicts=True,
    )
    # The provinces' own: only the missing ones, so a date moved by hand stays moved.
    provinces = AdministrativeUnit.objects.in_force_on(period.ends_on).filter(parent__isnull=True)
    ProvincePeriodDeadline.objects.bulk_create(
        [
            ProvincePeriodDeadline(
                period=period,
                province_id=province_id,
                level_id=level_id,
                due_on=period.ends_on + timedelta(days=days),
            )
            for province_id, level_id, days in ProvinceDeadlineRule.objects.filter(
                kind=kind, province__in=provinces
            )
            .exclude(
                Exists(
                    ProvincePeriodDeadline.objects.filter(
                        period=period,
                        province_id=OuterRef("province_id"),
                        level_id=OuterRef("level_id"),
                    )
                )
            )
            .values_list("province_id", "level_id", "days_after_end")
        ],
        ignore_conflicts=True,
    )
    return period


def ensure_periods(today: date, ahead: int = 1) -> list[ReportingPeriod]:
    """The current period and the ``ahead`` next ones of every kind some province requires.

    A kind no province in force requires (monthly, by default) is not created: its periods
    would only be reminded to units nobody asked. Idempotent: running it again (a retried
    task, two beat schedulers) creates nothing new.
    """
    periods: list[ReportingPeriod] = []
    for kind in kinds_required_on(today):
        day = today
        for _step in range(ahead + 1):
            period = ensure_period(kind, day)
            periods.append(period)
            day = period.ends_on + timedelta(days=1)
    return periods


def due_on(period: ReportingPeriod, level_id: int) -> date | None:
    """The national due date of ``period`` for the units of a level, if one is set."""
    return (
        PeriodDeadline.objects.filter(period=period, level_id=level_id)
        .values_list("due_on", flat=True)
        .first()
    )


@dataclass(frozen=True)
class DueDates:
    """Due dates of some periods: the national ones, and the provinces' own where set."""

    national: dict[tuple[int, int], date]  # (period id, level id)
    provincial: dict[tuple[int, int, int], date]  # (period id, province id, level id)

    def of(self, period_id: int, level_id: int, path: str) -> date | None:
        """The due date for a unit of ``level_id`` whose path is ``path``."""
        key = (period_id, province_id_of(path), level_id)
        if key in self.provincial:
            return self.provincial[key]
        return self.national.get((period_id, level_id))

    def of_province(self, period_id: int, province_id: int | None, level_id: int) -> date | None:
        if province_id is not None and (period_id, province_id, level_id) in self.provincial:
            return self.provincial[(period_id, province_id, level_id)]
        return self.national.get((period_id, level_id))


def due_dates(period_ids: Iterable[int], *, province_ids: Iterable[int] | None = None) -> DueDates:
    """The due dates of the periods, national and provincial (one query: a UNION).

    ``province_ids`` limits the provinces' own dates to those a page needs.
    """
    ids = sorted(set(period_ids))
    if not ids:
        return DueDates({}, {})
    national = (
        PeriodDeadline.objects.filter(period_id__in=ids)
        .annotate(province=Value(None, output_field=IntegerField()))
        .values_list("period_id", "province", "level_id", "due_on")
        .order_by()
    )
    provincial = ProvincePeriodDeadline.objects.filter(period_id__in=ids)
    if province_ids is not None:
        provincial = provincial.filter(province_id__in=sorted(set(province_ids)))
    rows = national.union(
        provincial.values_list("period_id", "province_id", "level_id", "due_on").order_by(),
        all=True,
    )
    found = DueDates({}, {})
    for period_id, province_id, level_id, due in rows:
        if province_id is None:
            found.national[(period_id, level_id)] = due
        else:
            found.provincial[(period_id, province_id, level_id)] = due
    return found


def due_for(period: ReportingPeriod, unit: AdministrativeUnit) -> date | None:
    """The due date of ``period`` for ``unit``: its province's own, else the national one."""
    return due_dates([period.pk], province_ids=[province_id_of(unit.path)]).of(
        period.pk, unit.level_id, unit.path
    )


def _in_force_at_period_end(period_ends_on: Any) -> Q:
    return Q(Q(valid_from__isnull=True) | Q(valid_from__lte=period_ends_on)) & Q(
        Q(valid_until__isnull=True) | Q(valid_until__gte=period_ends_on)
    )


def levels_of(period: ReportingPeriod) -> QuerySet[UnitLevel]:
    """The levels that exist in ``period``: those with a unit in force on its last day, the
    day its reports are built for (one query). Quý 2/2025 has districts, Quý 3/2025 none."""
    units = AdministrativeUnit.objects.filter(
        _in_force_at_period_end(period.ends_on), level_id=OuterRef("pk")
    )
    return UnitLevel.objects.filter(Exists(units)).order_by("rank")


def deadlines_of_existing_levels() -> QuerySet[PeriodDeadline]:
    """National deadlines of the levels that exist in their period (one query for any
    number of periods, usable in a ``Prefetch``): no "Cấp huyện" row after 30/06/2025."""
    units = AdministrativeUnit.objects.filter(
        _in_force_at_period_end(OuterRef("period__ends_on")),
        level_id=OuterRef("level_id"),
    )
    return PeriodDeadline.objects.filter(Exists(units)).select_related("level")
