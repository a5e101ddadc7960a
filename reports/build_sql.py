"""The build inside PostgreSQL: a batch of reports written by set-based statements.

``reports.build.build_period`` calls this module on PostgreSQL (the ORM build of
``reports.build`` stays the portable path, used on SQLite). For a batch of reports, already
locked by the caller, a fixed number of statements whatever the number of units, bodies or
pages in it:

1. the batch's reports (and, for a past period, the units directly below as they were)
   into temporary tables, one ``INSERT … SELECT … FROM unnest(…)`` each;
2. the old rows of those reports deleted (one statement);
3. the bodies of the units, with has-contact / contact-notified / has-rules; their live
   pages with the registry's gap flags; the incidents of the period counted per body:
   one ``CREATE TEMPORARY TABLE … AS SELECT`` each;
4. the body, page and child rows: one ``INSERT … SELECT`` each;
5. the reports' snapshot fields and totals: one ``UPDATE … FROM (… GROUP BY …)`` over the
   rows just written, the declarations and the accepted children's frozen totals.

A period that has ended is read as the registry stood at its end, with the rules of
``reports.asof`` written in SQL: the state of an object at a moment is its current row when
unchanged since, else its latest history row before the moment (``DISTINCT ON (id) …
ORDER BY id, history_date DESC``), else, when its creation was never recorded, its earliest
recorded state corrected by its own dates; bodies moved by a reorganisation are put back
where ``BodyTransfer`` says they were (a recursive walk over their transfers). That adds
five statements (candidate bodies, contacts, rules, the bodies' flags, the units below).

Hours from discovery to report are rounded per body to two decimals from the exact
microseconds, half away from zero, as ``reports.figures.hours_of`` does on the other path.
"""

from __future__ import annotations

# Every piece put into these statements by string formatting is a table or column name from
# the models' metadata, or a choice constant of the models: values always go as parameters.
# ruff: noqa: S608
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Model
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
from units.models import AdministrativeUnit, Body, BodyTransfer, Reorganisation

# Temporary tables of one batch, dropped at its end (and with the transaction if it fails).
_TEMP = (
    "_rb_target, _rb_child, _rb_cand, _rb_placed, _rb_contact, _rb_rules, _rb_body, _rb_page, "
    "_rb_incident"
)

_BODY_FIGURES = (
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
)
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


@dataclass(frozen=True)
class Target:
    """A report to build: its id, its unit, and the unit's name and path for the period."""

    report_id: int
    unit_id: int
    unit_name: str
    unit_path: str


@dataclass(frozen=True)
class Written:
    body_rows: int
    page_rows: int
    child_rows: int


