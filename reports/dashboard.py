"""The compliance dashboard of one unit (or of a user's whole scope) for one period.

``build_dashboard(user, unit=..., period=...)`` reads everything the page shows, with a fixed
number of queries whatever the size of the subtree: a district of 3 communes and a province
of 600 cost the same. Every count is an aggregate (``Count`` / ``Sum`` with ``filter=``)
over a subtree taken as a path prefix, grouped in SQL; nothing runs per child, body or page.

Four parts:

- **completeness and timeliness** of the units directly below, from their ``UnitReport``
  rows for the period (one query: a report may not exist yet, or be a draft, so the shown
  unit's ``ReportChildRow`` snapshot is not enough), and the same counts for everything
  further below each of them (one grouped query);
- **compliance by criterion** of Decision 874. Where the figures come from:

  * ``report`` — the shown unit's own report has been submitted or accepted: its frozen
    ``totals``, exactly what the unit sent up (and what the level above rolls up);
  * ``live`` — otherwise (a draft or returned report only covers the children already
    accepted; no report at all; or the whole country, which has none): the registry of the
    subtree now, with the same rules as the build, and the declarations of the period's
    reports of the subtree that have been submitted or accepted.

- **gaps**: bodies without a contact person or posting rules, pages needing
  re-confirmation or not verified — counted, and the first few listed, always live and
  always through the registry's own scoped selectors;
- **trends** over the last periods of the same kind: children's reports on time, and a few
  key rates, from each period's frozen figures (the selected period, in ``live`` mode,
  from the live ones, so the last point matches the rest of the page).

Scope: the unit must be in ``users.scope.units(user)``. Officers and administrators see the
unit's whole subtree; staff of a body see their body's unit alone (no units below, their
own body's gaps). Without a unit, an administrator sees the whole country, an officer
anchored on several units all of them side by side.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Left
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts_registry.models import ContactPerson, PageState, PostingRules
from accounts_registry.selectors.pages import GAPS, gaps_of, pages_for, with_gaps
from incidents.models import IncidentState
from incidents.selectors import incidents_for
from legal.models import ComplianceCriterion
from reports import selectors
from reports.build import local_bounds
from reports.models import ReportingPeriod, ReportState, UnitReport
from reports.periods import DueDates, due_dates
from reports.periods_policy import province_id_of
from units.models import AdministrativeUnit
from users import scope

M = TypeVar("M", bound=Model)

# How many bodies and pages with gaps are listed; the counts cover them all.
GAPS_LISTED = 10
# How many periods of the same kind the trends go back over, the selected one included.
TREND_PERIODS = 8
# How many periods the period picker offers.
PERIOD_CHOICES = 40

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


# --- Where the dashboard looks ---------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    """The part of the hierarchy shown: a unit's subtree, a unit alone, or the whole scope."""

    user: Any
    unit: AdministrativeUnit | None  # None: everything in the user's scope
    subtree: bool  # False: the unit alone (staff of one of its bodies)

    def within(self, queryset: QuerySet[M], path: str) -> QuerySet[M]:
        """Restrict ``queryset`` to the reach; ``path`` is the lookup to the unit's path."""
        if self.unit is None:
            return scope.restrict(self.user, queryset, unit_path=path)
        if self.subtree:
            return queryset.filter(**{f"{path}__startswith": self.unit.path})
        return queryset.filter(**{path: self.unit.path})

    def children(self, queryset: QuerySet[M], prefix: str = "") -> QuerySet[M]:
        """Restrict ``queryset`` to the units directly below (``prefix``: lookup to the unit)."""
        if self.unit is None:
            grants = scope.grants_for(self.user)
            if grants.is_admin:
                return queryset.filter(**{f"{prefix}parent__isnull": True})
            return queryset.filter(**{f"{prefix}path__in": list(grants.subtree_paths)})
        if self.subtree:
            return queryset.filter(**{f"{prefix}parent": self.unit})
        return queryset.none()


def default_unit(user: Any) -> AdministrativeUnit | None:
    """The unit a user lands on: their one anchor, their body's unit, or None (all scope)."""
    grants = scope.grants_for(user)
    if grants.is_admin or len(grants.subtree_paths) > 1:
        return None
    units = scope.units(user).order_by("depth", "path")
    if grants.subtree_paths:
        unit = units.filter(path=grants.subtree_paths[0]).first()
    else:
        unit = units.filter(pk__in=sorted(grants.body_unit_ids)).first()
    if unit is None:
        raise Http404
    return unit


