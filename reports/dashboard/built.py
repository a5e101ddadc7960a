"""The registry part of a province's or the country's dashboard, from the built reports.

At the province and national levels a live scan of the registry (every page with three
``EXISTS``, every body with three) is the slow part of the page: seconds for the country.
There the dashboard reads what ``reports.build`` already wrote for the period instead:

- the counts of bodies and their gaps, and the incidents, summed over the ``ReportBodyRow``
  snapshot rows of the period's reports in reach (one aggregate);
- the counts of pages and their gaps over the ``ReportPageRow`` rows (one aggregate);
- the first bodies and pages with gaps from the same rows (two queries, as live; for the
  whole country each reads one class of gaps at a time, see ``first_with_gaps``);
- when the figures stand: the oldest and newest ``built_at`` of those reports (one query).

Each report holds the rows of its own unit's bodies and pages, so the rows of every report
in a subtree are the subtree's registry as built. The figures equal the live ones when the
reports are current (a build of a period not over yet, with nothing changed since); the page
says which build they stand at. Every query goes through the user's scope
(``selectors.reports_for``). Where nothing has been built for the period in reach, the
dashboard stays live.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from typing import Any

from django.db import connections
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.urls import reverse

from accounts_registry.models import PageState
from accounts_registry.selectors.pages import GAPS
from reports import selectors
from reports.dashboard.model import Gaps, PageGap
from reports.dashboard.reach import Reach
from reports.dashboard.registry import GAPS_LISTED, Registry, body_gap
from reports.models import ReportBodyRow, ReportingPeriod, ReportPageRow, UnitReport
from users import scope


@dataclass(frozen=True)
class AsOf:
    """When the built figures stand: the oldest and newest build of the reports read."""

    reports: int  # reports in reach for the period
    built: int  # of which built at least once
    oldest: datetime | None
    newest: datetime | None


def reads_built(reach: Reach) -> bool:
    """Whether the dashboard of ``reach`` reads built reports: a province or the country."""
    if not reach.subtree:
        return False
    return reach.unit is None or reach.unit.parent_id is None


def _reports(reach: Reach, period: ReportingPeriod) -> QuerySet[UnitReport]:
    return reach.within(selectors.reports_for(reach.user), "unit__path").filter(period=period)


def as_of(reach: Reach, period: ReportingPeriod) -> AsOf:
    """How many reports the figures come from, and when they were built (one query)."""
    row = _reports(reach, period).aggregate(
        reports=Count("pk"),
        built=Count("pk", filter=Q(built_at__isnull=False)),
        oldest=Min("built_at"),
        newest=Max("built_at"),
    )
    return AsOf(row["reports"], row["built"], row["oldest"], row["newest"])


_BODY_GAP = Q(has_contact=False) | Q(has_rules=False)
_PAGE_GAP = Q(has_contact=False) | Q(has_rules=False) | Q(verified=False) | Q(needs_review=True)
_INCIDENTS = (
    "incidents_opened",
    "incidents_reported",
    "incidents_resolved",
    "hours_to_report_total",
    "hours_to_report_count",
)


def built_registry(reach: Reach, period: ReportingPeriod) -> tuple[Registry, dict[str, Any]]:
    """The registry's counts and the period's incidents from the built rows (two queries).

    Rows are counted by their ``report`` (never null, like ``pk``): every column these read is
    in the rows' gap index, so PostgreSQL counts from the index alone, not the wide rows.
    """
    reports = _reports(reach, period)
    bodies = ReportBodyRow.objects.filter(report__in=reports).aggregate(
        bodies=Count("report"),
        bodies_with_contact=Count("report", filter=Q(has_contact=True)),
        bodies_contact_notified=Count("report", filter=Q(contact_notified=True)),
        bodies_with_rules=Count("report", filter=Q(has_rules=True)),
        bodies_with_gaps=Count("report", filter=_BODY_GAP),
        **{name: Sum(name) for name in _INCIDENTS},
    )
    incidents = {name: bodies.pop(name) or 0 for name in _INCIDENTS}
    incidents["hours_to_report_total"] = round(float(incidents["hours_to_report_total"]), 2)
    approved = Q(state=PageState.APPROVED)
    pages = ReportPageRow.objects.filter(report__in=reports).aggregate(
        pages_registered=Count("report"),
        pages_approved=Count("report", filter=approved),
        pages_verified=Count("report", filter=approved & Q(verified=True)),
        pages_needing_review=Count("report", filter=Q(needs_review=True)),
        pages_with_responsible_unit=Count("report", filter=approved & Q(has_responsible_unit=True)),
        pages_not_verified=Count("report", filter=Q(verified=False)),
        pages_with_gaps=Count("report", filter=_PAGE_GAP),
    )
    return Registry(bodies=bodies, pages=pages), incidents


def _page_gaps(row: Mapping[str, Any]) -> list[tuple[str, Any]]:
    flags = (
        ("no_contact", not row["has_contact"]),
        ("no_rules", not row["has_rules"]),
        ("not_verified", not row["verified"]),
        ("needs_review", row["needs_review"]),
    )
    return [(code, GAPS[code]) for code, missing in flags if missing]


# The gap lists' order: the gap flags first (these tuples, in that order), then the unit's path
# and names. Each flag combination is a *class* of rows; the first ten rows overall are the
# first ten of the first classes that hold any, which an index on (flags, report) reads
# report by report in unit-path order and stops at ten, where one sort of every row with a gap
# cannot (docs/benchmarks.md, "The national dashboard at full scale").
_BODY_CLASSES: tuple[Q, ...] = (
    Q(has_contact=False, has_rules=False),
    Q(has_contact=False, has_rules=True),
    Q(has_contact=True, has_rules=False),
)
_PAGE_CLASSES: tuple[Q, ...] = (
    Q(needs_review=True, has_contact=False, has_rules=False),
    Q(needs_review=True, has_contact=False, has_rules=True),
    Q(needs_review=True, has_contact=True, has_rules=False),
    Q(needs_review=True, has_contact=True, has_rules=True),
    Q(needs_review=False, has_contact=False, has_rules=False),
    Q(needs_review=False, has_contact=False, has_rules=True),
    Q(needs_review=False, has_contact=True, has_rules=False),
    # With every flag set, only an unverified page has a gap.
    Q(needs_review=False, has_contact=True, has_rules=True, verified=False),
)
# Within a class: the unit's path, then names. The flags' order is the classes' order.
_BODY_FLAGS: tuple[Any, ...] = ("has_contact", "has_rules")
_BODY_WITHIN: tuple[Any, ...] = ("report__unit_path", "body_name", "body_id")
_PAGE_FLAGS: tuple[Any, ...] = (F("needs_review").desc(), "has_contact", "has_rules")
_PAGE_WITHIN: tuple[Any, ...] = ("report__unit_path", "body_name", "name", "pk")
_BODY_FIELDS = ("body_id", "body_name", "unit_name", "has_contact", "has_rules")
_PAGE_FIELDS = (
    "page_id",
    "name",
    "platform",
    "body_name",
    "report__unit_name",
    "has_contact",
    "has_rules",
    "verified",
    "needs_review",
)


def by_class(reach: Reach, rows: QuerySet[Any]) -> bool:
    """Whether the gap lists are read class by class: for the whole country, on PostgreSQL.

    Read so, a class's rows come report by report in the order of every report of the period
    (an index on the reports' paths), so the walk is short when the reach holds them all. A
    province's reports lie together somewhere along that order, where the planner cannot
    know it: it may walk most of the country to reach them (seconds), while one sort of the
    province's rows with gaps is milliseconds. Where the database allows no limit in a part
    of a ``UNION ALL`` (SQLite, the embedded demo's small registry) the one sort serves too.
    """
    if not connections[rows.db].features.supports_slicing_ordering_in_compound:
        return False
    return reach.unit is None and scope.grants_for(reach.user).is_admin


def first_with_gaps(
    rows: QuerySet[Any],
    classes: tuple[Q, ...],
    flags: tuple[Any, ...],
    within: tuple[Any, ...],
    fields: tuple[str, ...],
    *,
    by_class: bool,
) -> list[dict[str, Any]]:
    """The first ``GAPS_LISTED`` of ``rows`` in any of ``classes``, ordered by ``flags`` then
    ``within`` (one query either way, the same rows in the same order).

    ``by_class``: the first rows of each class, each part ordered by ``within`` alone (its
    flags are constant: ordering by them too would hide the index's order from the planner)
    and limited, then merged (``UNION ALL``) and cut in the whole order. Otherwise one sort of
    every row of every class.
    """
    order = (*flags, *within)
    # The sort's columns are selected too: the merged parts are ordered by them.
    names = (item if isinstance(item, str) else item.expression.name for item in order)
    columns = (*fields, *(name for name in names if name not in fields))
    if not by_class:
        either = reduce(operator.or_, classes)
        return list(rows.filter(either).order_by(*order).values(*columns)[:GAPS_LISTED])
    parts = [rows.filter(one).order_by(*within).values(*columns)[:GAPS_LISTED] for one in classes]
    merged = parts[0].union(*parts[1:], all=True).order_by(*order)
    return list(merged[:GAPS_LISTED])


def built_gaps(reach: Reach, period: ReportingPeriod, registry: Registry) -> Gaps:
    """The gaps' counts, and the first bodies and pages with gaps, from the built rows."""
    bodies, pages = registry.bodies, registry.pages
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
    # The rows' own join to their report names the period too (besides the scope's
    # ``report_id IN (…)``): PostgreSQL then walks the period's reports by unit path.
    reports = _reports(reach, period)
    in_reach = Q(report__in=reports, report__period=period)
    walk = by_class(reach, ReportBodyRow.objects.all())
    if gaps.bodies_with_gaps:
        listed = first_with_gaps(
            ReportBodyRow.objects.filter(in_reach),
            _BODY_CLASSES,
            _BODY_FLAGS,
            _BODY_WITHIN,
            _BODY_FIELDS,
            by_class=walk,
        )
        gaps.body_list = [
            body_gap(
                body_id=row["body_id"],
                name=row["body_name"],
                unit_name=row["unit_name"],
                has_contact=row["has_contact"],
                has_rules=row["has_rules"],
            )
            for row in listed
        ]
    if gaps.pages_with_gaps:
        listed_pages = first_with_gaps(
            ReportPageRow.objects.filter(in_reach),
            _PAGE_CLASSES,
            _PAGE_FLAGS,
            _PAGE_WITHIN,
            _PAGE_FIELDS,
            by_class=walk,
        )
        gaps.page_list = [
            PageGap(
                page_id=row["page_id"],
                name=row["name"],
                platform=row["platform"],
                body_name=row["body_name"],
                unit_name=row["report__unit_name"],
                url=reverse("registry:page_detail", kwargs={"pk": row["page_id"]}),
                gaps=_page_gaps(row),
            )
            for row in listed_pages
        ]
    return gaps
