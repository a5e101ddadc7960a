"""The portable build of a period's reports, through the ORM (the embedded SQLite).

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
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

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

from accounts_registry.models import ContactPerson, PageState, PostingRules, SocialPage
from accounts_registry.selectors.pages import with_gaps
from incidents.models import Incident, IncidentState
from reports import asof as registry_asof
from reports.asof import AsOf
from reports.build.common import (
    BATCH_SIZE,
    BODY_FIGURES,
    INSERT_BATCH_SIZE,
    BuildResult,
    UnitTree,
    empty_totals,
    local_bounds,
)
from reports.figures import hours_of
from reports.models import (
    BUILDABLE_STATES,
    TOTAL_FIELDS,
    ReportBodyRow,
    ReportChildRow,
    ReportingPeriod,
    ReportPageRow,
    ReportState,
    UnitReport,
)
from units.models import AdministrativeUnit, Body

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


def _lock_reports(period: ReportingPeriod, unit_ids: list[int]) -> list[UnitReport]:
    # Locked in a fixed order, so two builds (or a build and a submission) never deadlock;
    # a submission that locked a report first makes the build wait and then skip it.
    return list(
        UnitReport.objects.select_for_update()
        .filter(period=period, unit_id__in=unit_ids)
        .order_by("pk")
    )


def create_missing(period: ReportingPeriod, units: list[dict[str, Any]], *, now: datetime) -> int:
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


def build_batch(
    period: ReportingPeriod,
    batch: list[dict[str, Any]],
    *,
    refresh: bool,
    now: datetime,
    result: BuildResult,
    asof: AsOf | None = None,
    tree: UnitTree | None = None,
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
    for name in BODY_FIGURES:
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
