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

    from reports.build import BATCH_SIZE, build_period
    from reports.models import PeriodKind
    from reports.periods import ensure_period
    from reports.synthetic import generate
    from units.importers import import_edition
    from units.models import AdministrativeUnit

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
        figures.append(
            Figure(
                f"build {period.label}, all units: {label}",
                seconds,
                stats.count,
                f"{result.units} reports, {result.body_rows} body rows, {result.page_rows} "
                f"page rows, {result.child_rows} child rows; batch {BATCH_SIZE}; "
                f"RSS +{(_rss_kib() - rss) / 1024:.0f} MiB; SQL time {stats.seconds:.1f} s",
            )
        )
        if profile is not None and label == "first build":
            profile.extend(
                f"{kind:<48} {stats.by_kind[kind]:5d} statements {spent:7.2f} s"
                for kind, spent in sorted(stats.time_by_kind.items(), key=lambda item: -item[1])
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
