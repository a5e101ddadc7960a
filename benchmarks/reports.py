"""The reports at national scale: build a period, export a province, count the dashboard.

Against the three-tier country (10,810 units) and the synthetic registry of
``manage.py generate_synthetic_registry`` (seed 874: 100,000 bodies, 150,000 pages):

1. import the divisions (idempotent: nothing to do after the divisions benchmark) and
   generate the registry;
2. build every report of Quý 1/2025, twice (the first build, then a refresh), counting
   statements and timing them by kind (the profile says which of the build's queries cost);
3. accept the reports of the province with the most units up the chain (declarations
   filled in, communes then districts set accepted in bulk, each level rebuilt so that it
   rolls the one below up), then export the province as XLSX: time, peak Python memory
   (``tracemalloc``, in a second run: it slows the code it watches), peak RSS growth and
   file size;
4. count the statements of the province officer's dashboard.

Run against a scratch database by ``benchmarks.run`` (``make bench``), never the configured
one. Figures, not assertions: the test suite holds the query budgets.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import resource
import tempfile
import time
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction

SEED = 874
BODIES = 100_000
PAGES = 150_000
# The last quarter of the three-tier country (it was replaced on 01/07/2025).
PERIOD_DAY = date(2025, 2, 15)
# The build's "now" (re-confirmation is judged against it): the day after the period.
BUILD_NOW = datetime(2025, 4, 1, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
# The dashboard is looked at after every level's due date.
DASHBOARD_DAY = date(2025, 4, 20)
REPORT_TABLES = (
    "reports_unitreport, reports_reportbodyrow, reports_reportpagerow, reports_reportchildrow"
)


@dataclass
class Figure:
    label: str
    seconds: float | None = None
    queries: int | None = None
    note: str = ""


@dataclass
class Statements:
    """Statements run inside a block, and their time by kind (the start of their SQL)."""

    count: int = 0
    seconds: float = 0.0
    by_kind: Counter[str] = field(default_factory=Counter)
    time_by_kind: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))


def _kind(sql: str) -> str:
    """A short name for a statement: its verb and its main table."""
    words = sql.split()
    verb = words[0].upper() if words else "?"
    table = ""
    for marker in ("FROM", "INTO", "UPDATE"):
        if marker in words:
            following = words[words.index(marker) + 1 :]
            table = following[0].strip('"') if following else ""
            break
    if verb == "UPDATE" and len(words) > 1:
        table = words[1].strip('"')
    return f"{verb} {table}".strip()


@contextmanager
def counted() -> Iterator[Statements]:
    stats = Statements()

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            kind = _kind(sql)
            stats.count += 1
            stats.seconds += spent
            stats.by_kind[kind] += 1
            stats.time_by_kind[kind] += spent

    with connection.execute_wrapper(wrapper):
        yield stats


def _rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _missing(module: str, name: str) -> str | None:
    """Why ``module.name`` cannot be used yet (another part of the work), or None."""
    import importlib

    try:
        loaded = importlib.import_module(module)
    except ImportError as exc:
        return f"{module} is not available ({exc})"
    if not hasattr(loaded, name):
        return f"{module}.{name} is not available yet"
    return None


def run(profile: list[str] | None = None) -> list[Figure]:
    """Measure; ``profile`` receives the statement profile of the first build."""
    from django.core.management.base import CommandError

    from reports.build import BATCH_SIZE, build_period, default_engine
    from reports.models import PeriodKind, UnitReport
    from reports.periods import ensure_period
    from reports.synthetic import SYNTHETIC_DOMAIN, generate
    from units.importers import import_edition
    from units.models import AdministrativeUnit, Body

    figures: list[Figure] = []
    started = time.perf_counter()
    import_edition("three-tier")
    units = AdministrativeUnit.objects.in_force_on(PERIOD_DAY).count()
    figures.append(
        Figure(
            "three-tier divisions in the database",
            time.perf_counter() - started,
            None,
            f"{units} units",
        )
    )

    if (
        os.environ.get("BENCH_KEEPDB") == "1"
        and Body.objects.filter(email__endswith="@" + SYNTHETIC_DOMAIN).exists()
    ):
        # A scratch database kept from an earlier run: its registry, and no report yet.
        UnitReport.objects.filter(period__starts_on__lte=PERIOD_DAY).delete()
        if connection.vendor == "postgresql":
            # The row tables' pages given back first: an ANALYZE of tables emptied by a
            # DELETE records many pages of no rows, and the planner then takes the next
            # build's 250,000 rows for one (nested loops over them: minutes).
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM {REPORT_TABLES}")
        figures.append(Figure("synthetic registry of an earlier run reused (BENCH_KEEPDB=1)"))
    else:
        try:
            generated = generate(seed=SEED, bodies=BODIES, pages=PAGES)
        except CommandError as exc:
            figures.append(Figure(f"synthetic registry not generated: {exc}"))
            return figures
        figures.append(
            Figure(
                f"generate the registry (seed {SEED})",
                generated.seconds,
                None,
                f"{generated.bodies} bodies, {generated.pages} pages, {generated.contacts} "
                f"contacts, {generated.rules} rules, {generated.incidents} incidents",
            )
        )
    if connection.vendor == "postgresql":
        # Fresh statistics, as autovacuum would give a registry that grew over time.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    period = ensure_period(PeriodKind.QUARTERLY, PERIOD_DAY)
    now = BUILD_NOW
    refresh_seconds: float | None = None
    for label in ("first build", "rebuild (refresh)"):
        rss = _rss_kib()
        # BENCH_PROFILE=1: cProfile the refresh (Python's share of it; it slows it down).
        profiler = (
            cProfile.Profile()
            if label != "first build" and os.environ.get("BENCH_PROFILE")
            else None
        )
        with counted() as stats:
            began = time.perf_counter()
            if profiler is not None:
                profiler.enable()
            result = build_period(period, now=now)
            if profiler is not None:
                profiler.disable()
            seconds = time.perf_counter() - began
        if profiler is not None and profile is not None:
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(25)
            profile.extend(
                ["", "Refresh under cProfile (by own time):", *text.getvalue().splitlines()]
            )
        refresh_seconds = seconds
        figures.append(
            Figure(
                f"build {period.label}, all units: {label}",
                seconds,
                stats.count,
                f"{result.units} reports, {result.body_rows} body rows, {result.page_rows} "
                f"page rows, {result.child_rows} child rows; "
                + (
                    "SQL build, one transaction (no BuildRun watched); "
                    if default_engine() == "sql"
                    else f"ORM build, batch {BATCH_SIZE}; "
                )
                + f"RSS +{(_rss_kib() - rss) / 1024:.0f} MiB; SQL time {stats.seconds:.1f} s",
            )
        )
        if label == "first build" and connection.vendor == "postgresql":
            # What autovacuum does after 250,000 rows written: the refresh is planned with
            # the row tables' statistics, as it would be in service.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {REPORT_TABLES}")
        if profile is not None and label == "first build":
            profile.extend(
                f"{kind:<48} {stats.by_kind[kind]:5d} statements {spent:7.2f} s"
                for kind, spent in sorted(stats.time_by_kind.items(), key=lambda item: -item[1])
            )

    if connection.vendor == "postgresql" and refresh_seconds:
        figures.extend(_floor(period, now, refresh_seconds))
    if os.environ.get("BENCH_ORM"):
        # The portable ORM build (the embedded SQLite's), on the same data: slow.
        with counted() as stats:
            began = time.perf_counter()
            build_period(period, now=now, engine="orm")
            seconds = time.perf_counter() - began
        figures.append(
            Figure(f"build {period.label}, all units: ORM build (refresh)", seconds, stats.count)
        )

    province, rollup = _accept_province(period, now)
    figures.extend(rollup)
    figures.extend(_export(province, period))
    figures.extend(_dashboard(province, period))
    return figures


def _accept_province(period: Any, now: datetime) -> tuple[Any, list[Figure]]:
    """Accept the province's communes, then districts, each level rebuilt first."""
    from reports.build import build_period
    from reports.models import ReportState, UnitReport
    from units.models import AdministrativeUnit

    provinces = AdministrativeUnit.objects.in_force_on(period.ends_on).filter(parent__isnull=True)
    by_size = Counter(
        path.split(".")[0]
        for path in AdministrativeUnit.objects.in_force_on(period.ends_on).values_list(
            "path", flat=True
        )
    )
    province = max(provinces, key=lambda unit: (by_size[unit.path.split(".")[0]], -unit.pk))
    subtree = AdministrativeUnit.objects.in_force_on(period.ends_on).subtree_of(province)
    depths = sorted(set(subtree.values_list("depth", flat=True)), reverse=True)
    figures = []
    declarations = {
        "info_consistent": True,
        "security_measures": True,
        "impersonation_scans": 2,
        "fake_pages_found": 0,
        "dissemination_sessions": 1,
        "participants": 30,
        "positive_posts": 10,
        "comments_answered": 4,
    }
    for depth in depths:
        ids = list(subtree.filter(depth=depth).values_list("pk", flat=True))
        reports = UnitReport.objects.filter(period=period, unit_id__in=ids)
        with counted() as stats:
            began = time.perf_counter()
            reports.update(**declarations)
            result = build_period(period, unit_ids=ids, now=now)
            if depth != min(depths):
                with transaction.atomic():
                    reports.update(
                        state=ReportState.ACCEPTED,
                        first_submitted_at=now,
                        submitted_at=now,
                        submitted_late=False,
                        accepted_at=now,
                    )
            seconds = time.perf_counter() - began
        done = "rebuilt and accepted" if depth != min(depths) else "rebuilt (rolls up)"
        figures.append(
            Figure(
                f"{province.name}: depth {depth}, {len(ids)} reports {done}",
                seconds,
                stats.count,
                f"{result.body_rows} body rows, {result.page_rows} page rows",
            )
        )
    return province, figures