def reach_of(user: Any, unit: AdministrativeUnit | None) -> Reach:
    """The reach of ``unit`` for ``user``, or 404 if the unit is outside their scope.

    Read from the grants (already loaded), so it costs no query; views fetch the unit
    through ``scope.get_unit_or_404`` before, this guards direct callers.
    """
    grants = scope.grants_for(user)
    if unit is None:
        if grants.is_admin or grants.subtree_paths:
            return Reach(user, None, True)
        raise Http404
    if grants.is_admin or any(unit.path.startswith(path) for path in grants.subtree_paths):
        return Reach(user, unit, True)
    if unit.pk in grants.body_unit_ids:
        return Reach(user, unit, False)
    raise Http404


# --- What the page shows ---------------------------------------------------------------------


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
    source: str  # "report" or "live"
    criteria: list[CriterionRate]
    gaps: Gaps
    trend: Trend | None

    @property
    def report_state_label(self) -> Any:
        return STATE_LABELS[self.report.state if self.report else "none"]


# --- Building it -----------------------------------------------------------------------------


def build_dashboard(
    user: Any,
    *,
    unit: AdministrativeUnit | None = None,
    period: ReportingPeriod | None = None,
    today: date | None = None,
) -> Dashboard:
    """Everything the dashboard shows for ``unit`` (default: the user's) and ``period``.

    ``period`` defaults to the latest period that has reports in reach and has started.
    Raises ``Http404`` for a unit outside the user's scope.
    """
    today = today or timezone.localdate()
    if unit is None:
        unit = default_unit(user)
    reach = reach_of(user, unit)
    periods = _periods_with_reports(reach)
    if period is None:
        started = [candidate for candidate in periods if candidate.starts_on <= today]
        period = next(iter(started or periods), None)
    elif period not in periods:
        # A period asked for by address, with no report yet: the picker still shows it.
        periods = [period, *periods]
    crumbs = _crumbs(reach, period)
    title = unit.name if unit is not None else _root_title(user)
    registry = _registry(reach)
    gaps = _gaps(reach, registry)
    if period is None:
        # Nothing to report on yet: the gaps of the registry are still worth showing.
        return Dashboard(
            unit, title, reach.subtree, None, [], None, today, crumbs, None, None, [],
            Completeness(), [], False, "live", [], gaps, None,
        )  # fmt: skip

    # The national dates, and the provinces' own where they set them (one query).
    deadlines = due_dates(
        [period.pk], province_ids=[province_id_of(unit.path)] if unit is not None else None
    )
    report = None
    if unit is not None:
        report = selectors.reports_for(user).filter(unit=unit, period=period).first()
    children = _children(reach, period, deadlines, today)
    completeness = _completeness(children)
    below = _below(reach, period, children)
    for child in children:
        child.below = below.get(child.unit_id)

    frozen = report is not None and report.state in SENT and bool(report.totals)
    figures = (
        report.totals if frozen and report is not None else _live_figures(reach, period, registry)
    )
    criteria = _criteria(figures)

    return Dashboard(
        unit=unit,
        title=title,
        subtree=reach.subtree,
        period=period,
        periods=periods,
        due_on=deadlines.of(period.pk, unit.level_id, unit.path) if unit is not None else None,
        today=today,
        crumbs=crumbs,
        report=report,
        report_url=_report_url(report.pk) if report is not None else None,
        children=children,
        completeness=completeness,
        bars=_bars(children),
        shows_below=bool(below),
        source="report" if frozen else "live",
        criteria=criteria,
        gaps=gaps,
        trend=_trend(reach, period, completeness, figures),
    )


def _root_title(user: Any) -> Any:
    if scope.grants_for(user).is_admin:
        return _("Whole country")
    return _("All units in your scope")


def dashboard_url(unit: AdministrativeUnit | int | None, period: ReportingPeriod | None) -> str:
    """The dashboard's address for a unit (None: the whole scope) and a period."""
    params = []
    if unit is not None:
        params.append(f"unit={unit if isinstance(unit, int) else unit.pk}")
    if period is not None:
        params.append(f"period={period.pk}")
    return reverse("reports:dashboard") + ("?" + "&".join(params) if params else "")


def _report_url(report_id: int) -> str | None:
    # The report's page is another part of the reports app; until it exists, no link.
    try:
        return reverse("reports:detail", kwargs={"report_id": report_id})
    except NoReverseMatch:
        return None


