"""Building a period's reports: set-based, batched, idempotent.

``build_period`` has two ways of writing the same rows and totals:

- on PostgreSQL, the build inside the database (``reports.build_sql``): a fixed number of
  set-based statements (``INSERT … SELECT``, ``UPDATE … FROM (… GROUP BY …)``), the
  reports locked first, for the whole period in one transaction, or per batch of
  ``SQL_BATCH_SIZE`` units when a ``BuildRun`` watches the progress;
- elsewhere (the embedded SQLite), the portable ORM build of this module, below.

The ORM build writes the snapshot rows of every draft (or returned) report of a period
in a fixed number of queries per batch of units, whatever the number of units, bodies or
pages in the batch:

1. the units in force at the end of the period whose province requires the period's kind
   (``reports.periods_policy``: two queries for the whole build);

and for each batch of ``BATCH_SIZE`` units, in one transaction:

2. the batch's reports, locked (one query; missing reports are bulk-created first, and read
   back with one more query);
3. their bodies, with has-contact / contact-notified / has-rules as ``EXISTS`` (one query);
4. the live pages of those bodies, with the registry's own gap annotations (one query);
5. the incidents of the period, counted per body (one query);
6. the units directly below, and their reports for the period (two queries);
7. delete the old rows of the rebuilt reports, bulk-insert the new ones (three + three);
8. bulk-update the reports' snapshot fields and totals (one query).

Submitted and accepted reports are never rewritten: their rows are the snapshot taken when
they were last built. Rows are grouped by unit in Python, so nothing runs per unit or body.

A period that has ended is built from the registry as it stood at its end
(``reports.asof``): units with the name and parent they had then, bodies in the unit they
were in then, and the pages, contacts, rules and incidents as they were, read from their
history in a bounded number of queries per batch (steps 3-5 become about fifteen; the SQL
build computes the same states in SQL). A period not over yet is built from the current
registry, as above.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone

from accounts_registry.models import ContactPerson, PageState, PostingRules, SocialPage
from accounts_registry.selectors.pages import with_gaps
from incidents.models import Incident, IncidentState
from reports import asof as registry_asof
from reports import build_sql
from reports.asof import AsOf
from reports.figures import hours_of
from reports.models import (
    BUILDABLE_STATES,
    TOTAL_FIELDS,
    BuildRun,
    BuildState,
    ReportBodyRow,
    ReportChildRow,
    ReportingPeriod,
    ReportPageRow,
    ReportState,
    UnitReport,
)
from reports.periods_policy import province_id_of, required_kinds
from units.models import AdministrativeUnit, Body

logger = logging.getLogger(__name__)

# Units per transaction: bounds memory and lock time, and is how often progress is saved.
BATCH_SIZE = 1000
# The same, for the build inside PostgreSQL (``reports.build_sql``) run for a ``BuildRun``
# (otherwise it takes the period in one transaction): the country (10,810 units) is five.
SQL_BATCH_SIZE = 2500
# Rows per INSERT: keeps each statement well under the parameter limits of every backend.
INSERT_BATCH_SIZE = 1000

_FLOAT_TOTALS = {"hours_to_report_total"}

# Declared counts that are summed up the chain as they are.
_DECLARED_COUNTS = (
    "impersonation_scans",
    "fake_pages_found",
    "fake_pages_reported",
    "fake_pages_taken_down",
    "dissemination_sessions",
    "participants",
    "positive_posts",
    "comments_answered",
)


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


def build_period(
    period: ReportingPeriod,
    *,
    unit_ids: Iterable[int] | None = None,
    refresh: bool = True,
    run: BuildRun | None = None,
    now: datetime | None = None,
    batch_size: int | None = None,
    engine: str | None = None,
) -> BuildResult:
    """Create the period's missing reports and (re)build their rows.

    Without ``refresh`` only reports never built are built. ``unit_ids`` limits the build
    to some units (a submission refreshes its own report this way). With a ``run``, its
    progress is saved after every batch, outside the batch's transaction, so a UI polling
    it sees the count move.

    ``engine`` is ``"sql"`` (the build inside PostgreSQL, ``reports.build_sql``: the default
    there) or ``"orm"`` (the portable build of this module: the default elsewhere, such as
    the embedded SQLite). Both write the same rows and totals.
    """
    engine = engine or default_engine()
    if engine not in ("sql", "orm"):
        raise ValueError(f"unknown build engine {engine!r}")
    if engine == "sql" and connection.vendor != "postgresql":
        raise ValueError("the SQL build needs PostgreSQL")
    # Nobody watching the progress: the SQL build takes the period in one transaction.
    whole = engine == "sql" and run is None and batch_size is None
    batch_size = batch_size or (SQL_BATCH_SIZE if engine == "sql" else BATCH_SIZE)
    now = now or timezone.now()
    asof = registry_asof.as_of_for(period.ends_on, now=now)
    tree: _Tree | None = None
    if asof is None:
        units = units_of(period, unit_ids)
    else:
        # The whole hierarchy as it was, once: each batch's children are read from it.
        every = registry_asof.units_at(period.ends_on, asof.moment)
        tree = _Tree(every)
        chosen = set(unit_ids) if unit_ids is not None else None
        units = [unit for unit in every if chosen is None or unit["pk"] in chosen]
    # Only where the province asks for this kind of period; a unit's children share its
    # province, so the tree above needs no filtering.
    units = requiring_kind(period.kind, units)
    result = BuildResult(period_id=period.pk, units=len(units))
    if whole:
        batch_size = max(len(units), 1)
    # Every report exists before any is built, so each unit's child rows point at its
    # children's reports whichever batch they fall in: the first build equals the second.
    if engine == "sql":
        result.created = build_sql.create_missing(period, units, now=now)
    else:
        result.created = _create_missing(period, units, now=now)
    build_batch = _build_batch_sql if engine == "sql" else _build_batch
    if run is not None:
        BuildRun.objects.filter(pk=run.pk).update(total=len(units), done=0)
    for start in range(0, len(units), batch_size):
        batch = units[start : start + batch_size]
        with transaction.atomic():
            build_batch(
                period, batch, refresh=refresh, now=now, result=result, asof=asof, tree=tree
            )
        if run is not None:
            BuildRun.objects.filter(pk=run.pk).update(done=start + len(batch))
    return result


def default_engine() -> str:
    """The build inside the database on PostgreSQL, the ORM build elsewhere."""
    return "sql" if connection.vendor == "postgresql" else "orm"


def _build_batch_sql(
    period: ReportingPeriod,
    batch: list[dict[str, Any]],
    *,
    refresh: bool,
    now: datetime,
    result: BuildResult,
    asof: AsOf | None = None,
    tree: _Tree | None = None,
) -> None:
    """A batch built inside PostgreSQL: lock its reports, then ``build_sql.build_rows``."""
    units = {unit["pk"]: unit for unit in batch}
    reports = list(
        UnitReport.objects.select_for_update()
        .filter(period=period, unit_id__in=list(units))
        .order_by("pk")
        .values_list("pk", "unit_id", "state", "built_at")
    )
    targets = [
        build_sql.Target(pk, unit_id, units[unit_id]["name"], units[unit_id]["path"])
        for pk, unit_id, state, built_at in reports
        if state in BUILDABLE_STATES and (refresh or built_at is None)
    ]
    result.frozen += sum(state not in BUILDABLE_STATES for _pk, _unit, state, _at in reports)
    if not targets:
        return
    starts, ends = local_bounds(period)
    children = None
    if asof is not None and tree is not None:
        children = [child for target in targets for child in tree.below.get(target.unit_id, [])]
    written = build_sql.build_rows(
        period,
        targets,
        now=now,
        starts=starts,
        ends=ends,
        asof_day=asof.day if asof is not None else None,
        children=children,
    )
    result.rebuilt += len(targets)
    result.body_rows += written.body_rows
    result.page_rows += written.page_rows
    result.child_rows += written.child_rows


def _lock_reports(period: ReportingPeriod, unit_ids: list[int]) -> list[UnitReport]:
    # Locked in a fixed order, so two builds (or a build and a submission) never deadlock;
    # a submission that locked a report first makes the build wait and then skip it.
    return list(
        UnitReport.objects.select_for_update()
        .filter(period=period, unit_id__in=unit_ids)
        .order_by("pk")
    )


def _create_missing(period: ReportingPeriod, units: list[dict[str, Any]], *, now: datetime) -> int:
    """Bulk-create the reports missing for ``units``; a concurrent build's are skipped."""
    existing = UnitReport.objects.filter(period=period)
    if len(units) < BATCH_SIZE:
        existing = existing.filter(unit_id__in=[unit["pk"] for unit in units])
    have = set(existing.values_list("unit_id", flat=True).order_by())
    missing = [unit for unit in units if unit["pk"] not in have]
    # bulk_create is atomic on its own; it runs no query when nothing is missing.
    UnitReport.objects.bulk_create(
        [
            UnitReport(
                unit_id=unit["pk"],
                period=period,
                unit_name=unit["name"],
                unit_path=unit["path"],
                created_at=now,
            )
            for unit in missing
        ],
        ignore_conflicts=True,
        batch_size=INSERT_BATCH_SIZE,
    )
    return len(missing)