def _export(province: Any, period: Any) -> list[Figure]:
    from reports.models import UnitReport

    why = _missing("reports.exports.xlsx", "write_xlsx")
    if why:
        return [Figure(f"XLSX export of {province.name}: not measured, {why}")]
    from reports.exports.xlsx import write_xlsx

    report = UnitReport.objects.select_related("unit__level").get(unit=province, period=period)
    figures = []
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "province.xlsx"
        rss = _rss_kib()
        with counted() as stats, target.open("wb") as out:
            began = time.perf_counter()
            write_xlsx(report, out)
            seconds = time.perf_counter() - began
        rss_growth = (_rss_kib() - rss) / 1024
        size = target.stat().st_size
        tracemalloc.start()
        with target.open("wb") as out:
            write_xlsx(report, out)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    totals = report.totals or {}
    figures.append(
        Figure(
            f"XLSX export of {province.name} (whole subtree)",
            seconds,
            stats.count,
            f"{size / 1024 / 1024:.1f} MiB file; {totals.get('units_reporting')} units, "
            f"{totals.get('bodies')} bodies, {totals.get('pages_registered')} pages; "
            f"tracemalloc peak {peak / 1024 / 1024:.1f} MiB; RSS +{rss_growth:.0f} MiB",
        )
    )
    return figures