def _t(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _h(model: type[Model]) -> str:
    return connection.ops.quote_name(model.history.model._meta.db_table)  # type: ignore[attr-defined]


def hours_sql(interval: str) -> str:
    """A summed interval as hours rounded to two decimals (exact, half away from zero)."""
    return f"round(extract(epoch FROM {interval}) / 3600, 2)::double precision"


def create_missing(period: ReportingPeriod, units: list[dict[str, Any]], *, now: datetime) -> int:
    """Insert the reports missing for ``units`` in one statement; a concurrent build's win."""
    if not units:
        return 0
    given = {"unit_id", "period_id", "unit_name", "unit_path", "created_at", "updated_at"}
    columns: list[str] = []
    values: list[str] = []
    params: list[Any] = [
        [unit["pk"] for unit in units],
        [unit["name"] for unit in units],
        [unit["path"] for unit in units],
    ]
    for field in UnitReport._meta.concrete_fields:
        if field.primary_key or field.attname in given:
            continue
        columns.append(connection.ops.quote_name(field.column))
        values.append("%s")
        params.append(field.get_db_prep_save(field.get_default(), connection))
    sql = f"""
        INSERT INTO {_t(UnitReport)} (unit_id, unit_name, unit_path, period_id, created_at,
                                      updated_at, {", ".join(columns)})
        SELECT u.unit_id, u.unit_name, u.unit_path, %s, %s, %s, {", ".join(values)}
        FROM unnest(%s::integer[], %s::text[], %s::text[]) AS u(unit_id, unit_name, unit_path)
        ON CONFLICT (unit_id, period_id) DO NOTHING
    """
    head = [period.pk, now, timezone.now()]
    # The unnest arrays come first in the SELECT list's FROM, after the constants: reorder.
    ordered = [*head, *params[3:], *params[:3]]
    with connection.cursor() as cursor:
        cursor.execute(sql, ordered)
        return int(cursor.rowcount)


def build_rows(
    period: ReportingPeriod,
    targets: list[Target],
    *,
    now: datetime,
    starts: datetime,
    ends: datetime,
    asof_day: date | None,
    children: list[dict[str, Any]] | None,
) -> Written:
    """Write the rows and totals of ``targets`` (locked by the caller, in its transaction).

    ``asof_day`` is the last day of a period that has ended (``ends`` is then the moment it
    is read at), None for a period not over yet. ``children`` are the units directly below
    the targets as they were then (``reports.asof.units_at``); None reads the units in
    force at the end of the period.
    """
    with connection.cursor() as cursor:

        def run(sql: str, params: dict[str, Any] | None = None) -> int:
            cursor.execute(sql, params or {})
            return int(cursor.rowcount)

        p: dict[str, Any] = {
            "period": period.pk,
            "starts": starts,
            "ends": ends,
            "now": now,
            "ends_on": period.ends_on,
        }
        run(
            """CREATE TEMPORARY TABLE _rb_target ON COMMIT DROP AS
            SELECT * FROM unnest(%(ids)s::integer[], %(units)s::integer[], %(names)s::text[],
                                 %(paths)s::text[]) AS t(report_id, unit_id, unit_name, unit_path)""",
            {
                "ids": [target.report_id for target in targets],
                "units": [target.unit_id for target in targets],
                "names": [target.unit_name for target in targets],
                "paths": [target.unit_path for target in targets],
            },
        )
        run(
            f"""WITH gone_pages AS (
                    DELETE FROM {_t(ReportPageRow)}
                    WHERE report_id IN (SELECT report_id FROM _rb_target) RETURNING 1),
                gone_children AS (
                    DELETE FROM {_t(ReportChildRow)}
                    WHERE report_id IN (SELECT report_id FROM _rb_target) RETURNING 1)
            DELETE FROM {_t(ReportBodyRow)} WHERE report_id IN (SELECT report_id FROM _rb_target)"""
        )
        if asof_day is None:
            cutoff = now - timedelta(days=settings.PORTAL_PAGE_RECONFIRM_DAYS)
            _current_registry(run, {**p, "cutoff": cutoff})
        else:
            cutoff = ends - timedelta(days=settings.PORTAL_PAGE_RECONFIRM_DAYS)
            _registry_at(run, {**p, "cutoff": cutoff, "day": asof_day})
        body_rows = _insert_body_rows(run)
        page_rows = run(
            f"""INSERT INTO {_t(ReportPageRow)} (report_id, page_id, body_id, body_name, platform,
                url, name, state, verified, has_contact, has_rules, has_responsible_unit,
                needs_review)
            SELECT b.report_id, g.page_id, g.body_id, b.name, g.platform, g.url, g.name, g.state,
                g.verified, g.has_contact, b.has_rules, g.has_responsible_unit, g.needs_review
            FROM _rb_page g JOIN _rb_body b ON b.body_id = g.body_id"""
        )
        child_rows = _insert_child_rows(run, p, children)
        _update_totals(run, p)
        run(f"DROP TABLE IF EXISTS {_TEMP}")
    return Written(body_rows=body_rows, page_rows=page_rows, child_rows=child_rows)


# --- the registry now ---------------------------------------------------------------------


def _current_registry(run: Any, p: dict[str, Any]) -> None:
    run(
        f"""CREATE TEMPORARY TABLE _rb_placed ON COMMIT DROP AS
        SELECT t.report_id, b.id AS body_id, b.name, b.kind, b.unit_id, t.unit_name
        FROM {_t(Body)} b JOIN _rb_target t ON t.unit_id = b.unit_id
        WHERE b.archived_at IS NULL OR b.archived_at >= %(ends)s""",
        p,
    )
    run(
        f"""CREATE TEMPORARY TABLE _rb_contact ON COMMIT DROP AS
        SELECT c.body_id, c.page_id,
            (c.notice_number <> '' AND c.notice_date IS NOT NULL) AS notified
        FROM {_t(ContactPerson)} c
        WHERE c.archived_at IS NULL AND c.body_id IN (SELECT body_id FROM _rb_placed)"""
    )
    run(
        f"""CREATE TEMPORARY TABLE _rb_rules ON COMMIT DROP AS
        SELECT DISTINCT r.body_id FROM {_t(PostingRules)} r
        WHERE r.superseded_at IS NULL AND r.body_id IN (SELECT body_id FROM _rb_placed)"""
    )
    _bodies_with_flags(run)
    run(
        f"""CREATE TEMPORARY TABLE _rb_page ON COMMIT DROP AS
        SELECT g.id AS page_id, g.body_id, f.name AS platform, g.url, g.display_name AS name,
            g.state, g.is_platform_verified AS verified,
            (b.has_default_contact OR own.page_id IS NOT NULL) AS has_contact,
            g.responsible_unit <> '' AS has_responsible_unit,
            COALESCE(g.state = '{PageState.APPROVED}' AND g.confirmed_at < %(cutoff)s, false)
                AS needs_review
        FROM {_t(SocialPage)} g
        JOIN _rb_body b ON b.body_id = g.body_id
        JOIN {_t(Platform)} f ON f.id = g.platform_id
        LEFT JOIN ({_OWN_CONTACTS}) own ON own.body_id = g.body_id AND own.page_id = g.id
        WHERE g.state <> '{PageState.ARCHIVED}'""",
        p,
    )
    _incidents(run, p, _t(Incident) + " i WHERE i.body_id IN (SELECT body_id FROM _rb_body)")


# The pages with a contact of their own (else a page has its body's default contact, if any).
_OWN_CONTACTS = "SELECT DISTINCT body_id, page_id FROM _rb_contact WHERE page_id IS NOT NULL"


def _bodies_with_flags(run: Any) -> None:
    """The placed bodies with has-contact, contact-notified, has-rules (grouped joins)."""
    run(
        """CREATE TEMPORARY TABLE _rb_body ON COMMIT DROP AS
        SELECT b.*, c.body_id IS NOT NULL AS has_contact,
            COALESCE(c.notified, false) AS contact_notified,
            COALESCE(c.has_default, false) AS has_default_contact,
            r.body_id IS NOT NULL AS has_rules
        FROM _rb_placed b
        LEFT JOIN (SELECT body_id, bool_or(notified) AS notified,
                          bool_or(page_id IS NULL) AS has_default
                   FROM _rb_contact GROUP BY body_id) c ON c.body_id = b.body_id
        LEFT JOIN _rb_rules r ON r.body_id = b.body_id"""
    )


def _incidents(run: Any, p: dict[str, Any], source: str) -> None:
    """Per body, the incidents discovered, reported and resolved in [starts, ends)."""

    def within(column: str) -> str:
        return f"(i.{column} >= %(starts)s AND i.{column} < %(ends)s)"

    run(
        f"""CREATE TEMPORARY TABLE _rb_incident ON COMMIT DROP AS
        SELECT i.body_id,
            count(*) FILTER (WHERE {within("discovered_at")}) AS opened,
            count(*) FILTER (WHERE {within("reported_to_platform_at")}) AS reported,
            count(*) FILTER (WHERE {within("closed_at")}
                             AND i.state = '{IncidentState.RESOLVED}') AS resolved,
            {
            hours_sql(
                f"sum(i.reported_to_platform_at - i.discovered_at) FILTER "
                f"(WHERE {within('reported_to_platform_at')})"
            )
        } AS hours
        FROM {source}
          AND ({within("discovered_at")} OR {within("reported_to_platform_at")}
               OR {within("closed_at")})
        GROUP BY i.body_id""",
        p,
    )


# --- the registry at the end of a past period ---------------------------------------------


def _states(
    model: type[Model], fields: tuple[str, ...], related: str, *, stamp: str | None = "updated_at"
) -> str:
    """The state at ``%(ends)s`` of the objects of ``model`` that ``related`` selects.

    ``related`` is a condition on the columns of alias ``o``, true for an object when it
    holds for its current row or any of its history rows. The SQL of ``reports.asof``'s
    ``states_at``, rule for rule: unchanged since (``stamp`` before the moment): the current
    row; else the latest history row before the moment (none if a deletion); else, with no
    history row that early, the earliest one if it records a change (creation never
    recorded), or the current row if it has no history at all. Columns: ``id``, ``fields``
    and ``before_records`` (true under the last two rules).
    """
    cols = ", ".join(fields)
    o_cols = ", ".join(f"o.{name}" for name in fields)
    unchanged = f"(o.{stamp} IS NOT NULL AND o.{stamp} < %(ends)s)" if stamp else "false"
    ids = f"""SELECT o.id FROM {_t(model)} o WHERE {related}
        UNION SELECT o.id FROM {_h(model)} o WHERE {related}"""
    return f"""(WITH ids AS ({ids}),
        cur AS (SELECT o.id, {o_cols}, {unchanged} AS unchanged
                FROM {_t(model)} o JOIN ids ON ids.id = o.id),
        pending AS (SELECT id FROM cur WHERE NOT unchanged),
        latest AS (SELECT DISTINCT ON (o.id) o.id, {o_cols}, o.history_type
                   FROM {_h(model)} o JOIN pending ON pending.id = o.id
                   WHERE o.history_date < %(ends)s
                   ORDER BY o.id, o.history_date DESC, o.history_id DESC),
        earliest AS (SELECT DISTINCT ON (o.id) o.id, {o_cols}, o.history_type
                     FROM {_h(model)} o JOIN pending ON pending.id = o.id
                     WHERE NOT EXISTS (SELECT 1 FROM latest WHERE latest.id = o.id)
                     ORDER BY o.id, o.history_date, o.history_id)
        SELECT id, {cols}, false AS before_records FROM cur WHERE unchanged
        UNION ALL SELECT id, {cols}, false FROM latest WHERE history_type <> '-'
        UNION ALL SELECT id, {cols}, true FROM earliest WHERE history_type = '~'
        UNION ALL SELECT o.id, {o_cols}, true FROM cur o
            WHERE NOT o.unchanged AND NOT EXISTS (SELECT 1 FROM {_h(model)} h WHERE h.id = o.id)
    )"""


def _registry_at(run: Any, p: dict[str, Any]) -> None:
    live = "(s.archived_at IS NULL OR s.archived_at >= %(ends)s)"
    transfers, reorganisations = _t(BodyTransfer), _t(Reorganisation)
    # Bodies that are, were or may have been in the units: a superset.
    run(
        f"""CREATE TEMPORARY TABLE _rb_cand ON COMMIT DROP AS
        SELECT id FROM {_t(Body)} WHERE unit_id IN (SELECT unit_id FROM _rb_target)
        UNION SELECT id FROM {_h(Body)} WHERE unit_id IN (SELECT unit_id FROM _rb_target)
        UNION SELECT body_id FROM {transfers}
        WHERE from_unit_id IN (SELECT unit_id FROM _rb_target)
           OR to_unit_id IN (SELECT unit_id FROM _rb_target)"""
    )
    bodies = _states(
        Body, ("name", "kind", "unit_id", "archived_at"), "o.id IN (SELECT id FROM _rb_cand)"
    )
    # The unit a body was in on the day: before the first reorganisation effective after
    # it, that one's from_unit; else its recorded unit carried through the transfers
    # effective by then, in order (reports.asof._unit_then).
    run(
        f"""CREATE TEMPORARY TABLE _rb_placed ON COMMIT DROP AS
        WITH RECURSIVE s AS {bodies},
        moves AS (
            SELECT m.body_id, m.from_unit_id, m.to_unit_id, r.effective_on,
                   row_number() OVER (PARTITION BY m.body_id
                                      ORDER BY r.effective_on, m.reorganisation_id, m.id) AS n
            FROM {transfers} m JOIN {reorganisations} r ON r.id = m.reorganisation_id
            WHERE m.body_id IN (SELECT id FROM s)),
        later AS (
            SELECT DISTINCT ON (body_id) body_id, from_unit_id FROM moves
            WHERE effective_on > %(day)s ORDER BY body_id, n),
        walk (body_id, n, unit_id) AS (
            SELECT s.id, 0::bigint, s.unit_id FROM s
            WHERE NOT EXISTS (SELECT 1 FROM later WHERE later.body_id = s.id)
            UNION ALL
            SELECT w.body_id, m.n,
                   CASE WHEN m.from_unit_id = w.unit_id THEN m.to_unit_id ELSE w.unit_id END
            FROM walk w JOIN moves m ON m.body_id = w.body_id AND m.n = w.n + 1),
        placed AS (
            SELECT body_id, from_unit_id AS unit_id FROM later
            UNION ALL
            (SELECT DISTINCT ON (body_id) body_id, unit_id FROM walk
             ORDER BY body_id, n DESC))
        SELECT t.report_id, s.id AS body_id, s.name, s.kind, placed.unit_id, t.unit_name
        FROM s JOIN placed ON placed.body_id = s.id
        JOIN _rb_target t ON t.unit_id = placed.unit_id
        WHERE {live}""",
        p,
    )
    of_bodies = "o.body_id IN (SELECT body_id FROM _rb_placed)"
    contacts = _states(
        ContactPerson,
        ("body_id", "page_id", "notice_number", "notice_date", "archived_at"),
        of_bodies,
    )
    run(
        f"""CREATE TEMPORARY TABLE _rb_contact ON COMMIT DROP AS
        SELECT s.body_id, s.page_id,
            (s.notice_number <> '' AND s.notice_date IS NOT NULL
             AND s.notice_date <= %(day)s) AS notified
        FROM {contacts} s
        WHERE s.body_id IN (SELECT body_id FROM _rb_placed) AND {live}""",
        p,
    )
    rules = _states(
        PostingRules, ("body_id", "uploaded_at", "superseded_at"), of_bodies, stamp=None
    )
    run(
        f"""CREATE TEMPORARY TABLE _rb_rules ON COMMIT DROP AS
        SELECT DISTINCT s.body_id FROM {rules} s
        WHERE s.body_id IN (SELECT body_id FROM _rb_placed) AND s.uploaded_at < %(ends)s
          AND (s.superseded_at IS NULL OR s.superseded_at >= %(ends)s)""",
        p,
    )
    _bodies_with_flags(run)
    page_fields = (
        "body_id",
        "platform_id",
        "url",
        "display_name",
        "state",
        "is_platform_verified",
        "responsible_unit",
        "submitted_at",
        "approved_at",
        "confirmed_at",
        "archived_at",
    )
    pages = _states(SocialPage, page_fields, of_bodies)
    draft, submitted = PageState.DRAFT.value, PageState.SUBMITTED.value
    approved, returned, archived = (
        PageState.APPROVED.value,
        PageState.RETURNED.value,
        PageState.ARCHIVED.value,
    )

    def by(column: str) -> str:
        return f"(s.{column} IS NOT NULL AND s.{column} < %(ends)s)"

    # A page whose records begin later is corrected by its own dates (asof._page_then).
    state = f"""CASE
        WHEN NOT s.before_records THEN s.state
        WHEN s.state = '{archived}' AND {by("archived_at")} THEN s.state
        WHEN s.state IN ('{approved}', '{archived}') AND {by("approved_at")} THEN '{approved}'
        WHEN s.state = '{returned}' AND NOT {by("submitted_at")} THEN '{draft}'
        WHEN s.state IN ('{approved}', '{archived}', '{submitted}') THEN
            CASE WHEN {by("submitted_at")} THEN '{submitted}' ELSE '{draft}' END
        ELSE s.state END"""
    run(
        f"""CREATE TEMPORARY TABLE _rb_page ON COMMIT DROP AS
        SELECT g.page_id, g.body_id, f.name AS platform, g.url, g.name, g.state, g.verified,
            (b.has_default_contact OR own.page_id IS NOT NULL) AS has_contact,
            g.responsible_unit <> '' AS has_responsible_unit,
            (g.state = '{approved}' AND g.confirmed_at IS NOT NULL
             AND g.confirmed_at < %(cutoff)s) AS needs_review
        FROM (SELECT s.id AS page_id, s.body_id, s.platform_id, s.url, s.display_name AS name,
                     {state} AS state, s.is_platform_verified AS verified, s.responsible_unit,
                     s.confirmed_at
              FROM {pages} s WHERE s.body_id IN (SELECT body_id FROM _rb_placed)) g
        JOIN _rb_body b ON b.body_id = g.body_id
        JOIN {_t(Platform)} f ON f.id = g.platform_id
        LEFT JOIN ({_OWN_CONTACTS}) own ON own.body_id = g.body_id AND own.page_id = g.page_id
        WHERE g.state <> '{archived}'""",
        p,
    )
    window = " OR ".join(
        f"(o.{column} >= %(starts)s AND o.{column} < %(ends)s)"
        for column in ("discovered_at", "reported_to_platform_at", "closed_at")
    )
    incidents = _states(
        Incident,
        ("body_id", "state", "discovered_at", "reported_to_platform_at", "closed_at"),
        f"{of_bodies} AND ({window})",
    )
    _incidents(run, p, f"{incidents} i WHERE i.body_id IN (SELECT body_id FROM _rb_body)")


# --- rows and totals ------------------------------------------------------------------------


def _insert_body_rows(run: Any) -> int:
    approved = PageState.APPROVED.value
    return int(
        run(
            f"""INSERT INTO {_t(ReportBodyRow)} (report_id, body_id, body_name, body_kind, unit_id,
                unit_name, has_contact, contact_notified, has_rules, {", ".join(_BODY_FIGURES)})
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
                FROM _rb_page GROUP BY body_id) g ON g.body_id = b.body_id
            LEFT JOIN _rb_incident i ON i.body_id = b.body_id"""
        )
    )


def _insert_child_rows(run: Any, p: dict[str, Any], children: list[dict[str, Any]] | None) -> int:
    if children is None:
        units = _t(AdministrativeUnit)
        source = f"""(SELECT u.id, u.parent_id, u.name, u.path FROM {units} u
            WHERE u.parent_id IN (SELECT unit_id FROM _rb_target)
              AND (u.valid_from IS NULL OR u.valid_from <= %(ends_on)s)
              AND (u.valid_until IS NULL OR u.valid_until >= %(ends_on)s))"""
    else:
        run(
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
        source = "_rb_child"
    accepted, submitted = ReportState.ACCEPTED.value, ReportState.SUBMITTED.value
    figures = ", ".join(TOTAL_FIELDS)

    def frozen(name: str) -> str:
        kind = "double precision" if name == "hours_to_report_total" else "numeric"
        value = f"(r.totals ->> '{name}')::{kind}"
        if kind == "numeric":
            value = f"round({value})::integer"
        return f"""CASE WHEN r.state = '{accepted}' THEN
            CASE WHEN r.totals ? '{name}' THEN {value} ELSE 0 END END"""

    return int(
        run(
            f"""INSERT INTO {_t(ReportChildRow)} (report_id, child_unit_id, child_name, child_path,
                child_report_id, child_state, child_submitted_at, expected, submitted, on_time,
                accepted, missing, {figures})
            SELECT t.report_id, c.id, c.name, c.path, r.id, COALESCE(r.state, ''),
                r.submitted_at, true,
                COALESCE(r.state IN ('{submitted}', '{accepted}'), false),
                COALESCE(r.state IN ('{submitted}', '{accepted}') AND NOT r.submitted_late, false),
                COALESCE(r.state = '{accepted}', false),
                NOT COALESCE(r.state = '{accepted}', false),
                {", ".join(frozen(name) for name in TOTAL_FIELDS)}
            FROM {source} c
            JOIN _rb_target t ON t.unit_id = c.parent_id
            LEFT JOIN {_t(UnitReport)} r ON r.unit_id = c.id AND r.period_id = %(period)s""",
            p,
        )
    )


def _update_totals(run: Any, p: dict[str, Any]) -> None:
    """Each report's totals: its body rows, its accepted children, its own declarations."""
    body_sums = {name: f"sum(b.{name})" for name in _BODY_FIGURES}
    body_sums.update(
        bodies="count(*)",
        bodies_with_contact="count(*) FILTER (WHERE b.has_contact)",
        bodies_contact_notified="count(*) FILTER (WHERE b.contact_notified)",
        bodies_with_rules="count(*) FILTER (WHERE b.has_rules)",
    )
    own = {name: f"COALESCE(u.{name}, 0)" for name in _DECLARED_COUNTS}
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
    run(
        f"""UPDATE {_t(UnitReport)} u SET unit_name = t.unit_name, unit_path = t.unit_path,
            built_at = %(now)s, totals = jsonb_build_object({pairs})
        FROM _rb_target t
        LEFT JOIN (SELECT b.report_id,
                          {", ".join(f"{sql} AS {name}" for name, sql in body_sums.items())}
                   FROM {_t(ReportBodyRow)} b
                   WHERE b.report_id IN (SELECT report_id FROM _rb_target)
                   GROUP BY b.report_id) b ON b.report_id = t.report_id
        LEFT JOIN (SELECT c.report_id,
                          {", ".join(f"{sql} AS {name}" for name, sql in child_sums.items())}
                   FROM {_t(ReportChildRow)} c
                   WHERE c.report_id IN (SELECT report_id FROM _rb_target)
                   GROUP BY c.report_id) c ON c.report_id = t.report_id
        WHERE u.id = t.report_id""",
        p,
    )