def _build_batch(
    period: ReportingPeriod,
    batch: list[dict[str, Any]],
    *,
    refresh: bool,
    now: datetime,
    result: BuildResult,
    asof: AsOf | None = None,
    tree: _Tree | None = None,
) -> None:
    units = {unit["pk"]: unit for unit in batch}
    reports = _lock_reports(period, list(units))
    targets = [
        report
        for report in reports
        if report.state in BUILDABLE_STATES and (refresh or report.built_at is None)
    ]
    result.frozen += sum(report.state not in BUILDABLE_STATES for report in reports)
    if not targets:
        return
    target_units = [report.unit_id for report in targets]

    bodies_by_unit: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if asof is None or tree is None:
        bodies = _bodies(period, target_units)
        body_ids = bodies.values("pk")
        for body in _body_values(bodies):
            bodies_by_unit[body["unit_id"]].append(body)
        pages_by_body = _pages(body_ids, now=now)
        incidents = _incident_counts(period, body_ids)
        children, child_reports = _children(period, target_units)
    else:
        start, _end = local_bounds(period)
        registry = registry_asof.registry_at(target_units, asof, starts=start)
        bodies_by_unit.update(registry.bodies_by_unit)
        pages_by_body = registry.pages_by_body
        incidents = registry.incidents_by_body
        children, child_reports = tree.children_of(period, target_units)

    body_rows: list[ReportBodyRow] = []
    page_rows: list[ReportPageRow] = []
    child_rows: list[ReportChildRow] = []
    for report in targets:
        unit = units[report.unit_id]
        totals = empty_totals()
        for body in bodies_by_unit.get(report.unit_id, []):
            pages = pages_by_body.get(body["pk"], [])
            body_row = _body_row(report, unit, body, pages, incidents.get(body["pk"], {}))
            body_rows.append(body_row)
            page_rows += [_page_row(report, body, page) for page in pages]
            _add_body(totals, body_row)
        for child in children.get(report.unit_id, []):
            child_row = _child_row(report, child, child_reports.get(child["pk"]))
            child_rows.append(child_row)
            _add_child(totals, child_row)
        _add_declarations(totals, report)
        report.unit_name = unit["name"]
        report.unit_path = unit["path"]
        report.totals = totals
        report.built_at = now

    target_ids = [report.pk for report in targets]
    ReportBodyRow.objects.filter(report_id__in=target_ids).delete()
    ReportPageRow.objects.filter(report_id__in=target_ids).delete()
    ReportChildRow.objects.filter(report_id__in=target_ids).delete()
    ReportBodyRow.objects.bulk_create(body_rows, batch_size=INSERT_BATCH_SIZE)
    ReportPageRow.objects.bulk_create(page_rows, batch_size=INSERT_BATCH_SIZE)
    ReportChildRow.objects.bulk_create(child_rows, batch_size=INSERT_BATCH_SIZE)
    # An upsert on the reports' unique key rather than bulk_update, which builds a CASE WHEN
    # per report and field (43,000 expressions for the country): most of the build's Python
    # time in the benchmark (docs/benchmarks.md).
    UnitReport.objects.bulk_create(
        targets,
        update_conflicts=True,
        unique_fields=["unit", "period"],
        update_fields=["unit_name", "unit_path", "totals", "built_at"],
        batch_size=INSERT_BATCH_SIZE,
    )
    result.rebuilt += len(targets)
    result.body_rows += len(body_rows)
    result.page_rows += len(page_rows)
    result.child_rows += len(child_rows)