def _dashboard(province: Any, period: Any) -> list[Figure]:
    why = _missing("reports.dashboard", "build_dashboard")
    if why:
        return [Figure(f"dashboard of {province.name}: not measured, {why}")]
    from reports.dashboard import build_dashboard
    from users.models import Role, RoleAssignment, User

    officer, _created = User.objects.get_or_create(
        username="bench-province-officer",
        defaults={"full_name": "Cán bộ Sở (benchmark)", "email": "bench@synthetic.invalid"},
    )
    RoleAssignment.objects.get_or_create(user=officer, role=Role.PROVINCE_OFFICER, unit=province)
    figures = []
    for label in ("first call", "second call"):
        with counted() as stats:
            began = time.perf_counter()
            build_dashboard(officer, unit=province, period=period, today=DASHBOARD_DAY)
            seconds = time.perf_counter() - began
        figures.append(
            Figure(f"dashboard of {province.name}, province officer: {label}", seconds, stats.count)
        )
    return figures


# --- the raw-SQL floor ----------------------------------------------------------------------

# The pages as they stood at the end of the period, for a registry written in bulk (no
# history: the synthetic one), each corrected by its own dates as ``reports.asof`` does.
_FLOOR_PAGES = """
    SELECT g.id, g.body_id, g.platform_id, g.url, g.display_name, g.is_platform_verified,
        g.responsible_unit <> '' AS responsible, g.confirmed_at,
        CASE
            WHEN g.state = 'archived' AND g.archived_at < %(end)s THEN 'archived'
            WHEN g.state IN ('approved', 'archived') AND g.approved_at < %(end)s THEN 'approved'
            WHEN g.state = 'returned' AND (g.submitted_at IS NULL OR g.submitted_at >= %(end)s)
                THEN 'draft'
            WHEN g.state IN ('approved', 'archived', 'submitted') THEN
                CASE WHEN g.submitted_at < %(end)s THEN 'submitted' ELSE 'draft' END
            ELSE g.state END AS state
    FROM accounts_registry_socialpage g"""