def _periods_with_reports(reach: Reach) -> list[ReportingPeriod]:
    """Periods with at least one report in reach, the most recent first (one query)."""
    reports = reach.within(
        selectors.reports_for(reach.user).filter(period=OuterRef("pk")), "unit__path"
    )
    return list(
        ReportingPeriod.objects.filter(Exists(reports)).order_by("-starts_on", "-ends_on", "pk")[
            :PERIOD_CHOICES
        ]
    )


def _crumbs(reach: Reach, period: ReportingPeriod | None) -> list[Crumb]:
    """The way back up: the ancestors the user may see (one query), and the whole scope."""
    crumbs: list[Crumb] = []
    grants = scope.grants_for(reach.user)
    if grants.is_admin or len(grants.subtree_paths) > 1:
        crumbs.append(Crumb(_root_title(reach.user), dashboard_url(None, period)))
    unit = reach.unit
    if unit is None:
        return crumbs
    # The unit itself is in the query (always in scope), so a province costs what a district
    # does: one query, whatever the depth.
    visible = scope.units(reach.user).filter(pk__in=[*unit.ancestor_ids(), unit.pk])
    crumbs += [
        Crumb(name, dashboard_url(pk, period))
        for pk, name in visible.order_by("depth").values_list("pk", "name")
    ]
    return crumbs


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


# --- The registry, live ----------------------------------------------------------------------


@dataclass
class Registry:
    """Live counts of the reach's bodies and pages (two aggregate queries)."""

    bodies: dict[str, int]
    pages: dict[str, int]


def _active_contacts() -> QuerySet[ContactPerson]:
    return ContactPerson.objects.filter(body=OuterRef("pk"), archived_at__isnull=True)


def _live_bodies(reach: Reach) -> QuerySet[Any]:
    """The reach's live bodies the user may see, with the build's has-contact / rules rules."""
    bodies = reach.within(scope.bodies(reach.user), "unit__path").filter(archived_at__isnull=True)
    return bodies.annotate(
        has_contact=Exists(_active_contacts()),
        contact_notified=Exists(
            _active_contacts().exclude(notice_number="").filter(notice_date__isnull=False)
        ),
        has_rules=Exists(
            PostingRules.objects.filter(body=OuterRef("pk"), superseded_at__isnull=True)
        ),
    )


def _live_pages(reach: Reach) -> QuerySet[Any]:
    """The reach's live pages the user may see, annotated by the registry's ``with_gaps``."""
    pages = reach.within(pages_for(reach.user), "body__unit__path")
    return with_gaps(pages.exclude(state=PageState.ARCHIVED).filter(body__archived_at__isnull=True))


_PAGE_GAP = (
    Q(has_contact=False) | Q(has_rules=False) | Q(is_platform_verified=False) | Q(needs_review=True)
)


def _registry(reach: Reach) -> Registry:
    no_gap = Q(has_contact=True, has_rules=True)
    bodies = _live_bodies(reach).aggregate(
        bodies=Count("pk"),
        bodies_with_contact=Count("pk", filter=Q(has_contact=True)),
        bodies_contact_notified=Count("pk", filter=Q(contact_notified=True)),
        bodies_with_rules=Count("pk", filter=Q(has_rules=True)),
        bodies_with_gaps=Count("pk", filter=~no_gap),
    )
    approved = Q(state=PageState.APPROVED)
    pages = _live_pages(reach).aggregate(
        pages_registered=Count("pk"),
        pages_approved=Count("pk", filter=approved),
        pages_verified=Count("pk", filter=approved & Q(is_platform_verified=True)),
        pages_needing_review=Count("pk", filter=Q(needs_review=True)),
        pages_with_responsible_unit=Count("pk", filter=approved & ~Q(responsible_unit="")),
        pages_not_verified=Count("pk", filter=Q(is_platform_verified=False)),
        pages_with_gaps=Count("pk", filter=_PAGE_GAP),
    )
    return Registry(bodies=bodies, pages=pages)


