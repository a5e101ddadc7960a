"""The build inside PostgreSQL: a batch of reports written by set-based statements.

``reports.build.build_period`` calls this package on PostgreSQL (the ORM build of
``reports.build`` stays the portable path, used on SQLite). For a batch of reports, already
locked by the caller, a fixed number of statements whatever the number of units, bodies or
pages in it:

1. the transaction's settings (no JIT, a larger ``work_mem``: ``set_config(…, true)``);
2. the batch's reports into a temporary table (``… FROM unnest(…)``), their old rows
   deleted (one statement);
3. the bodies of the units, their contacts, then the bodies with has-contact /
   contact-notified / has-rules: one ``CREATE TEMPORARY TABLE … AS SELECT`` each
   (``current``, or ``past`` for a period that has ended), and an ``ANALYZE`` of them;
4. the page, body and child rows and the reports' snapshot fields and totals: one
   statement of data-modifying ``WITH`` queries (``rows``), the pages and the incidents read
   from the registry as subqueries, the totals summed from the rows' ``RETURNING`` rows, the
   declarations and the accepted children's frozen totals.

A period that has ended is read as the registry stood at its end, with the rules of
``reports.asof`` written in SQL (``past``). That adds three statements: the units as they
were (``reports.asof``), which history tables hold records from the period's end on (one
``SELECT`` of ``EXISTS`` probes: the branches of the rules that can hold no row are left
out), the units directly below as they were (a temporary table).

Hours from discovery to report are rounded per body to two decimals from the exact
microseconds, half away from zero, as ``reports.figures.hours_of`` does on the other path.

The package holds ``common`` (names and the statements both reads share), ``current`` (the
registry now), ``past`` (the registry as it stood) and ``rows`` (rows and totals).
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
from django.utils import timezone

from reports.build_sql.common import TEMP, hours_sql, table
from reports.build_sql.current import current_registry
from reports.build_sql.past import Recorded, recorded_after, registry_at, states
from reports.build_sql.rows import write_rows_and_totals
from reports.models import ReportBodyRow, ReportChildRow, ReportingPeriod, ReportPageRow, UnitReport

# The sort and hash memory of the build's transaction (the server's default is 4 MB).
WORK_MEM = "64MB"

__all__ = [
    "Recorded",
    "Target",
    "Written",
    "build_rows",
    "create_missing",
    "hours_sql",
    "states",
]


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
        INSERT INTO {table(UnitReport)} (unit_id, unit_name, unit_path, period_id, created_at,
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

        # For this transaction only: the build's statements are large and run once, so
        # compiling them (JIT) costs more than it saves, and its hash tables (a row per
        # body or page of the batch) fit in memory instead of spilling to disk.
        cursor.execute(
            "SELECT set_config('jit', 'off', true), set_config('work_mem', %s, true)",
            [WORK_MEM],
        )
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
                    DELETE FROM {table(ReportPageRow)}
                    WHERE report_id IN (SELECT report_id FROM _rb_target) RETURNING 1),
                gone_children AS (
                    DELETE FROM {table(ReportChildRow)}
                    WHERE report_id IN (SELECT report_id FROM _rb_target) RETURNING 1)
            DELETE FROM {table(ReportBodyRow)}
            WHERE report_id IN (SELECT report_id FROM _rb_target)"""
        )
        if asof_day is None:
            p["cutoff"] = now - timedelta(days=settings.PORTAL_PAGE_RECONFIRM_DAYS)
            sources = current_registry(run, p)
        else:
            p.update(
                cutoff=ends - timedelta(days=settings.PORTAL_PAGE_RECONFIRM_DAYS), day=asof_day
            )
            sources = registry_at(run, p, recorded_after(cursor, ends))
        # Statistics of the temporary tables (100,000 bodies for the country): without them
        # the planner takes each for a few thousand rows, probes the pages by index once per
        # body and sizes its hash tables too small.
        run("ANALYZE _rb_target, _rb_placed, _rb_contact, _rb_body")
        body_rows, page_rows, child_rows = write_rows_and_totals(cursor, p, sources, children)
        run(f"DROP TABLE IF EXISTS {TEMP}")
    return Written(body_rows=body_rows, page_rows=page_rows, child_rows=child_rows)
