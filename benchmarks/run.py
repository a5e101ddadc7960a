"""Run the benchmarks against a throw-away copy of the configured database and print figures.

`make bench` runs this module: the divisions benchmark, the reports one, then the public
verification's (see docs/benchmarks.md). `python -m benchmarks.run reports` (or
`divisions`, `verify`) runs one only.
The configured database (DATABASE_URL, or the embedded SQLite file) is never written:
Django's test-database machinery creates a fresh one, migrates it, and drops it at the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

BENCHMARKS = ("divisions", "reports", "verify", "speed14")


def _divisions() -> None:
    from benchmarks import import_divisions

    print("Divisions import (units/importers/)")
    for figure in import_divisions.run():
        if not figure.seconds:
            print(f"  {figure.label}")
            continue
        print(
            f"  {figure.label:<44} {figure.seconds:6.2f} s  "
            f"{figure.queries:5d} queries  {figure.units_written:6d} units written"
        )


def _reports() -> None:
    from benchmarks import reports

    print("Reports at national scale (reports/build.py, exports, dashboard)")
    profile: list[str] = []
    for figure in reports.run(profile):
        seconds = f"{figure.seconds:8.2f} s" if figure.seconds is not None else " " * 10
        queries = f"{figure.queries:6d} queries" if figure.queries is not None else " " * 14
        print(f"  {figure.label:<66} {seconds} {queries}")
        if figure.note:
            print(f"      {figure.note}")
    if profile:
        print()
        print("  First build, statements by kind (slowest first):")
        for line in profile:
            print(f"    {line}")


def _verify() -> None:
    from benchmarks import verify

    print("Public verification at national scale, beside /healthz (accounts_registry/)")
    lines: list[str] = []
    figures = verify.run(lines)
    for line in lines:
        print(f"  {line}")
    for figure in figures:
        # The floor is /healthz measured the same way (in-process or gunicorn) in this run.
        kind = figure.label.split(" ")[0]
        floor = next(f for f in figures if f.label.startswith(kind) and "healthz" in f.label)
        ratio = (
            f"{figure.per_second / floor.per_second:5.2f}x /healthz"
            if figure is not floor and floor.per_second
            else " " * 15
        )
        latency = (
            f"p50 {figure.p50_ms:6.1f} ms  p99 {figure.p99_ms:6.1f} ms"
            if figure.p50_ms is not None and figure.p99_ms is not None
            else ""
        )
        print(
            f"  {figure.label:<48} {figure.per_second:8.0f} req/s  {ratio}  {latency}"
            f"  ({figure.requests} requests, {figure.errors} errors)"
        )


def _speed14() -> None:
    from benchmarks import dashboard_reminders_xlsx

    print("Dashboards, reminders and XLSX beside their floors (issue 14)")
    for figure in dashboard_reminders_xlsx.run():
        ratio = f"{figure.ratio:6.2f}x floor" if figure.ratio is not None else ""
        floor = f"(floor {figure.floor:.3f} s)" if figure.floor is not None else ""
        print(f"  {figure.label:<66} {figure.seconds:8.3f} s  {ratio} {floor}  {figure.note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("only", nargs="*", help=f"run only these of {', '.join(BENCHMARKS)}")
    chosen = parser.parse_args(argv).only or list(BENCHMARKS)
    unknown = sorted(set(chosen) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    if connection.vendor != "sqlite":
        # Not the test suite's "test_<name>", which a concurrent pytest --reuse-db may hold.
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_{old_name}"
    # BENCH_KEEPDB=1 keeps the scratch database (and its synthetic registry) for the next run.
    keep = os.environ.get("BENCH_KEEPDB") == "1"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep)
    try:
        vendor = connection.vendor
        version = ".".join(str(part) for part in connection.get_database_version())
        print(f"Database: {vendor} {version} (scratch database {connection.settings_dict['NAME']})")
        print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
        if hasattr(os, "getloadavg"):
            print("Load average at start: " + ", ".join(f"{v:.1f}" for v in os.getloadavg()))
        for name in chosen:
            print()
            started = time.perf_counter()
            {
                "divisions": _divisions,
                "reports": _reports,
                "verify": _verify,
                "speed14": _speed14,
            }[name]()
            print(f"  ({name}: {time.perf_counter() - started:.0f} s in all)")
    finally:
        if keep:
            print(f"\nScratch database {connection.settings_dict['NAME']} kept (BENCH_KEEPDB=1).")
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
