"""Scoped reads of the standing fake-page review, the review a report's form and page show,
and the review totals the report build may count (``fake_page_review_totals``)."""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from reports.models import FakePageReview, ReportingPeriod, UnitReport
from units.models import AdministrativeUnit
from users import scope
from users.scope import Action


def fake_page_reviews_for(user: Any, action: Action = Action.VIEW) -> QuerySet[FakePageReview]:
    """Fake-page reviews of the units ``user`` may see (or review)."""
    queryset = scope.restrict(
        user, FakePageReview.objects.all(), unit_path="unit__path", action=action
    )
    grants = scope.grants_for(user)
    if action is Action.VIEW and grants.body_unit_ids and not grants.is_admin:
        # Staff see the review of their body's unit, which they may have recorded.
        queryset = queryset | FakePageReview.objects.filter(
            unit_id__in=sorted(grants.body_unit_ids)
        )
    return queryset


def review_of_report(user: Any, report: UnitReport) -> FakePageReview | None:
    """The report's unit's own review of the report's period, if ``user`` may see it (one
    query)."""
    return (
        fake_page_reviews_for(user)
        .filter(unit_id=report.unit_id, period_id=report.period_id)
        .select_related("recorded_by")
        .first()
    )


def recording_units(user: Any) -> QuerySet[AdministrativeUnit]:
    """The units ``user`` records a fake-page review for: the units they act for (an
    officer's own unit, the unit of a staff member's body), while in force."""
    return AdministrativeUnit.objects.filter(scope.own_units_q(user)).order_by("path")


def open_periods(limit: int = 12) -> QuerySet[ReportingPeriod]:
    """The latest periods that have started: the ones a review can be recorded for."""
    return ReportingPeriod.objects.filter(starts_on__lte=timezone.localdate()).order_by(
        "-starts_on", "kind"
    )[:limit]


@dataclass(frozen=True)
class FakePageReviewTotals:
    """What the units of a subtree recorded for one period."""

    units_reviewed: int = 0
    scans_done: int = 0
    fake_pages_found: int = 0
    reported_to_platform: int = 0
    taken_down: int = 0


def fake_page_review_totals(
    units: Iterable[AdministrativeUnit] | QuerySet[AdministrativeUnit],
    period: ReportingPeriod,
    *,
    subtree: bool = True,
) -> dict[int, FakePageReviewTotals]:
    """For each unit, the totals of the fake-page reviews of ``period``, in two queries.

    With ``subtree`` (the default) a unit's totals cover the reviews of the unit and of every
    unit below it (paths starting with its path); without, only its own review. Units with
    nothing recorded get zeros. A caller counting a whole level calls this once for all its
    units; it never runs a query per unit.
    """
    unit_list = list(units.only("pk", "path") if isinstance(units, QuerySet) else units)
    if not unit_list:
        return {}
    paths = {unit.pk: unit.path for unit in unit_list}
    prefixes = reduce(
        operator.or_, [Q(unit__path__startswith=path) for path in sorted(set(paths.values()))]
    )
    reviews = FakePageReview.objects.filter(period=period)
    reviews = reviews.filter(prefixes) if subtree else reviews.filter(unit_id__in=list(paths))
    rows = list(
        reviews.values_list(
            "unit_id",
            "unit__path",
            "scans_done",
            "fake_pages_found",
            "reported_to_platform",
            "taken_down",
        )
    )
    # Each review adds to the units on its path (at most the tree's depth of them), so the
    # work grows with the reviews, not with units times reviews.
    by_path: dict[str, list[int]] = {}
    for pk, path in paths.items():
        by_path.setdefault(path, []).append(pk)
    sums: dict[int, list[int]] = {pk: [0, 0, 0, 0, 0] for pk in paths}
    for unit_id, unit_path, *figures in rows:
        steps = [step for step in unit_path.split(".") if step]
        above = (
            [".".join(steps[: i + 1]) + "." for i in range(len(steps))] if subtree else [unit_path]
        )
        for prefix in above:
            for pk in by_path.get(prefix, ()):
                if not subtree and pk != unit_id:
                    continue
                total = sums[pk]
                total[0] += 1
                for index, value in enumerate(figures, start=1):
                    total[index] += value
    return {pk: FakePageReviewTotals(*values) for pk, values in sums.items()}