def _gaps(reach: Reach, registry: Registry) -> Gaps:
    """The counts of gaps, and the first bodies and pages with gaps (two queries)."""
    bodies = registry.bodies
    pages = registry.pages
    gaps = Gaps(
        bodies=bodies["bodies"],
        bodies_with_gaps=bodies["bodies_with_gaps"],
        no_contact=bodies["bodies"] - bodies["bodies_with_contact"],
        no_rules=bodies["bodies"] - bodies["bodies_with_rules"],
        pages=pages["pages_registered"],
        pages_with_gaps=pages["pages_with_gaps"],
        needs_review=pages["pages_needing_review"],
        not_verified=pages["pages_not_verified"],
    )
    query = f"?unit={reach.unit.pk}&gap=needs_review" if reach.unit else "?gap=needs_review"
    gaps.pages_url = reverse("registry:page_list") + query
    if gaps.bodies_with_gaps:
        listed = (
            _live_bodies(reach)
            .filter(Q(has_contact=False) | Q(has_rules=False))
            .order_by("has_contact", "has_rules", "unit__path", "name", "pk")
            .values("pk", "name", "unit__name", "has_contact", "has_rules")[:GAPS_LISTED]
        )
        gaps.body_list = [
            BodyGap(
                body_id=row["pk"],
                name=row["name"],
                unit_name=row["unit__name"],
                url=reverse("registry:body_registry", kwargs={"body_id": row["pk"]}),
                gaps=[
                    (code, GAPS[code])
                    for code, missing in (
                        ("no_contact", not row["has_contact"]),
                        ("no_rules", not row["has_rules"]),
                    )
                    if missing
                ],
            )
            for row in listed
        ]
    if gaps.pages_with_gaps:
        listed_pages = (
            _live_pages(reach)
            .filter(_PAGE_GAP)
            .select_related("body", "body__unit", "platform")
            .order_by(
                F("needs_review").desc(),
                "has_contact",
                "has_rules",
                "body__unit__path",
                "body__name",
                "display_name",
                "pk",
            )[:GAPS_LISTED]
        )
        gaps.page_list = [
            PageGap(
                page_id=page.pk,
                name=page.display_name,
                platform=page.platform.label,
                body_name=page.body.name,
                unit_name=page.body.unit.name,
                url=reverse("registry:page_detail", kwargs={"pk": page.pk}),
                gaps=gaps_of(page),
            )
            for page in listed_pages
        ]
    return gaps


def _hours(value: Any) -> float:
    """A summed duration as hours: a timedelta on PostgreSQL, microseconds on SQLite."""
    if not value:
        return 0.0
    if isinstance(value, timedelta):
        return value.total_seconds() / 3600
    return float(value) / 1_000_000 / 3600


def _live_figures(reach: Reach, period: ReportingPeriod, registry: Registry) -> dict[str, Any]:
    """The figures of ``totals``, computed now over the reach (two more queries).

    The registry as it is now (bodies, pages), the incidents of the period, and the
    declarations of the period's reports of the reach that were submitted or accepted.
    """
    start, end = local_bounds(period)

    def within(name: str) -> Q:
        return Q(**{f"{name}__gte": start, f"{name}__lt": end})

    delay = ExpressionWrapper(
        F("reported_to_platform_at") - F("discovered_at"), output_field=DurationField()
    )
    incidents = reach.within(incidents_for(reach.user), "body__unit__path").aggregate(
        incidents_opened=Count("pk", filter=within("discovered_at")),
        incidents_reported=Count("pk", filter=within("reported_to_platform_at")),
        incidents_resolved=Count(
            "pk", filter=within("closed_at") & Q(state=IncidentState.RESOLVED)
        ),
        delay=Sum(delay, filter=within("reported_to_platform_at")),
    )
    reports = reach.within(selectors.reports_for(reach.user), "unit__path").filter(
        period=period, state__in=SENT
    )
    declared = reports.aggregate(
        units_reporting=Count("pk"),
        units_info_consistent=Count("pk", filter=Q(info_consistent=True)),
        units_security_measures=Count("pk", filter=Q(security_measures=True)),
        impersonation_scans=Sum("impersonation_scans"),
        fake_pages_found=Sum("fake_pages_found"),
        dissemination_sessions=Sum("dissemination_sessions"),
        participants=Sum("participants"),
        positive_posts=Sum("positive_posts"),
        comments_answered=Sum("comments_answered"),
    )
    figures: dict[str, Any] = {
        **{k: v for k, v in registry.bodies.items() if k != "bodies_with_gaps"},
        **{
            k: v
            for k, v in registry.pages.items()
            if k not in {"pages_not_verified", "pages_with_gaps"}
        },
        **{k: v or 0 for k, v in declared.items()},
        "incidents_opened": incidents["incidents_opened"],
        "incidents_reported": incidents["incidents_reported"],
        "incidents_resolved": incidents["incidents_resolved"],
        "hours_to_report_total": round(_hours(incidents["delay"]), 2),
        "hours_to_report_count": incidents["incidents_reported"],
    }
    return figures


