"""The rows and totals of a batch's reports, from the temporary tables of the registry.

One statement writes the page, body and child rows and the reports' snapshot fields and
totals: the three ``INSERT … SELECT`` are data-modifying ``WITH`` queries, the body rows sum
the page rows' ``RETURNING`` rows per body, and the ``UPDATE … FROM (… GROUP BY …)`` sums
the body and child rows' ``RETURNING`` rows per report, so no row just written is read back
from its table, and the pages go straight from the registry into the page rows.
"""

from __future__ import annotations

# ruff: noqa: S608 - table and column names and choice constants only (see common)
from typing import Any

from accounts_registry.models import PageState
from reports.build.common import BODY_FIGURES
from reports.build_sql.common import DECLARED_COUNTS, Sources, table
from reports.models import (
    TOTAL_FIELDS,
    ReportBodyRow,
    ReportChildRow,
    ReportPageRow,
    ReportState,
    UnitReport,
)
from units.models import AdministrativeUnit


def write_rows_and_totals(
    cursor: Any, p: dict[str, Any], sources: Sources, children: list[dict[str, Any]] | None
) -> tuple[int, int, int]:
    """The page, body and child rows, then each report's totals from them, its accepted
    children and its own declarations: one statement (two when ``children`` go into a
    temporary table first). Returns the numbers of body, page and child rows written."""
    source = _children(cursor, children)
    cursor.execute(
        f"""WITH page_rows AS ({_page_rows(sources.pages)}),
            body_rows AS ({_body_rows(sources.incidents)}),
            child_rows AS ({_child_rows(source)}),
            reports AS ({_update_totals()} RETURNING 1)
        SELECT (SELECT count(*) FROM body_rows), (SELECT count(*) FROM page_rows),
               (SELECT count(*) FROM child_rows), (SELECT count(*) FROM reports)""",
        p,
    )
    body_rows, page_rows, child_rows, _reports = cursor.fetchone()
    return int(body_rows), int(page_rows), int(child_rows)


def _page_rows(pages: str) -> str:
    """The page rows, from ``pages`` (the live pages of the bodies with their gap flags)."""
    return f"""INSERT INTO {table(ReportPageRow)} (report_id, page_id, body_id, body_name,
            platform, url, name, state, verified, has_contact, has_rules,
            has_responsible_unit, needs_review)
        SELECT b.report_id, g.page_id, g.body_id, b.name, g.platform, g.url, g.name,
            g.state, g.verified, g.has_contact, b.has_rules, g.has_responsible_unit,
            g.needs_review
        FROM ({pages}) g JOIN _rb_body b ON b.body_id = g.body_id
        RETURNING body_id, state, verified, needs_review, has_responsible_unit"""


def _body_rows(incidents: str) -> str:
    """The body rows, with their pages' figures (summed over ``page_rows``) and
    ``incidents`` (per body) joined."""
    approved = PageState.APPROVED.value
    figures = ", ".join(BODY_FIGURES)
    return f"""INSERT INTO {table(ReportBodyRow)} (report_id, body_id, body_name, body_kind,
            unit_id, unit_name, has_contact, contact_notified, has_rules, {figures})
        SELECT b.report_id, b.body_id, b.name, b.kind, b.unit_id, b.unit_name, b.has_contact,
            b.contact_notified, b.has_rules,
            COALESCE(g.registered, 0), COALESCE(g.approved, 0), COALESCE(g.verified, 0),
            COALESCE(g.needing_review, 0), COALESCE(g.responsible, 0),
            COALESCE(i.opened, 0), COALESCE(i.reported, 0), COALESCE(i.resolved, 0),
            COALESCE(i.hours, 0), COALESCE(i.reported, 0)
        FROM _rb_body b
        LEFT JOIN (
            SELECT body_id, count(*) AS registered,
                count(*) FILTER (WHERE state = '{approved}') AS approved,
                count(*) FILTER (WHERE state = '{approved}' AND verified) AS verified,
                count(*) FILTER (WHERE needs_review) AS needing_review,
                count(*) FILTER (WHERE state = '{approved}' AND has_responsible_unit)
                    AS responsible
            FROM page_rows GROUP BY body_id) g ON g.body_id = b.body_id
        LEFT JOIN ({incidents}) i ON i.body_id = b.body_id
        RETURNING report_id, has_contact, contact_notified, has_rules, {figures}"""