def _bodies(period: ReportingPeriod, unit_ids: list[int]) -> QuerySet[Body]:
    """The bodies of the units at the end of the period (archived later still count)."""
    _start, end = local_bounds(period)
    return Body.objects.filter(
        Q(archived_at__isnull=True) | Q(archived_at__gte=end), unit_id__in=unit_ids
    )


def _body_values(bodies: QuerySet[Body]) -> QuerySet[Body, dict[str, Any]]:
    active_contacts = ContactPerson.objects.filter(body=OuterRef("pk"), archived_at__isnull=True)
    return (
        bodies.annotate(
            has_contact=Exists(active_contacts),
            contact_notified=Exists(
                active_contacts.exclude(notice_number="").filter(notice_date__isnull=False)
            ),
            has_rules=Exists(
                PostingRules.objects.filter(body=OuterRef("pk"), superseded_at__isnull=True)
            ),
        )
        .values("pk", "name", "kind", "unit_id", "has_contact", "contact_notified", "has_rules")
        .order_by("unit_id", "name", "pk")
    )


def _pages(body_ids: QuerySet[Any], *, now: datetime) -> dict[int, list[dict[str, Any]]]:
    """Live pages per body, with the registry's gap annotations (``with_gaps``)."""
    # The plugin cannot see with_gaps' annotations, hence the QuerySet[Any].
    gaps: QuerySet[Any] = with_gaps(SocialPage.objects.filter(body_id__in=body_ids), now=now)
    pages = (
        gaps.exclude(state=PageState.ARCHIVED)
        .values(
            "pk",
            "body_id",
            "platform__name",
            "url",
            "display_name",
            "state",
            "is_platform_verified",
            "responsible_unit",
            "has_contact",
            "has_rules",
            "needs_review",
        )
        .order_by("body_id", "platform__order", "display_name", "pk")
    )
    by_body: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for page in pages:
        by_body[page["body_id"]].append(page)
    return by_body


