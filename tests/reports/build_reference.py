"""A plain reference computation of a period's reports, for the build equality tests.

Object by object, in Python loops over every row of the registry and its history, with no
cleverness and no shared code with ``reports.build``, ``reports.build_sql`` or
``reports.asof``: what each report of a period must hold (its unit's name and path, its
totals, its body, page and child rows), for the reports a build rewrites (draft or
returned). The rules are those of docs/reports.md ("Building a period" and "A past
period"), restated here.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from accounts_registry.models import ContactPerson, PageState, Platform, PostingRules, SocialPage
from incidents.models import Incident, IncidentState
from reports.models import (
    TOTAL_FIELDS,
    ReportBodyRow,
    ReportChildRow,
    ReportingPeriod,
    ReportPageRow,
    ReportState,
    UnitReport,
)
from units.models import AdministrativeUnit, Body, BodyTransfer, path_step

BUILT = (ReportState.DRAFT, ReportState.RETURNED)

BODY_COLUMNS = (
    "body_id", "body_name", "body_kind", "unit_id", "unit_name", "has_contact",
    "contact_notified", "has_rules", "pages_registered", "pages_approved", "pages_verified",
    "pages_needing_review", "pages_with_responsible_unit", "incidents_opened",
    "incidents_reported", "incidents_resolved", "hours_to_report_total",
    "hours_to_report_count",
)  # fmt: skip
PAGE_COLUMNS = (
    "page_id", "body_id", "body_name", "platform", "url", "name", "state", "verified",
    "has_contact", "has_rules", "has_responsible_unit", "needs_review",
)  # fmt: skip
CHILD_COLUMNS = (
    "child_unit_id", "child_name", "child_path", "child_report_id", "child_state",
    "child_submitted_at", "expected", "submitted", "on_time", "accepted", "missing",
    *TOTAL_FIELDS,
)  # fmt: skip


def snapshot(period: ReportingPeriod) -> dict[int, dict[str, Any]]:
    """Every report of the period as stored, by unit: state, snapshot fields, rows."""
    reports = {
        report["id"]: report
        for report in UnitReport.objects.filter(period=period).values(
            "id", "unit_id", "state", "unit_name", "unit_path", "totals"
        )
    }
    rows: dict[int, dict[str, list[tuple[Any, ...]]]] = {
        pk: {"bodies": [], "pages": [], "children": []} for pk in reports
    }
    for model, key, columns in (
        (ReportBodyRow, "bodies", BODY_COLUMNS),
        (ReportPageRow, "pages", PAGE_COLUMNS),
        (ReportChildRow, "children", CHILD_COLUMNS),
    ):
        for row in model.objects.filter(report__period=period).values_list("report_id", *columns):
            rows[row[0]][key].append(tuple(row[1:]))
    return {
        report["unit_id"]: {
            "state": report["state"],
            "unit_name": report["unit_name"],
            "unit_path": report["unit_path"],
            "totals": report["totals"],
            **{key: sorted(values, key=lambda row: row[0]) for key, values in rows[pk].items()},
        }
        for pk, report in reports.items()
    }


def _rows(queryset: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in queryset]


def _hours(delay: timedelta) -> float:
    micros = (delay.days * 86_400 + delay.seconds) * 1_000_000 + delay.microseconds
    exact = Decimal(micros) / Decimal(3_600_000_000)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _state_at(
    current: dict[str, Any], history: list[dict[str, Any]], at: datetime, stamp: str | None
) -> tuple[dict[str, Any] | None, bool]:
    """An object as it was at ``at`` (None: it did not exist), and whether its records begin
    later than that (then its own dates correct it)."""
    if stamp is not None and current[stamp] is not None and current[stamp] < at:
        return current, False  # nothing changed since
    before = [row for row in history if row["history_date"] < at]
    if before:
        last = before[-1]
        return (None if last["history_type"] == "-" else last), False
    if history:  # first recorded after ``at``: created then, or changed then
        first = history[0]
        return (first, True) if first["history_type"] == "~" else (None, False)
    return current, True  # never recorded: as it is


def _states(model: Any, at: datetime, stamp: str | None = "updated_at") -> dict[int, Any]:
    history: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in model.history.order_by("history_date", "history_id").values():
        history[row["id"]].append(row)
    states = {}
    for current in model.objects.values():
        state, late = _state_at(current, history[current["id"]], at, stamp)
        if state is not None:
            states[current["id"]] = {**state, "before_records": late}
    return states


def _units(period: ReportingPeriod, at: datetime | None) -> dict[int, dict[str, Any]]:
    day = period.ends_on
    units: dict[int, dict[str, Any]] = {}
    for unit in _rows(
        AdministrativeUnit.objects.values(
            "id", "name", "parent_id", "path", "valid_from", "valid_until"
        )
    ):
        if (unit["valid_from"] is None or unit["valid_from"] <= day) and (
            unit["valid_until"] is None or unit["valid_until"] >= day
        ):
            units[unit["id"]] = {key: unit[key] for key in ("id", "name", "parent_id", "path")}
    if at is None:
        return units
    for pk, unit in units.items():
        rows = [
            row
            for row in AdministrativeUnit.history.filter(id=pk)
            .order_by("history_date", "history_id")
            .values("name", "parent_id", "history_date")
            if row["history_date"] < at
        ]
        if rows:
            unit["name"] = rows[-1]["name"]
            if rows[-1]["parent_id"] is None or rows[-1]["parent_id"] in units:
                unit["parent_id"] = rows[-1]["parent_id"]

    def path(pk: int) -> str:
        parent = units[pk]["parent_id"]
        step = path_step(pk)
        return step if parent is None or parent not in units else path(parent) + step

    for pk, unit in units.items():
        unit["path"] = path(pk)
    return units


def expected(period: ReportingPeriod, *, now: datetime) -> dict[int, dict[str, Any]]:
    """What a build at ``now`` must write for each draft or returned report of the period."""
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(period.starts_on, time.min), zone)
    end = timezone.make_aware(datetime.combine(period.ends_on + timedelta(days=1), time.min), zone)
    past = end <= now
    at = end if past else None
    day: date = period.ends_on
    units = _units(period, at)
    platforms = {row["id"]: row["name"] for row in Platform.objects.values("id", "name")}

    def live(archived_at: datetime | None) -> bool:
        return archived_at is None or archived_at >= end

    # Bodies, in the unit they were in.
    if past:
        bodies = {}
        moves: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for move in _rows(
            BodyTransfer.objects.order_by(
                "reorganisation__effective_on", "reorganisation_id", "pk"
            ).values("body_id", "from_unit_id", "to_unit_id", "reorganisation__effective_on")
        ):
            moves[move["body_id"]].append(move)
        for pk, body in _states(Body, end).items():
            later = [m for m in moves[pk] if m["reorganisation__effective_on"] > day]
            unit = body["unit_id"]
            if later:
                unit = later[0]["from_unit_id"]
            else:
                for move in moves[pk]:
                    if move["from_unit_id"] == unit:
                        unit = move["to_unit_id"]
            if unit in units and live(body["archived_at"]):
                bodies[pk] = {**body, "unit_id": unit}
        contacts = [
            c
            for c in _states(ContactPerson, end).values()
            if c["body_id"] in bodies and live(c["archived_at"])
        ]
        notified = {
            c["body_id"]
            for c in contacts
            if c["notice_number"] and c["notice_date"] is not None and c["notice_date"] <= day
        }
        with_rules = {
            r["body_id"]
            for r in _states(PostingRules, end, stamp=None).values()
            if r["uploaded_at"] < end and live(r["superseded_at"])
        }
        pages = []
        for page in _states(SocialPage, end).values():
            state = page["state"]
            if page["before_records"]:

                def by(field: str, page: dict[str, Any] = page) -> bool:
                    return page[field] is not None and page[field] < end

                if state == PageState.ARCHIVED and by("archived_at"):
                    pass
                elif state in (PageState.APPROVED, PageState.ARCHIVED) and by("approved_at"):
                    state = PageState.APPROVED
                elif state == PageState.RETURNED and not by("submitted_at"):
                    state = PageState.DRAFT
                elif state in (PageState.APPROVED, PageState.ARCHIVED, PageState.SUBMITTED):
                    state = PageState.SUBMITTED if by("submitted_at") else PageState.DRAFT
            pages.append({**page, "state": state})
        cutoff = end - timedelta(days=settings.PORTAL_PAGE_RECONFIRM_DAYS)
        incidents = list(_states(Incident, end).values())
    else:
        bodies = {
            b["id"]: b
            for b in _rows(Body.objects.values())
            if b["unit_id"] in units and live(b["archived_at"])
        }
        contacts = [
            c
            for c in ContactPerson.objects.values()
            if c["body_id"] in bodies and c["archived_at"] is None
        ]
        notified = {
            c["body_id"] for c in contacts if c["notice_number"] and c["notice_date"] is not None
        }
        with_rules = {
            r["body_id"] for r in PostingRules.objects.values() if r["superseded_at"] is None
        }
        pages = _rows(SocialPage.objects.values())
        cutoff = now - timedelta(days=settings.PORTAL_PAGE_RECONFIRM_DAYS)
        incidents = list(Incident.objects.values())

    def inside(moment: datetime | None) -> bool:
        return moment is not None and start <= moment < end

    body_rows: dict[int, dict[str, Any]] = {}
    for pk, body in bodies.items():
        body_rows[pk] = {
            "body_id": pk,
            "body_name": body["name"],
            "body_kind": body["kind"],
            "unit_id": body["unit_id"],
            "unit_name": units[body["unit_id"]]["name"],
            "has_contact": any(c["body_id"] == pk for c in contacts),
            "contact_notified": pk in notified,
            "has_rules": pk in with_rules,
            **dict.fromkeys(BODY_COLUMNS[8:], 0),
            "delay": timedelta(0),
        }
    page_rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for page in pages:
        row = body_rows.get(page["body_id"])
        if row is None or page["state"] == PageState.ARCHIVED:
            continue
        approved = page["state"] == PageState.APPROVED
        needs_review = (
            approved and page["confirmed_at"] is not None and page["confirmed_at"] < cutoff
        )
        row["pages_registered"] += 1
        row["pages_approved"] += approved
        row["pages_verified"] += approved and page["is_platform_verified"]
        row["pages_needing_review"] += needs_review
        row["pages_with_responsible_unit"] += approved and bool(page["responsible_unit"])
        page_rows[page["body_id"]].append(
            {
                "page_id": page["id"],
                "body_id": page["body_id"],
                "body_name": row["body_name"],
                "platform": platforms[page["platform_id"]],
                "url": page["url"],
                "name": page["display_name"],
                "state": page["state"],
                "verified": page["is_platform_verified"],
                "has_contact": any(
                    c["body_id"] == page["body_id"] and c["page_id"] in (None, page["id"])
                    for c in contacts
                ),
                "has_rules": row["has_rules"],
                "has_responsible_unit": bool(page["responsible_unit"]),
                "needs_review": needs_review,
            }
        )
    for incident in incidents:
        row = body_rows.get(incident["body_id"])
        if row is None:
            continue
        row["incidents_opened"] += inside(incident["discovered_at"])
        if inside(incident["reported_to_platform_at"]):
            row["incidents_reported"] += 1
            row["hours_to_report_count"] += 1
            row["delay"] += incident["reported_to_platform_at"] - incident["discovered_at"]
        row["incidents_resolved"] += (
            inside(incident["closed_at"]) and incident["state"] == IncidentState.RESOLVED
        )
    for row in body_rows.values():
        row["hours_to_report_total"] = _hours(row.pop("delay"))

    reports = {
        report["unit_id"]: report
        for report in UnitReport.objects.filter(period=period).values(
            "id", "unit_id", "state", "submitted_at", "submitted_late", "totals", *(
                "info_consistent", "security_measures", "impersonation_scans",
                "fake_pages_found", "fake_pages_reported", "fake_pages_taken_down",
                "dissemination_sessions", "participants", "positive_posts",
                "comments_answered",
            ),
        )
    }  # fmt: skip
    result: dict[int, dict[str, Any]] = {}
    for pk, unit in units.items():
        report = reports[pk]
        if report["state"] not in BUILT:
            continue
        totals: dict[str, Any] = dict.fromkeys(TOTAL_FIELDS, 0)
        totals["hours_to_report_total"] = 0.0
        rows = [row for row in body_rows.values() if row["unit_id"] == pk]
        for row in rows:
            totals["bodies"] += 1
            for name in BODY_COLUMNS[8:]:
                totals[name] += row[name]
            totals["bodies_with_contact"] += row["has_contact"]
            totals["bodies_contact_notified"] += row["contact_notified"]
            totals["bodies_with_rules"] += row["has_rules"]
        children = []
        for child_id, child in units.items():
            if child["parent_id"] != pk:
                continue
            below: Any = reports.get(child_id)
            state = below["state"] if below else ""
            accepted = state == ReportState.ACCEPTED
            submitted = state in (ReportState.SUBMITTED, ReportState.ACCEPTED)
            figures = dict.fromkeys(TOTAL_FIELDS)
            if accepted:
                figures = {name: below["totals"].get(name, 0) for name in TOTAL_FIELDS}
                for name in TOTAL_FIELDS:
                    totals[name] += figures[name] or 0
            else:
                totals["units_missing"] += 1
            children.append(
                (
                    child_id, child["name"], child["path"], below["id"] if below else None,
                    state, below["submitted_at"] if below else None, True, submitted,
                    submitted and not below["submitted_late"], accepted, not accepted,
                    *figures.values(),
                )
            )  # fmt: skip
        totals["units_reporting"] += 1
        totals["units_info_consistent"] += bool(report["info_consistent"])
        totals["units_security_measures"] += bool(report["security_measures"])
        for name in (
            "impersonation_scans", "fake_pages_found", "fake_pages_reported",
            "fake_pages_taken_down", "dissemination_sessions", "participants",
            "positive_posts", "comments_answered",
        ):  # fmt: skip
            totals[name] += report[name] or 0
        totals["hours_to_report_total"] = round(totals["hours_to_report_total"], 2)
        result[pk] = {
            "state": report["state"],
            "unit_name": unit["name"],
            "unit_path": unit["path"],
            "totals": totals,
            "bodies": sorted(
                (tuple(row[name] for name in BODY_COLUMNS) for row in rows),
                key=lambda row: row[0],
            ),
            "pages": sorted(
                (
                    tuple(page[name] for name in PAGE_COLUMNS)
                    for row in rows
                    for page in page_rows[row["body_id"]]
                ),
                key=lambda row: row[0],
            ),
            "children": sorted(children, key=lambda row: row[0]),
        }
    return result


def small_registry_totals() -> dict[str, Any]:
    """Write a small registry through the services, build the current quarter with the
    default build of the database, and return every report's totals by unit name.

    Run in the test database (PostgreSQL: the SQL build) and in a fresh embedded SQLite one
    (``manage.py shell``: the ORM build), the two results must be equal.
    """
    from reports.build import build_period, default_engine
    from reports.models import PeriodKind
    from reports.periods import ensure_period
    from tests import factories
    from tests.accounts_registry.factories_pages import page, rules

    province = factories.province("Tỉnh Thanh Hóa", code="38")
    district = factories.district(province, "Huyện Cẩm Thủy", code="394")
    communes = [
        factories.commune(district, "Xã Cẩm Ngọc", code="15010"),
        factories.commune(district, "Xã Cẩm Thành", code="15001"),
    ]
    period = ensure_period(PeriodKind.QUARTERLY, timezone.localdate())
    zone = timezone.get_current_timezone()
    opening = timezone.make_aware(datetime.combine(period.starts_on, time(8)), zone)
    for number, unit in enumerate([district, *communes]):
        body = factories.BodyFactory.create(unit=unit, name=f"Ủy ban nhân dân {unit.name}")
        page(body, state=PageState.APPROVED, responsible_unit="Văn phòng" if number else "")
        page(body, state=PageState.SUBMITTED)
        page(body, state=PageState.ARCHIVED)
        ContactPerson.objects.create(
            body=body,
            name="Nguyễn Thị Hoa",
            phone="0912345678",
            notice_number="15/UBND-VP" if number else "",
            notice_date=timezone.localdate() if number else None,
        )
        if number != 1:
            rules(body)
        Incident.objects.create(
            body=body,
            kind="impersonation",
            description="Trang giả mạo.",
            source="body",
            discovered_at=opening + timedelta(hours=number),
            reported_to_platform_at=opening + timedelta(hours=5, seconds=18),
        )
    build_period(period)
    return {
        "engine": default_engine(),
        "reports": {
            report.unit_name: report.totals
            for report in UnitReport.objects.filter(period=period).order_by("unit_path")
        },
    }
