"""Trends over the last periods of the same kind, placed on the SVG chart."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from reports import selectors
from reports.dashboard.criteria import rate_of
from reports.dashboard.model import (
    CHART_BOTTOM,
    CHART_HEIGHT,
    CHART_LEFT,
    CHART_RIGHT,
    CHART_TOP,
    CHART_WIDTH,
    SENT,
    Completeness,
    Trend,
    TrendSeries,
)
from reports.dashboard.reach import Reach
from reports.models import ReportingPeriod

# How many periods of the same kind the trends go back over, the selected one included.
TREND_PERIODS = 8


TREND_SERIES: list[tuple[str, Any, str, str]] = [
    # key, label, colour, stroke-dasharray (the lines differ by more than their colour)
    ("on_time", _("Reports on time"), "#0b4a8b", ""),
    ("platform_verified", _("Pages verified"), "#1d6b3a", "8 4"),
    ("contact_registered", _("Bodies with a contact person"), "#b26a00", "2 4"),
    ("posting_rules", _("Bodies with posting rules"), "#5b3a7a", "12 4 2 4"),
]
_TREND_KEYS = (
    "bodies",
    "bodies_with_contact",
    "bodies_with_rules",
    "pages_approved",
    "pages_verified",
)


def _percent(pair: tuple[int | None, int | None]) -> int | None:
    numerator, denominator = pair
    if numerator is None or not denominator:
        return None
    return round(numerator * 100 / denominator)


def _trend(
    reach: Reach,
    period: ReportingPeriod,
    completeness: Completeness,
    figures: dict[str, Any],
) -> Trend | None:
    """The last periods of the same kind (three queries): periods, children, own reports."""
    periods = list(
        ReportingPeriod.objects.filter(kind=period.kind, starts_on__lte=period.starts_on).order_by(
            "-starts_on"
        )[:TREND_PERIODS]
    )[::-1]
    if not periods:
        return None
    ids = [p.pk for p in periods]
    sent = Q(state__in=SENT)
    sums = {
        key: Sum(Cast(KT(f"totals__{key}"), IntegerField()), filter=sent) for key in _TREND_KEYS
    }
    children = reach.children(selectors.reports_for(reach.user), prefix="unit__").filter(
        period_id__in=ids
    )
    by_period = {
        row["period_id"]: row
        for row in children.values("period_id")
        .annotate(
            expected=Count("pk"),
            on_time=Count("pk", filter=sent & Q(submitted_late=False)),
            **sums,
        )
        .order_by()
    }
    own: dict[int, dict[str, Any]] = {}
    if reach.unit is not None:
        own = dict(
            selectors.reports_for(reach.user)
            .filter(unit=reach.unit, period_id__in=ids, state__in=SENT)
            .values_list("period_id", "totals")
        )

    series = [
        TrendSeries(key, label, colour, dash, []) for key, label, colour, dash in TREND_SERIES
    ]
    for candidate in periods:
        row = by_period.get(candidate.pk, {})
        if candidate.pk == period.pk:
            # The selected period as the rest of the page shows it.
            point_figures: dict[str, Any] | None = figures
            on_time = completeness.on_time_percent
        else:
            if reach.unit is None:
                # The whole scope has no report: the sum of its top units' frozen figures.
                point_figures = {key: row.get(key) or 0 for key in _TREND_KEYS} if row else None
            else:
                point_figures = own.get(candidate.pk)
            expected = row.get("expected") or 0
            on_time = round(row["on_time"] * 100 / expected) if expected else None
        for line in series:
            if line.key == "on_time":
                line.values.append(on_time)
            else:
                line.values.append(
                    _percent(rate_of(line.key, point_figures)) if point_figures else None
                )
    return _chart(periods, series)


def _anchor(index: int, count: int) -> str:
    if count > 1 and index == 0:
        return "start"
    if count > 1 and index == count - 1:
        return "end"
    return "middle"


def _chart(periods: list[ReportingPeriod], series: list[TrendSeries]) -> Trend:
    """Place the points: x evenly spaced, y from 0 % (bottom) to 100 % (top)."""
    left, top = CHART_LEFT, CHART_TOP
    plot_w = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_h = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    count = len(periods)

    def x_of(i: int) -> float:
        return round(left + (plot_w / 2 if count == 1 else i * plot_w / (count - 1)), 1)

    def y_of(value: int) -> float:
        return round(top + (100 - value) * plot_h / 100, 1)

    for line in series:
        run: list[str] = []
        for i, value in enumerate(line.values):
            if value is None:
                if run:
                    line.lines.append(" ".join(run))
                run = []
                continue
            run.append(f"{x_of(i)},{y_of(value)}")
            line.points.append((x_of(i), y_of(value), value, periods[i].label))
        if run:
            line.lines.append(" ".join(run))
    return Trend(
        periods=periods,
        series=series,
        x_labels=[(x_of(i), p.label, _anchor(i, count)) for i, p in enumerate(periods)],
        grid=[(y_of(value), value) for value in (0, 25, 50, 75, 100)],
    )