_FLOOR_CONTACTS = """
    SELECT body_id, page_id,
        notice_number <> '' AND notice_date IS NOT NULL AND notice_date <= %(day)s AS notified
    FROM accounts_registry_contactperson WHERE archived_at IS NULL OR archived_at >= %(end)s"""
_FLOOR_BODIES = """
    SELECT r.id AS report_id, u.name AS unit_name, b.id, b.name, b.kind, b.unit_id,
        p.body_id IS NOT NULL AS has_rules
    FROM reports_unitreport r
    JOIN units_administrativeunit u ON u.id = r.unit_id
    JOIN units_body b ON b.unit_id = r.unit_id
    LEFT JOIN (SELECT DISTINCT body_id FROM accounts_registry_postingrules
               WHERE uploaded_at < %(end)s
                 AND (superseded_at IS NULL OR superseded_at >= %(end)s)) p ON p.body_id = b.id
    WHERE r.period_id = %(period)s AND r.state IN ('draft', 'returned')
      AND (b.archived_at IS NULL OR b.archived_at >= %(end)s)"""
_FLOOR = [
    """DELETE FROM reports_reportbodyrow WHERE report_id IN (
        SELECT id FROM reports_unitreport
        WHERE period_id = %(period)s AND state IN ('draft', 'returned'))""",
    """DELETE FROM reports_reportpagerow WHERE report_id IN (
        SELECT id FROM reports_unitreport
        WHERE period_id = %(period)s AND state IN ('draft', 'returned'))""",
    """DELETE FROM reports_reportchildrow WHERE report_id IN (
        SELECT id FROM reports_unitreport
        WHERE period_id = %(period)s AND state IN ('draft', 'returned'))""",
    f"""INSERT INTO reports_reportbodyrow (report_id, body_id, body_name, body_kind, unit_id,
        unit_name, has_contact, contact_notified, has_rules, pages_registered, pages_approved,
        pages_verified, pages_needing_review, pages_with_responsible_unit, incidents_opened,
        incidents_reported, incidents_resolved, hours_to_report_total, hours_to_report_count)
    WITH c AS ({_FLOOR_CONTACTS}),
    g AS (SELECT body_id, count(*) AS n,
                 count(*) FILTER (WHERE state = 'approved') AS approved,
                 count(*) FILTER (WHERE state = 'approved' AND is_platform_verified) AS verified,
                 count(*) FILTER (WHERE state = 'approved' AND confirmed_at < %(cutoff)s)
                     AS review,
                 count(*) FILTER (WHERE state = 'approved' AND responsible) AS responsible
          FROM ({_FLOOR_PAGES}) g WHERE state <> 'archived' GROUP BY body_id),
    i AS (SELECT body_id,
                 count(*) FILTER (WHERE discovered_at >= %(start)s AND discovered_at < %(end)s)
                     AS opened,
                 count(*) FILTER (WHERE reported_to_platform_at >= %(start)s
                                  AND reported_to_platform_at < %(end)s) AS reported,
                 count(*) FILTER (WHERE closed_at >= %(start)s AND closed_at < %(end)s
                                  AND state = 'resolved') AS resolved,
                 round(extract(epoch FROM sum(reported_to_platform_at - discovered_at)
                       FILTER (WHERE reported_to_platform_at >= %(start)s
                               AND reported_to_platform_at < %(end)s)) / 3600, 2) AS hours
          FROM incidents_incident GROUP BY body_id)
    SELECT b.report_id, b.id, b.name, b.kind, b.unit_id, b.unit_name,
        c.body_id IS NOT NULL, COALESCE(c.notified, false), b.has_rules,
        COALESCE(g.n, 0), COALESCE(g.approved, 0), COALESCE(g.verified, 0),
        COALESCE(g.review, 0), COALESCE(g.responsible, 0), COALESCE(i.opened, 0),
        COALESCE(i.reported, 0), COALESCE(i.resolved, 0), COALESCE(i.hours, 0),
        COALESCE(i.reported, 0)
    FROM ({_FLOOR_BODIES}) b
    LEFT JOIN (SELECT body_id, bool_or(notified) AS notified FROM c GROUP BY body_id) c
        ON c.body_id = b.id
    LEFT JOIN g ON g.body_id = b.id LEFT JOIN i ON i.body_id = b.id""",  # noqa: S608 - constants
    f"""INSERT INTO reports_reportpagerow (report_id, page_id, body_id, body_name, platform, url,
        name, state, verified, has_contact, has_rules, has_responsible_unit, needs_review)
    WITH c AS ({_FLOOR_CONTACTS})
    SELECT b.report_id, g.id, b.id, b.name, f.name, g.url, g.display_name, g.state,
        g.is_platform_verified,
        d.body_id IS NOT NULL OR o.page_id IS NOT NULL, b.has_rules, g.responsible,
        g.state = 'approved' AND g.confirmed_at IS NOT NULL AND g.confirmed_at < %(cutoff)s
    FROM ({_FLOOR_PAGES}) g JOIN ({_FLOOR_BODIES}) b ON b.id = g.body_id
    JOIN accounts_registry_platform f ON f.id = g.platform_id
    LEFT JOIN (SELECT DISTINCT body_id FROM c WHERE page_id IS NULL) d ON d.body_id = b.id
    LEFT JOIN (SELECT DISTINCT body_id, page_id FROM c WHERE page_id IS NOT NULL) o
        ON o.body_id = b.id AND o.page_id = g.id
    WHERE g.state <> 'archived'""",  # noqa: S608 - constants
    """INSERT INTO reports_reportchildrow (report_id, child_unit_id, child_name, child_path,
        child_report_id, child_state, child_submitted_at, expected, submitted, on_time,
        accepted, missing)
    SELECT r.id, u.id, u.name, u.path, c.id, c.state, c.submitted_at, true,
        c.state IN ('submitted', 'accepted'),
        c.state IN ('submitted', 'accepted') AND NOT c.submitted_late,
        c.state = 'accepted', c.state <> 'accepted'
    FROM reports_unitreport r
    JOIN units_administrativeunit u ON u.parent_id = r.unit_id
         AND (u.valid_from IS NULL OR u.valid_from <= %(day)s)
         AND (u.valid_until IS NULL OR u.valid_until >= %(day)s)
    JOIN reports_unitreport c ON c.unit_id = u.id AND c.period_id = r.period_id
    WHERE r.period_id = %(period)s AND r.state IN ('draft', 'returned')""",
    """UPDATE reports_unitreport r SET built_at = %(now)s, unit_name = u.name,
        unit_path = u.path, totals = jsonb_build_object(
            'bodies', COALESCE(b.bodies, 0),
            'pages_registered', COALESCE(b.pages_registered, 0),
            'pages_approved', COALESCE(b.pages_approved, 0),
            'pages_verified', COALESCE(b.pages_verified, 0),
            'pages_needing_review', COALESCE(b.pages_needing_review, 0),
            'pages_with_responsible_unit', COALESCE(b.pages_with_responsible_unit, 0),
            'bodies_with_contact', COALESCE(b.bodies_with_contact, 0),
            'bodies_contact_notified', COALESCE(b.bodies_contact_notified, 0),
            'bodies_with_rules', COALESCE(b.bodies_with_rules, 0),
            'incidents_opened', COALESCE(b.incidents_opened, 0),
            'incidents_reported', COALESCE(b.incidents_reported, 0),
            'incidents_resolved', COALESCE(b.incidents_resolved, 0),
            'hours_to_report_total', round(COALESCE(b.hours, 0)::numeric, 2),
            'hours_to_report_count', COALESCE(b.incidents_reported, 0),
            'units_reporting', 1,
            'units_missing', COALESCE(c.missing, 0),
            'units_info_consistent', COALESCE(r.info_consistent::integer, 0),
            'units_security_measures', COALESCE(r.security_measures::integer, 0),
            'impersonation_scans', COALESCE(r.impersonation_scans, 0),
            'fake_pages_found', COALESCE(r.fake_pages_found, 0),
            'fake_pages_reported', COALESCE(r.fake_pages_reported, 0),
            'fake_pages_taken_down', COALESCE(r.fake_pages_taken_down, 0),
            'dissemination_sessions', COALESCE(r.dissemination_sessions, 0),
            'participants', COALESCE(r.participants, 0),
            'positive_posts', COALESCE(r.positive_posts, 0),
            'comments_answered', COALESCE(r.comments_answered, 0))
    FROM units_administrativeunit u,
        reports_unitreport t
        LEFT JOIN (SELECT report_id, count(*) AS bodies,
                          sum(pages_registered) AS pages_registered,
                          sum(pages_approved) AS pages_approved,
                          sum(pages_verified) AS pages_verified,
                          sum(pages_needing_review) AS pages_needing_review,
                          sum(pages_with_responsible_unit) AS pages_with_responsible_unit,
                          count(*) FILTER (WHERE has_contact) AS bodies_with_contact,
                          count(*) FILTER (WHERE contact_notified) AS bodies_contact_notified,
                          count(*) FILTER (WHERE has_rules) AS bodies_with_rules,
                          sum(incidents_opened) AS incidents_opened,
                          sum(incidents_reported) AS incidents_reported,
                          sum(incidents_resolved) AS incidents_resolved,
                          sum(hours_to_report_total) AS hours
                   FROM reports_reportbodyrow GROUP BY report_id) b ON b.report_id = t.id
        LEFT JOIN (SELECT report_id, count(*) AS missing FROM reports_reportchildrow
                   GROUP BY report_id) c ON c.report_id = t.id
    WHERE t.id = r.id AND u.id = r.unit_id AND r.period_id = %(period)s
      AND r.state IN ('draft', 'returned')""",
]


