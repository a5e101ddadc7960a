"""The SQL build of a whole period against an existing national database, statement by statement.

``benchmarks/reports.py`` (``make bench BENCH=reports``) creates, fills and drops a scratch
database; this runs the build part of it (the first build, the refresh and the raw-SQL
floor, with the same checksums) against a database that already holds the three-tier country
and the seed-874 synthetic registry, such as a clone of the one ``docs/benchmarks.md``
describes (``createdb -T portal_national portal_national_mine``), and prints every statement
of the refresh with its time. It writes that period's reports: never point it at a database
someone else reads.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_national_mine \\
        .venv/bin/python -m benchmarks.build_national [--runs 3] [--explain]

``--explain`` prints ``EXPLAIN (ANALYZE, BUFFERS)`` of each statement of one more refresh,
inside a transaction rolled back at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def _timed(lines: list[tuple[float, str]]) -> Iterator[None]:
    from django.db import connection

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            lines.append((time.perf_counter() - started, " ".join(sql.split())[:110]))

    with connection.execute_wrapper(wrapper):
        yield


@contextmanager
def _explained(out: list[str]) -> Iterator[None]:
    """Run every statement under EXPLAIN ANALYZE (it still writes), keep the plans."""
    from django.db import connection

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        words = sql.lstrip().split(None, 1)
        # Statements whose rows the caller reads run as they are (EXPLAIN would replace
        # them with the plan); the others run under EXPLAIN ANALYZE, which executes them.
        if not words or words[0].upper() not in ("CREATE", "INSERT", "UPDATE", "DELETE", "WITH"):
            return execute(sql, params, many, context)
        if words[0].upper() == "INSERT" and "RETURNING" in sql.upper():
            return execute(sql, params, many, context)
        result = execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params, many, context)
        cursor = context["cursor"]
        plan = [row[0] for row in cursor.fetchall()]
        out.append("=" * 100)
        out.append(" ".join(sql.split())[:300])
        out.extend(plan)
        if words[0].upper() == "WITH" and "RETURNING 1)" in sql:
            # The rows and totals: its caller reads the counts (all rolled back at the end).
            return execute(sql, params, many, context)
        return result

    with connection.execute_wrapper(wrapper):
        yield


def _fresh_statistics(*, after_delete: bool) -> None:
    """Statistics as autovacuum would keep them: an ANALYZE right after the period's reports
    were deleted would record empty tables of many pages (an estimate of one row, and
    nested loops over the next build's 250,000 rows); VACUUM gives the pages back first."""
    from django.db import connection

    from benchmarks.reports import REPORT_TABLES

    with connection.cursor() as cursor:
        if after_delete:
            cursor.execute(f"VACUUM (ANALYZE) {REPORT_TABLES}")
            cursor.execute("ANALYZE")
        else:
            cursor.execute(f"ANALYZE {REPORT_TABLES}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.build_national")
    parser.add_argument("--runs", type=int, default=3, help="refreshes to time (median)")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--no-floor", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    from benchmarks.reports import (
        BUILD_NOW,
        PERIOD_DAY,
        _floor,
        counted,
        floor_params,
        run_floor,
    )
    from reports.build import build_period
    from reports.models import PeriodKind, UnitReport
    from reports.periods import ensure_period

    name = connection.settings_dict["NAME"]
    if not str(name).startswith("portal_national_"):
        parser.error(f"refusing to write database {name!r}: use a clone portal_national_<name>")
    print(f"database {name}; load average " + ", ".join(f"{v:.1f}" for v in os.getloadavg()))
    period = ensure_period(PeriodKind.QUARTERLY, PERIOD_DAY)
    UnitReport.objects.filter(period=period).delete()
    _fresh_statistics(after_delete=True)
    with counted() as stats:
        began = time.perf_counter()
        result = build_period(period, now=BUILD_NOW)
        first = time.perf_counter() - began
    print(
        f"first build {first:.2f} s, {stats.count} statements; {result.units} reports, "
        f"{result.body_rows} body rows, {result.page_rows} page rows, {result.child_rows} child"
    )
    _fresh_statistics(after_delete=False)
    if not args.no_floor:
        # The floor writes exactly the build's rows (checksums compared once).
        for figure in _floor(period, BUILD_NOW, first):
            print(f"{figure.label}: {figure.seconds or 0:.2f} s  {figure.note}")
    params = floor_params(period, BUILD_NOW)
    times, floors, ratios, tuned_floors, tuned_ratios = [], [], [], [], []
    lines: list[tuple[float, str]] = []
    for _ in range(args.runs):
        lines = []
        load = os.getloadavg()[0]
        with counted() as stats, _timed(lines):
            began = time.perf_counter()
            build_period(period, now=BUILD_NOW)
            times.append(time.perf_counter() - began)
        floor = ""
        if not args.no_floor:
            seconds, _count = run_floor(params)
            floors.append(seconds)
            ratios.append(times[-1] / seconds)
            tuned, _count = run_floor(params, tuned=True)
            tuned_floors.append(tuned)
            tuned_ratios.append(times[-1] / tuned)
            floor = (
                f"; floor {seconds:.2f} s, ratio {ratios[-1]:.2f}; floor under the build's "
                f"settings {tuned:.2f} s, ratio {tuned_ratios[-1]:.2f}"
            )
        print(
            f"refresh {times[-1]:.2f} s, {stats.count} statements, SQL {stats.seconds:.2f} s, "
            f"load {load:.1f}{floor}"
        )
    print(f"refresh median {statistics.median(times):.2f} s")
    if floors:
        print(
            f"floor median {statistics.median(floors):.2f} s; "
            f"median ratio {statistics.median(ratios):.2f}; under the build's settings: "
            f"floor {statistics.median(tuned_floors):.2f} s, "
            f"ratio {statistics.median(tuned_ratios):.2f}"
        )
    for spent, sql in lines:
        print(f"  {spent:6.3f} s  {sql}")
    if args.explain:
        plans: list[str] = []
        with transaction.atomic():
            with _explained(plans):
                build_period(period, now=BUILD_NOW)
            transaction.set_rollback(True)
        print("\n".join(plans))
    return 0


if __name__ == "__main__":
    sys.exit(main())