def _incident_counts(period: ReportingPeriod, body_ids: QuerySet[Any]) -> dict[int, dict[str, Any]]:
    """Per body: incidents discovered, reported to the platform and resolved in the period.

    The same figures as ``incidents.selectors.counts_by_body``, restricted to events inside
    the period and taking the bodies as a subquery rather than a list of ids.
    """
    start, end = local_bounds(period)

    def within(field: str) -> Q:
        return Q(**{f"{field}__gte": start, f"{field}__lt": end})

    delay = ExpressionWrapper(
        F("reported_to_platform_at") - F("discovered_at"), output_field=DurationField()
    )
    rows = (
        Incident.objects.filter(body_id__in=body_ids)
        .filter(within("discovered_at") | within("reported_to_platform_at") | within("closed_at"))
        .values("body_id")
        .annotate(
            opened=Count("pk", filter=within("discovered_at")),
            reported=Count("pk", filter=within("reported_to_platform_at")),
            resolved=Count("pk", filter=within("closed_at") & Q(state=IncidentState.RESOLVED)),
            delay_total=Sum(delay, filter=within("reported_to_platform_at")),
        )
        .order_by("body_id")
    )
    return {
        row["body_id"]: {
            "incidents_opened": row["opened"],
            "incidents_reported": row["reported"],
            "incidents_resolved": row["resolved"],
            "hours_to_report_total": hours_of(row["delay_total"]),
            "hours_to_report_count": row["reported"],
        }
        for row in rows
    }


def _children(
    period: ReportingPeriod, unit_ids: list[int]
) -> tuple[dict[int, list[dict[str, Any]]], dict[int, dict[str, Any]]]:
    """The units directly below (in force at the end of the period) and their reports."""
    below = AdministrativeUnit.objects.in_force_on(period.ends_on).filter(parent_id__in=unit_ids)
    children: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for child in below.order_by("path").values("pk", "name", "path", "parent_id"):
        children[child["parent_id"]].append(dict(child))
    if not children:
        return children, {}
    reports = UnitReport.objects.filter(period=period, unit_id__in=below.values("pk")).values(
        "pk", "unit_id", "state", "submitted_at", "submitted_late", "totals"
    )
    return children, {report["unit_id"]: dict(report) for report in reports}


class _Tree:
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