def _digest(period: Any) -> tuple[str, ...]:
    """Checksums of the period's reports (snapshot fields and totals) and of each row table,
    keyed by what does not depend on the rows' own ids."""
    tables = (
        ("reports_reportbodyrow", "body_id"),
        ("reports_reportpagerow", "page_id"),
        ("reports_reportchildrow", "child_unit_id"),
    )
    sums = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT md5(string_agg(concat_ws('|', unit_id, unit_name, unit_path, totals::text),"
            " ';' ORDER BY unit_id)) FROM reports_unitreport WHERE period_id = %s",
            [period.pk],
        )
        sums.append(cursor.fetchone()[0])
        for table, key in tables:
            cursor.execute(
                f"SELECT count(*), md5(string_agg(concat_ws('|', r.unit_id, "  # noqa: S608
                f"(to_jsonb(x) - 'id' - 'report_id')::text), ';' ORDER BY r.unit_id, x.{key})) "
                f"FROM {table} x JOIN reports_unitreport r ON r.id = x.report_id "
                "WHERE r.period_id = %s",
                [period.pk],
            )
            count, digest = cursor.fetchone()
            sums.append(f"{count}:{digest}")
    return tuple(sums)


def floor_params(period: Any, now: datetime) -> dict[str, Any]:
    """The parameters of ``_FLOOR`` for a period built at ``now``."""
    from datetime import timedelta

    from django.conf import settings

    from reports.build import local_bounds

    start, end = local_bounds(period)
    return {
        "period": period.pk,
        "start": start,
        "end": end,
        "day": period.ends_on,
        "now": now,
        "cutoff": end - timedelta(days=settings.PORTAL_PAGE_RECONFIRM_DAYS),
    }


def run_floor(params: dict[str, Any], *, tuned: bool = False) -> tuple[float, int]:
    """``_FLOOR`` in one transaction: its seconds (commit included) and statements;
    ``tuned``: under the settings the build gives its own transaction (no JIT, its
    ``work_mem``), one statement more."""
    from reports.build_sql import WORK_MEM

    with counted() as stats:
        began = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            if tuned:
                cursor.execute(
                    "SELECT set_config('jit', 'off', true), set_config('work_mem', %s, true)",
                    [WORK_MEM],
                )
            for sql in _FLOOR:
                cursor.execute(sql, params)
        seconds = time.perf_counter() - began
    return seconds, stats.count


def _floor(period: Any, now: datetime, build_seconds: float) -> list[Figure]:
    """The same rows and totals written by a minimal hand-written set of SQL statements.

    Valid for this data set only: a registry written in bulk (no history), every report a
    draft, no child accepted; the build's own rows are checked equal to it afterwards.
    """
    with connection.cursor() as cursor:
        # The row tables were just filled: statistics for the checksums' joins.
        cursor.execute(f"ANALYZE {REPORT_TABLES}")
    built = _digest(period)
    seconds, count = run_floor(floor_params(period, now))
    same = _digest(period) == built
    return [
        Figure(
            f"raw-SQL floor: the same rows and totals, {len(_FLOOR)} statements",
            seconds,
            count,
            "rows and totals identical to the build's: "
            + ("yes (checksums of every table equal)" if same else "NO, they differ"),
        ),
        Figure(
            f"SQL build (refresh) / raw-SQL floor: {build_seconds / seconds:.2f}x",
            note=f"{build_seconds:.2f} s against {seconds:.2f} s in the same run",
        ),
    ]
