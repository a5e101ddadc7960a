"""The registry at the end of a past period, with the rules of ``reports.asof`` in SQL.

The state of an object at a moment is its current row when unchanged since, else its latest
history row before the moment (``DISTINCT ON (id) … ORDER BY id, history_date DESC``), else,
when its creation was never recorded, its earliest recorded state corrected by its own
dates; bodies moved by a reorganisation are put back where ``BodyTransfer`` says they were
(a recursive walk over their transfers).

Most of that machinery answers nothing when a model's history holds no record from the
moment on: then no object has a later record to look past, and the earliest-record branch is
empty; with no history at all, the state is the current row. One statement at the start
(``recorded_after``: an ``EXISTS`` per history table, on its ``history_date`` index) says
which case each model is in, and ``states`` writes only the branches that can hold rows.
"""

from __future__ import annotations

# ruff: noqa: S608 - table and column names and choice constants only (see common)
import enum
from typing import Any

from django.db.models import Model

from accounts_registry.models import ContactPerson, PageState, Platform, PostingRules, SocialPage
from incidents.models import Incident
from reports.asof import PAGE_FIELDS
from reports.build_sql.common import (
    OWN_CONTACTS,
    Run,
    Sources,
    bodies_with_flags,
    history_table,
    incidents,
    table,
)
from units.models import Body, BodyTransfer, Reorganisation

# The models a past period reads as they stood, in the order of ``recorded_after``'s columns.
READ_AS_THEY_STOOD: tuple[type[Model], ...] = (
    Body,
    ContactPerson,
    PostingRules,
    SocialPage,
    Incident,
)


class Recorded(enum.Enum):
    """What a model's history holds, against the moment a past period is read at."""

    NOTHING = "nothing"  # no history row at all: every state is the current row
    BEFORE = "before"  # history rows, all before the moment
    AFTER = "after"  # some history row at or after the moment: the general case


def recorded_after(cursor: Any, ends: Any) -> dict[type[Model], Recorded]:
    """Which case each model read as it stood is in: one statement, two probes per table."""
    probes = ", ".join(
        f"EXISTS (SELECT 1 FROM {history_table(model)} WHERE history_date >= %(ends)s), "
        f"EXISTS (SELECT 1 FROM {history_table(model)})"
        for model in READ_AS_THEY_STOOD
    )
    cursor.execute(f"SELECT {probes}", {"ends": ends})
    flags = cursor.fetchone()
    found: dict[type[Model], Recorded] = {}
    for index, model in enumerate(READ_AS_THEY_STOOD):
        after, some = flags[2 * index], flags[2 * index + 1]
        found[model] = Recorded.AFTER if after else Recorded.BEFORE if some else Recorded.NOTHING
    return found


def states(
    model: type[Model],
    fields: tuple[str, ...],
    related: str,
    *,
    recorded: Recorded = Recorded.AFTER,
    stamp: str | None = "updated_at",
) -> str:
    """The state at ``%(ends)s`` of the objects of ``model`` that ``related`` selects.

    ``related`` is a condition on the columns of alias ``o``, true for an object when it
    holds for its current row or any of its history rows. The SQL of ``reports.asof``'s
    ``states_at``, rule for rule: unchanged since (``stamp`` before the moment): the current
    row; else the latest history row before the moment (none if a deletion); else, with no
    history row that early, the earliest one if it records a change (creation never
    recorded), or the current row if it has no history at all. Columns: ``id``, ``fields``
    and ``before_records`` (true under the last two rules).

    ``recorded`` drops the branches that hold no row: with no history at all, the current
    rows (before their records when changed since, as the last rule says); with history
    only before the moment, every object with history has a latest row before it, so no
    earliest one is looked for.
    """
    cols = ", ".join(fields)
    o_cols = ", ".join(f"o.{name}" for name in fields)
    unchanged = f"(o.{stamp} IS NOT NULL AND o.{stamp} < %(ends)s)" if stamp else "false"
    if recorded is Recorded.NOTHING:
        return f"""(SELECT o.id, {o_cols}, NOT {unchanged} AS before_records
            FROM {table(model)} o WHERE {related})"""
    ids = f"""SELECT o.id FROM {table(model)} o WHERE {related}
        UNION SELECT o.id FROM {history_table(model)} o WHERE {related}"""
    earliest, from_earliest = "", ""
    if recorded is Recorded.AFTER:
        earliest = f""",
        earliest AS (SELECT DISTINCT ON (o.id) o.id, {o_cols}, o.history_type
                     FROM {history_table(model)} o JOIN pending ON pending.id = o.id
                     WHERE NOT EXISTS (SELECT 1 FROM latest WHERE latest.id = o.id)
                     ORDER BY o.id, o.history_date, o.history_id)"""
        from_earliest = f"UNION ALL SELECT id, {cols}, true FROM earliest WHERE history_type = '~'"
    return f"""(WITH ids AS ({ids}),
        cur AS (SELECT o.id, {o_cols}, {unchanged} AS unchanged
                FROM {table(model)} o JOIN ids ON ids.id = o.id),
        pending AS (SELECT id FROM cur WHERE NOT unchanged),
        latest AS (SELECT DISTINCT ON (o.id) o.id, {o_cols}, o.history_type
                   FROM {history_table(model)} o JOIN pending ON pending.id = o.id
                   WHERE o.history_date < %(ends)s
                   ORDER BY o.id, o.history_date DESC, o.history_id DESC){earliest}
        SELECT id, {cols}, false AS before_records FROM cur WHERE unchanged
        UNION ALL SELECT id, {cols}, false FROM latest WHERE history_type <> '-'
        {from_earliest}
        UNION ALL SELECT o.id, {o_cols}, true FROM cur o
            WHERE NOT o.unchanged
              AND NOT EXISTS (SELECT 1 FROM {history_table(model)} h WHERE h.id = o.id)
    )"""


