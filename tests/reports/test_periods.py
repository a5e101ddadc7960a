"""Periods are data, created ahead of time with a due date per level."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from reports.models import DeadlineRule, PeriodDeadline, PeriodKind, ReportingPeriod
from reports.periods import bounds, ensure_periods, label
from reports.tasks import ensure_periods_task
from units.models import UnitLevel


def _due(period: ReportingPeriod) -> dict[str, date]:
    return {
        deadline.level.code: deadline.due_on
        for deadline in PeriodDeadline.objects.filter(period=period).select_related("level")
    }


@pytest.mark.django_db
def test_default_deadline_rules_are_installed_for_every_kind_and_level() -> None:
    rules = {
        (rule.kind, rule.level.code): rule.days_after_end for rule in DeadlineRule.objects.all()
    }

    assert len(rules) == 12
    for kind in PeriodKind.values:
        assert rules[(kind, "commune")] == 5
        assert rules[(kind, "district")] == 10
        assert rules[(kind, "province")] == 15


@pytest.mark.django_db
def test_current_and_next_period_of_each_required_kind_are_created_with_deadlines_per_level() -> (
    None
):
    periods = ensure_periods(date(2026, 8, 10))

    # The default kinds: no official letter asks for monthly reports
    labels = sorted(period.label for period in periods)
    assert labels == sorted(
        [
            "Quý 3/2026",
            "Quý 4/2026",
            "6 tháng cuối năm 2026",
            "6 tháng đầu năm 2027",
            "Năm 2026",
            "Năm 2027",
        ]
    )
    quarter = ReportingPeriod.objects.get(kind=PeriodKind.QUARTERLY, starts_on=date(2026, 7, 1))
    assert quarter.ends_on == date(2026, 9, 30)
    # Communes first, then districts after reviewing them, then the province.
    assert _due(quarter) == {
        "commune": date(2026, 10, 5),
        "district": date(2026, 10, 10),
        "province": date(2026, 10, 15),
    }


@pytest.mark.django_db
def test_creating_periods_twice_creates_nothing_more() -> None:
    ensure_periods(date(2026, 8, 10))
    counts = (ReportingPeriod.objects.count(), PeriodDeadline.objects.count())

    again = ensure_periods(date(2026, 8, 10))

    assert (ReportingPeriod.objects.count(), PeriodDeadline.objects.count()) == counts
    assert counts == (6, 18)
    assert len(again) == 6


@pytest.mark.django_db
def test_a_moved_deadline_is_kept_and_a_new_level_rule_is_added_on_the_next_run() -> None:
    ensure_periods(date(2026, 8, 10))
    quarter = ReportingPeriod.objects.get(kind=PeriodKind.QUARTERLY, starts_on=date(2026, 7, 1))
    PeriodDeadline.objects.filter(period=quarter, level__code="commune").update(
        due_on=date(2026, 10, 7)
    )
    village = UnitLevel.objects.create(code="village", name="Thôn", name_en="Village", rank=4)
    DeadlineRule.objects.create(kind=PeriodKind.QUARTERLY, level=village, days_after_end=2)

    ensure_periods(date(2026, 8, 10))

    due = _due(quarter)
    assert due["commune"] == date(2026, 10, 7)
    assert due["village"] == date(2026, 10, 2)


@pytest.mark.parametrize(
    ("kind", "day", "first", "last", "text"),
    [
        (
            PeriodKind.MONTHLY,
            date(2028, 2, 10),
            date(2028, 2, 1),
            date(2028, 2, 29),
            "Tháng 2/2028",
        ),
        (
            PeriodKind.QUARTERLY,
            date(2026, 12, 31),
            date(2026, 10, 1),
            date(2026, 12, 31),
            "Quý 4/2026",
        ),
        (
            PeriodKind.HALF_YEARLY,
            date(2026, 6, 30),
            date(2026, 1, 1),
            date(2026, 6, 30),
            "6 tháng đầu năm 2026",
        ),
        (PeriodKind.YEARLY, date(2026, 7, 1), date(2026, 1, 1), date(2026, 12, 31), "Năm 2026"),
    ],
)
def test_period_bounds_and_labels(kind: str, day: date, first: date, last: date, text: str) -> None:
    assert bounds(kind, day) == (first, last)
    assert label(kind, first) == text


@pytest.mark.django_db
def test_the_beat_task_creates_the_periods_around_today(time_machine: Any) -> None:
    time_machine.move_to(date(2026, 12, 20))

    assert ensure_periods_task() == 6
    assert ensure_periods_task() == 6

    assert ReportingPeriod.objects.filter(label="Quý 1/2027").exists()
    assert ReportingPeriod.objects.count() == 6