def _children(cursor: Any, children: list[dict[str, Any]] | None) -> str:
    """The units directly below the targets: in force at the end of the period, or
    ``children`` (as they were then) put into a temporary table."""
    if children is None:
        units = table(AdministrativeUnit)
        return f"""(SELECT u.id, u.parent_id, u.name, u.path FROM {units} u
            WHERE u.parent_id IN (SELECT unit_id FROM _rb_target)
              AND (u.valid_from IS NULL OR u.valid_from <= %(ends_on)s)
              AND (u.valid_until IS NULL OR u.valid_until >= %(ends_on)s))"""
    cursor.execute(
        """CREATE TEMPORARY TABLE _rb_child ON COMMIT DROP AS
        SELECT * FROM unnest(%(ids)s::integer[], %(parents)s::integer[], %(names)s::text[],
                             %(paths)s::text[]) AS c(id, parent_id, name, path)""",
        {
            "ids": [child["pk"] for child in children],
            "parents": [child["parent_id"] for child in children],
            "names": [child["name"] for child in children],
            "paths": [child["path"] for child in children],
        },
    )
    return "_rb_child"


def _child_rows(source: str) -> str:
    """The child rows: each unit below, its report's state and lateness and, when accepted,
    its frozen totals read from its ``totals`` (as they were before this statement)."""
    accepted, submitted = ReportState.ACCEPTED.value, ReportState.SUBMITTED.value
    figures = ", ".join(TOTAL_FIELDS)

    def frozen(name: str) -> str:
        kind = "double precision" if name == "hours_to_report_total" else "numeric"
        value = f"(r.totals ->> '{name}')::{kind}"
        if kind == "numeric":
            value = f"round({value})::integer"
        return f"""CASE WHEN r.state = '{accepted}' THEN
            CASE WHEN r.totals ? '{name}' THEN {value} ELSE 0 END END"""

    return f"""INSERT INTO {table(ReportChildRow)} (report_id, child_unit_id, child_name,
            child_path, child_report_id, child_state, child_submitted_at, expected, submitted,
            on_time, accepted, missing, {figures})
        SELECT t.report_id, c.id, c.name, c.path, r.id, COALESCE(r.state, ''),
            r.submitted_at, true,
            COALESCE(r.state IN ('{submitted}', '{accepted}'), false),
            COALESCE(r.state IN ('{submitted}', '{accepted}') AND NOT r.submitted_late, false),
            COALESCE(r.state = '{accepted}', false),
            NOT COALESCE(r.state = '{accepted}', false),
            {", ".join(frozen(name) for name in TOTAL_FIELDS)}
        FROM {source} c
        JOIN _rb_target t ON t.unit_id = c.parent_id
        LEFT JOIN {table(UnitReport)} r ON r.unit_id = c.id AND r.period_id = %(period)s
        RETURNING report_id, accepted, {figures}"""


def _update_totals() -> str:
    """Each report's totals: its body rows, its accepted children, its own declarations
    (``body_rows`` and ``child_rows``: the ``RETURNING`` rows of the two inserts)."""
    body_sums = {name: f"sum(b.{name})" for name in BODY_FIGURES}
    body_sums.update(
        bodies="count(*)",
        bodies_with_contact="count(*) FILTER (WHERE b.has_contact)",
        bodies_contact_notified="count(*) FILTER (WHERE b.contact_notified)",
        bodies_with_rules="count(*) FILTER (WHERE b.has_rules)",
    )
    own = {name: f"COALESCE(u.{name}, 0)" for name in DECLARED_COUNTS}
    own.update(
        units_reporting="1",
        units_info_consistent="COALESCE(u.info_consistent::integer, 0)",
        units_security_measures="COALESCE(u.security_measures::integer, 0)",
    )
    child_sums = {name: f"sum(c.{name}) FILTER (WHERE c.accepted)" for name in TOTAL_FIELDS}
    child_sums["units_missing"] = (
        "count(*) FILTER (WHERE NOT c.accepted) + "
        "COALESCE(sum(c.units_missing) FILTER (WHERE c.accepted), 0)"
    )

    def total(name: str) -> str:
        parts = [f"COALESCE(c.{name}, 0)"]
        if name in body_sums:
            parts.append(f"COALESCE(b.{name}, 0)")
        if name in own:
            parts.append(own[name])
        value = " + ".join(parts)
        if name == "hours_to_report_total":
            return f"round(({value})::numeric, 2)"
        return value

    pairs = ", ".join(f"'{name}', {total(name)}" for name in TOTAL_FIELDS)
    return f"""UPDATE {table(UnitReport)} u SET unit_name = t.unit_name, unit_path = t.unit_path,
            built_at = %(now)s, totals = jsonb_build_object({pairs})
        FROM _rb_target t
        LEFT JOIN (SELECT b.report_id,
                          {", ".join(f"{sql} AS {name}" for name, sql in body_sums.items())}
                   FROM body_rows b GROUP BY b.report_id) b ON b.report_id = t.report_id
        LEFT JOIN (SELECT c.report_id,
                          {", ".join(f"{sql} AS {name}" for name, sql in child_sums.items())}
                   FROM child_rows c GROUP BY c.report_id) c ON c.report_id = t.report_id
        WHERE u.id = t.report_id"""
