"""``build_dashboard``: the reach, the period and every part of the page, put together."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports import selectors
from reports.dashboard.built import as_of, built_gaps, built_registry, reads_built
from reports.dashboard.completeness import _bars, _below, _children, _completeness
from reports.dashboard.criteria import _criteria
from reports.dashboard.links import _report_url, dashboard_url
from reports.dashboard.model import SENT, Completeness, Crumb, Dashboard
from reports.dashboard.reach import Reach, default_unit, reach_of
from reports.dashboard.registry import _gaps, _live_figures, _registry
from reports.dashboard.trends import _trend
from reports.models import ReportingPeriod
from reports.periods import due_dates
from reports.periods_policy import province_id_of
from units.models import AdministrativeUnit
from users import scope

# How many periods the period picker offers.
PERIOD_CHOICES = 40


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
    # A province or the country: the registry as the period's reports were built (when they
    # were), not a live scan of every body and page below.
    stand = as_of(reach, period) if period is not None and reads_built(reach) else None
    incidents: dict[str, Any] | None = None
    if period is not None and stand is not None and stand.built:
        registry, incidents = built_registry(reach, period)
        gaps = built_gaps(reach, period, registry)
    else:
        stand = None
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
        report.totals
        if frozen and report is not None
        else _live_figures(reach, period, registry, incidents)
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
        source="report" if frozen else "built" if stand is not None else "live",
        criteria=criteria,
        gaps=gaps,
        trend=_trend(reach, period, completeness, figures),
        built=stand,
    )


def _root_title(user: Any) -> Any:
    if scope.grants_for(user).is_admin:
        return _("Whole country")
    return _("All units in your scope")


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