# --- Criteria --------------------------------------------------------------------------------

# Rates: criterion → (numerator, denominator, what is counted). The numerator may be a
# callable of the figures (re-confirmed pages are the approved ones not needing review).
RATES: dict[str, tuple[Any, str, Any]] = {
    "real_name": ("pages_approved", "pages_registered", _("pages approved of pages registered")),
    "platform_verified": (
        "pages_verified",
        "pages_approved",
        _("approved pages verified by the platform"),
    ),
    "responsible_unit": (
        "pages_with_responsible_unit",
        "pages_approved",
        _("approved pages naming a unit responsible for posting"),
    ),
    "contact_registered": ("bodies_with_contact", "bodies", _("bodies with a contact person")),
    "contact_notified": (
        "bodies_contact_notified",
        "bodies",
        _("bodies whose contact was notified in writing"),
    ),
    "posting_rules": ("bodies_with_rules", "bodies", _("bodies with posting rules")),
    "consistent_information": (
        "units_info_consistent",
        "units_reporting",
        _("reporting units declaring consistent information"),
    ),
    "account_security": (
        "units_security_measures",
        "units_reporting",
        _("reporting units declaring account security measures"),
    ),
    "impersonation_scan": (None, "", _("searches for impersonating pages")),
    "public_feedback": (None, "", _("public comments answered")),
    "dissemination": (None, "", _("sessions disseminating the Code")),
    "positive_content": (None, "", _("positive posts and shares")),
    "recertified": (
        lambda figures: _int(figures, "pages_approved") - _int(figures, "pages_needing_review"),
        "pages_approved",
        _("approved pages re-confirmed in time"),
    ),
}
# Counts shown beside (or instead of) a rate.
COUNTS: dict[str, list[tuple[str, Any]]] = {
    "account_security": [
        ("incidents_opened", _("incidents discovered")),
        ("incidents_reported", _("reported to the platform")),
        ("incidents_resolved", _("resolved")),
    ],
    "impersonation_scan": [
        ("impersonation_scans", _("searches")),
        ("fake_pages_found", _("impersonating pages found")),
    ],
    "public_feedback": [("comments_answered", _("comments answered"))],
    "dissemination": [
        ("dissemination_sessions", _("sessions")),
        ("participants", _("participants")),
    ],
    "positive_content": [("positive_posts", _("posts and shares"))],
}


def _int(figures: dict[str, Any], name: str) -> int:
    return int(figures.get(name) or 0)


def rate_of(ref: str, figures: dict[str, Any]) -> tuple[int | None, int | None]:
    """The numerator and denominator of a criterion's rate (None for counted criteria)."""
    numerator, denominator, _measure = RATES[ref]
    if numerator is None:
        return None, None
    value = numerator(figures) if callable(numerator) else _int(figures, numerator)
    return max(value, 0), _int(figures, denominator)


def _criteria(figures: dict[str, Any]) -> list[CriterionRate]:
    """One row per criterion in force, in the legal library's order (one query)."""
    loaded = list(
        ComplianceCriterion.objects.filter(retired_in_version="", ref__in=list(RATES)).order_by(
            "order", "ref"
        )
    )
    known = {criterion.ref for criterion in loaded}
    base = reverse("legal:criteria_list")
    rows = []
    for ref, title, level in [
        *((c.ref, c.label, c.level) for c in loaded),
        # Before the legal library is loaded the page still measures every criterion.
        *((ref, ref, "") for ref in RATES if ref not in known),
    ]:
        numerator, denominator = rate_of(ref, figures)
        counts: list[tuple[Any, Any]] = [
            (label, _int(figures, name)) for name, label in COUNTS.get(ref, [])
        ]
        if ref == "account_security" and _int(figures, "hours_to_report_count"):
            mean = float(figures.get("hours_to_report_total") or 0) / _int(
                figures, "hours_to_report_count"
            )
            counts.append((_("mean hours to report"), f"{mean:.1f}"))
        rows.append(
            CriterionRate(
                ref=ref,
                title=title,
                level=level,
                url=f"{base}#criterion-{ref}",
                measure=RATES[ref][2],
                numerator=numerator,
                denominator=denominator,
                counts=counts,
            )
        )
    return rows


# --- Trends ----------------------------------------------------------------------------------

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
