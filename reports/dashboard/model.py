"""What the dashboard page shows: its dataclasses, their labels and colours, the charts' sizes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from reports.models import ReportingPeriod, ReportState, UnitReport
from units.models import AdministrativeUnit

# Reports sent up: counted as submitted, and frozen (their figures never change again).
SENT = (ReportState.SUBMITTED, ReportState.ACCEPTED)

# Colours of the charts (SVG presentation attributes: the CSP forbids inline styles). They
# are the portal's palette, readable on white, and each state also has its text label.
COLOURS = {
    "accepted": "#1d6b3a",
    "submitted": "#0b4a8b",
    "returned": "#b26a00",
    "draft": "#8a97a8",
    "none": "#d3dae3",
    "on_time": "#1d6b3a",
    "late": "#b26a00",
    "overdue": "#a4161a",
    "pending": "#d3dae3",
}
STATE_LABELS: dict[str, Any] = {
    "accepted": _("Accepted"),
    "submitted": _("Submitted, awaiting review"),
    "returned": _("Returned"),
    "draft": _("Draft"),
    "none": _("No report yet"),
}
TIMELINESS_LABELS: dict[str, Any] = {
    "on_time": _("On time"),
    "late": _("Late"),
    "overdue": _("Overdue, not submitted"),
    "pending": _("Not yet due"),
}


@dataclass(frozen=True)
class Segment:
    key: str
    label: Any
    count: int
    colour: str
    x: float = 0.0
    width: float = 0.0


STACK_WIDTH = 600


@dataclass
class StackedBar:
    """One horizontal bar split by category; ``segments`` carry their SVG geometry."""

    label: Any
    total: int
    segments: list[Segment]

    @property
    def summary(self) -> str:
        """The bar as text (the SVG's accessible name)."""
        parts = ", ".join(f"{segment.label}: {segment.count}" for segment in self.segments)
        return f"{self.label} — {parts}"


def stacked(label: Any, counts: dict[str, int], labels: dict[str, Any]) -> StackedBar:
    total = sum(counts.values())
    segments: list[Segment] = []
    x = 0.0
    for key, count in counts.items():
        width = round(count / total * STACK_WIDTH, 1) if total else 0.0
        segments.append(Segment(key, labels[key], count, COLOURS[key], round(x, 1), width))
        x += width
    return StackedBar(label, total, segments)


@dataclass
class Completeness:
    """Counts of reports of a set of units for one period."""

    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    accepted: int = 0
    overdue: int = 0

    @property
    def late(self) -> int:
        return self.submitted - self.on_time

    @property
    def not_submitted(self) -> int:
        return self.expected - self.submitted

    @property
    def missing(self) -> int:
        """Units without an accepted report, as ``ReportChildRow.missing`` counts them."""
        return self.expected - self.accepted

    def percent(self, count: int) -> int | None:
        return round(count * 100 / self.expected) if self.expected else None

    @property
    def submitted_percent(self) -> int | None:
        return self.percent(self.submitted)

    @property
    def on_time_percent(self) -> int | None:
        return self.percent(self.on_time)

    @property
    def accepted_percent(self) -> int | None:
        return self.percent(self.accepted)


@dataclass
class ChildRow:
    """One unit directly below and where its report stands."""

    unit_id: int
    name: str
    path: str
    state: str  # a ReportState value, or "none"
    timeliness: str  # on_time / late / overdue / pending
    due_on: date | None
    submitted_at: datetime | None
    report_id: int | None
    report_url: str | None
    drill_url: str
    below: Completeness | None = None

    @property
    def state_label(self) -> Any:
        return STATE_LABELS[self.state]

    @property
    def timeliness_label(self) -> Any:
        return TIMELINESS_LABELS[self.timeliness]


@dataclass
class CriterionRate:
    """One criterion of Decision 874 and how the reach meets it."""

    ref: str
    title: str
    level: str  # required / recommended
    url: str
    measure: Any  # what the rate counts, in words
    numerator: int | None = None
    denominator: int | None = None
    counts: list[tuple[Any, Any]] = field(default_factory=list)

    @property
    def rate(self) -> int | None:
        if self.numerator is None or not self.denominator:
            return None
        return round(self.numerator * 100 / self.denominator)

    @property
    def bar_width(self) -> float:
        return 0.0 if self.rate is None else round(self.rate * RATE_BAR_WIDTH / 100, 1)

    @property
    def tone(self) -> str:
        if self.rate is None:
            return "none"
        return "good" if self.rate >= 80 else "fair" if self.rate >= 50 else "poor"

    @property
    def colour(self) -> str:
        return {"good": "#1d6b3a", "fair": "#b26a00", "poor": "#a4161a"}.get(self.tone, "#8a97a8")


RATE_BAR_WIDTH = 300
# The trend chart's box (SVG user units) and its margins.
CHART_WIDTH, CHART_HEIGHT = 560, 260
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 70, 12, 16, 44


@dataclass
class BodyGap:
    body_id: int
    name: str
    unit_name: str
    url: str
    gaps: list[tuple[str, Any]]


@dataclass
class PageGap:
    page_id: int
    name: str
    platform: str
    body_name: str
    unit_name: str
    url: str
    gaps: list[tuple[str, Any]]


@dataclass
class Gaps:
    bodies: int = 0  # live bodies in reach
    bodies_with_gaps: int = 0
    no_contact: int = 0
    no_rules: int = 0
    pages: int = 0  # live pages in reach
    pages_with_gaps: int = 0
    needs_review: int = 0
    not_verified: int = 0
    body_list: list[BodyGap] = field(default_factory=list)
    page_list: list[PageGap] = field(default_factory=list)
    pages_url: str = ""  # the registry's page list, filtered to the reach


@dataclass
class TrendSeries:
    key: str
    label: Any
    colour: str
    dash: str
    values: list[int | None]
    lines: list[str] = field(default_factory=list)  # SVG polyline points, one per run
    points: list[tuple[float, float, int, str]] = field(default_factory=list)  # x, y, value, period


@dataclass
class Trend:
    periods: list[ReportingPeriod]
    series: list[TrendSeries]
    x_labels: list[tuple[float, str, str]]  # x, label, text-anchor (the ends stay inside)
    grid: list[tuple[float, int]]  # y, percent

    @property
    def rows(self) -> list[tuple[ReportingPeriod, list[int | None]]]:
        """The table: one row per period, one value per series."""
        return [
            (period, [series.values[i] for series in self.series])
            for i, period in enumerate(self.periods)
        ]

    # The chart's frame, for the template (which cannot do arithmetic).
    width = CHART_WIDTH
    height = CHART_HEIGHT
    x_start = CHART_LEFT
    x_end = CHART_WIDTH - CHART_RIGHT
    label_y = CHART_HEIGHT - CHART_BOTTOM + 22
    axis_x = CHART_LEFT - 8

    @property
    def summary(self) -> str:
        first, last = self.periods[0], self.periods[-1]
        return f"{first.label} → {last.label}"


@dataclass
class Crumb:
    label: Any
    url: str


@dataclass
class Dashboard:
    """Everything the dashboard page shows."""

    unit: AdministrativeUnit | None
    title: Any
    subtree: bool
    period: ReportingPeriod | None
    periods: list[ReportingPeriod]
    due_on: date | None  # the shown unit's due date for the period
    today: date
    crumbs: list[Crumb]
    report: UnitReport | None  # the shown unit's own report
    report_url: str | None
    children: list[ChildRow]
    completeness: Completeness
    bars: list[StackedBar]
    shows_below: bool  # whether any child has units below it
    source: str  # "report", "built" (the reports built for the period) or "live"
    criteria: list[CriterionRate]
    gaps: Gaps
    trend: Trend | None
    # Where the registry's figures come from the built reports: when those were built.
    built: Any = None  # reports.dashboard.built.AsOf

    @property
    def report_state_label(self) -> Any:
        return STATE_LABELS[self.report.state if self.report else "none"]