def registry_at(run: Run, p: dict[str, Any], recorded: dict[type[Model], Recorded]) -> Sources:
    """The bodies as they were and their contacts then into temporary tables; returns the
    queries of their pages and of their incidents per body then, for ``rows``."""
    live = "(s.archived_at IS NULL OR s.archived_at >= %(ends)s)"
    transfers, reorganisations = table(BodyTransfer), table(Reorganisation)
    # Bodies that are, were or may have been in the units: a superset.
    in_history = (
        ""
        if recorded[Body] is Recorded.NOTHING
        else f"UNION SELECT id FROM {history_table(Body)} "
        "WHERE unit_id IN (SELECT unit_id FROM _rb_target)"
    )
    candidates = f"""SELECT id FROM {table(Body)} WHERE unit_id IN (SELECT unit_id FROM _rb_target)
        {in_history}
        UNION SELECT body_id FROM {transfers}
        WHERE from_unit_id IN (SELECT unit_id FROM _rb_target)
           OR to_unit_id IN (SELECT unit_id FROM _rb_target)"""
    bodies = states(
        Body,
        ("name", "kind", "unit_id", "archived_at"),
        "o.id IN (SELECT id FROM candidates)",
        recorded=recorded[Body],
    )
    # The unit a body was in on the day: before the first reorganisation effective after
    # it, that one's from_unit; else its recorded unit carried through the transfers
    # effective by then, in order (reports.asof._unit_then).
    run(
        f"""CREATE TEMPORARY TABLE _rb_placed ON COMMIT DROP AS
        WITH RECURSIVE candidates AS ({candidates}),
        s AS {bodies},
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
    contacts = states(
        ContactPerson,
        ("body_id", "page_id", "notice_number", "notice_date", "archived_at"),
        of_bodies,
        recorded=recorded[ContactPerson],
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
    rules = states(
        PostingRules,
        ("body_id", "uploaded_at", "superseded_at"),
        of_bodies,
        recorded=recorded[PostingRules],
        stamp=None,
    )
    bodies_with_flags(
        run,
        p,
        f"""SELECT DISTINCT s.body_id FROM {rules} s
        WHERE s.body_id IN (SELECT body_id FROM _rb_placed) AND s.uploaded_at < %(ends)s
          AND (s.superseded_at IS NULL OR s.superseded_at >= %(ends)s)""",
    )
    pages = _pages_at(of_bodies, recorded[SocialPage])
    window = " OR ".join(
        f"(o.{column} >= %(starts)s AND o.{column} < %(ends)s)"
        for column in ("discovered_at", "reported_to_platform_at", "closed_at")
    )
    incident_states = states(
        Incident,
        ("body_id", "state", "discovered_at", "reported_to_platform_at", "closed_at"),
        f"{of_bodies} AND ({window})",
        recorded=recorded[Incident],
    )
    return Sources(
        pages=pages,
        incidents=incidents(
            f"{incident_states} i WHERE i.body_id IN (SELECT body_id FROM _rb_body)"
        ),
    )


def _pages_at(of_bodies: str, recorded: Recorded) -> str:
    """The live pages of the placed bodies as they were, with their gap flags."""
    pages = states(SocialPage, PAGE_FIELDS, of_bodies, recorded=recorded)
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
    return f"""SELECT g.page_id, g.body_id, f.name AS platform, g.url, g.name, g.state, g.verified,
            (b.has_default_contact OR own.page_id IS NOT NULL) AS has_contact,
            g.responsible_unit <> '' AS has_responsible_unit,
            (g.state = '{approved}' AND g.confirmed_at IS NOT NULL
             AND g.confirmed_at < %(cutoff)s) AS needs_review
        FROM (SELECT s.id AS page_id, s.body_id, s.platform_id, s.url, s.display_name AS name,
                     {state} AS state, s.is_platform_verified AS verified, s.responsible_unit,
                     s.confirmed_at
              FROM {pages} s WHERE s.body_id IN (SELECT body_id FROM _rb_placed)) g
        JOIN _rb_body b ON b.body_id = g.body_id
        JOIN {table(Platform)} f ON f.id = g.platform_id
        LEFT JOIN ({OWN_CONTACTS}) own ON own.body_id = g.body_id AND own.page_id = g.page_id
        WHERE g.state <> '{archived}'"""
