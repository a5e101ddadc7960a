"""Reporting periods as data: their bounds, their Vietnamese labels and their deadlines."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from reports.models import DeadlineRule, PeriodDeadline, PeriodKind, ReportingPeriod

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
    missing ones come from the ``DeadlineRule`` of each level.
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
    return period


def ensure_periods(today: date, ahead: int = 1) -> list[ReportingPeriod]:
    """The current period of every kind and the ``ahead`` next ones, with their deadlines.

    Idempotent: running it again (a retried task, two beat schedulers) creates nothing new.
    """
    periods: list[ReportingPeriod] = []
    for kind in PeriodKind.values:
        day = today
        for _step in range(ahead + 1):
            period = ensure_period(kind, day)
            periods.append(period)
            day = period.ends_on + timedelta(days=1)
    return periods


def due_on(period: ReportingPeriod, level_id: int) -> date | None:
    """The due date of ``period`` for the units of a level, if one is set."""
    return (
        PeriodDeadline.objects.filter(period=period, level_id=level_id)
        .values_list("due_on", flat=True)
        .first()
    )