def _body_row(
    report: UnitReport,
    unit: dict[str, Any],
    body: dict[str, Any],
    pages: list[dict[str, Any]],
    incidents: dict[str, Any],
) -> ReportBodyRow:
    approved = [page for page in pages if page["state"] == PageState.APPROVED]
    return ReportBodyRow(
        report=report,
        body_id=body["pk"],
        body_name=body["name"],
        body_kind=body["kind"],
        unit_id=unit["pk"],
        unit_name=unit["name"],
        has_contact=body["has_contact"],
        contact_notified=body["contact_notified"],
        has_rules=body["has_rules"],
        pages_registered=len(pages),
        pages_approved=len(approved),
        pages_verified=sum(page["is_platform_verified"] for page in approved),
        pages_needing_review=sum(bool(page["needs_review"]) for page in pages),
        pages_with_responsible_unit=sum(bool(page["responsible_unit"]) for page in approved),
        **incidents,
    )


def _page_row(report: UnitReport, body: dict[str, Any], page: dict[str, Any]) -> ReportPageRow:
    return ReportPageRow(
        report=report,
        page_id=page["pk"],
        body_id=body["pk"],
        body_name=body["name"],
        platform=page["platform__name"],
        url=page["url"],
        name=page["display_name"],
        state=page["state"],
        verified=page["is_platform_verified"],
        has_contact=page["has_contact"],
        has_rules=page["has_rules"],
        has_responsible_unit=bool(page["responsible_unit"]),
        needs_review=bool(page["needs_review"]),
    )


def _child_row(
    report: UnitReport, child: dict[str, Any], child_report: dict[str, Any] | None
) -> ReportChildRow:
    state = child_report["state"] if child_report else ""
    submitted = state in (ReportState.SUBMITTED, ReportState.ACCEPTED)
    accepted = state == ReportState.ACCEPTED
    figures: dict[str, Any] = {}
    if child_report is not None and accepted:
        frozen = child_report["totals"] or {}
        figures = {name: frozen.get(name, 0) for name in TOTAL_FIELDS}
    return ReportChildRow(
        report=report,
        child_unit_id=child["pk"],
        child_name=child["name"],
        child_path=child["path"],
        child_report_id=child_report["pk"] if child_report else None,
        child_state=state,
        child_submitted_at=child_report["submitted_at"] if child_report else None,
        expected=True,
        submitted=submitted,
        on_time=submitted and not (child_report or {}).get("submitted_late", False),
        accepted=accepted,
        missing=not accepted,
        **figures,
    )


def _add_body(totals: dict[str, Any], row: ReportBodyRow) -> None:
    totals["bodies"] += 1
    for name in (
        "pages_registered",
        "pages_approved",
        "pages_verified",
        "pages_needing_review",
        "pages_with_responsible_unit",
        "incidents_opened",
        "incidents_reported",
        "incidents_resolved",
        "hours_to_report_total",
        "hours_to_report_count",
    ):
        totals[name] += getattr(row, name)
    totals["bodies_with_contact"] += row.has_contact
    totals["bodies_contact_notified"] += row.contact_notified
    totals["bodies_with_rules"] += row.has_rules


def _add_child(totals: dict[str, Any], row: ReportChildRow) -> None:
    if not row.accepted:
        totals["units_missing"] += 1
        return
    for name in TOTAL_FIELDS:
        totals[name] += getattr(row, name) or 0


def _add_declarations(totals: dict[str, Any], report: UnitReport) -> None:
    totals["units_reporting"] += 1
    totals["units_info_consistent"] += bool(report.info_consistent)
    totals["units_security_measures"] += bool(report.security_measures)
    for name in _DECLARED_COUNTS:
        totals[name] += getattr(report, name) or 0
    totals["hours_to_report_total"] = round(totals["hours_to_report_total"], 2)


def run_build(run_id: int) -> str:
    """Run a queued ``BuildRun`` (the Celery task's body); a finished run is not run again.

    A run found ``running`` is run again: its worker died, and the build is idempotent.
    """
    claimed = BuildRun.objects.filter(
        pk=run_id, state__in=[BuildState.QUEUED, BuildState.RUNNING]
    ).update(state=BuildState.RUNNING, started_at=timezone.now(), error="")
    if not claimed:
        return "skipped"
    run = BuildRun.objects.select_related("period").get(pk=run_id)
    try:
        build_period(run.period, refresh=run.refresh, run=run)
    except Exception as exc:
        logger.exception("Build run %s failed", run_id)
        BuildRun.objects.filter(pk=run_id).update(
            state=BuildState.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        return "failed"
    BuildRun.objects.filter(pk=run_id).update(state=BuildState.DONE, finished_at=timezone.now())
    return "done"
