"""The national dashboard page, as the national administrator sees it, on an existing
national database whose period is built (``benchmarks.build_national`` leaves Quý 1/2025
built for the 10,810 units of the three-tier country).

Requests ``/reports/dashboard/?period=…`` through Django's test client (in-process, one
thread, ``Client.force_login``): one warm-up, then the median of ``--runs`` requests, with
their statements; ``--explain`` prints ``EXPLAIN ANALYZE`` of the slowest statements of the
last request. ``--province NAME`` asks as a provincial department officer of that province
instead (``--province last``: the province last in path order, ``--province largest``: the
one with the most units). Writes only the benchmark's administrator and officer accounts.

    PORTAL_OTP_REQUIRED=false DATABASE_URL=postgres://…/portal_national_mine \\
        .venv/bin/python -m benchmarks.dashboard_national [--runs 5] [--explain] \\
        [--province largest]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dashboard_national")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--province", help="a province's name, 'last' or 'largest'")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("PORTAL_OTP_REQUIRED", "false")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import setup_test_environment

    from benchmarks.reports import PERIOD_DAY
    from reports.models import PeriodKind, UnitReport
    from reports.periods import ensure_period
    from units.models import AdministrativeUnit
    from users.models import Role, RoleAssignment, User

    setup_test_environment()
    name = connection.settings_dict["NAME"]
    if not str(name).startswith("portal_national_"):
        parser.error(f"refusing to write database {name!r}: use a clone portal_national_<name>")
    period = ensure_period(PeriodKind.QUARTERLY, PERIOD_DAY)
    built = UnitReport.objects.filter(period=period, built_at__isnull=False).count()
    if args.province:
        provinces = AdministrativeUnit.objects.filter(parent__isnull=True)
        if args.province == "last":
            province = provinces.order_by("-path").first()
        elif args.province == "largest":
            province = (
                provinces.annotate(units=Count("children__children"))
                .order_by("-units", "path")
                .first()
            )
        else:
            province = provinces.filter(name=args.province).first()
        if province is None:
            parser.error(f"no province {args.province!r}")
        user, _created = User.objects.get_or_create(
            username=f"bench-province-{province.pk}",
            defaults={"full_name": "Cán bộ Sở (benchmark)", "email": "province@bench.invalid"},
        )
        RoleAssignment.objects.get_or_create(user=user, role=Role.PROVINCE_OFFICER, unit=province)
        who = f"a provincial officer of {province.name}"
    else:
        user, _created = User.objects.get_or_create(
            username="bench-national-admin",
            defaults={
                "full_name": "Quản trị hệ thống (benchmark)",
                "email": "admin@bench.invalid",
            },
        )
        RoleAssignment.objects.get_or_create(user=user, role=Role.SYSTEM_ADMIN)
        who = "the national administrator"
    client = Client()
    client.force_login(user)
    url = f"/reports/dashboard/?period={period.pk}"
    print(f"database {name}; {built} reports of {period.label} built; GET {url} as {who}")

    statements: list[tuple[float, str, Any]] = []

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter() - started, sql, params))

    times = []
    for attempt in range(args.runs + 1):
        statements.clear()
        load = os.getloadavg()[0]
        with connection.execute_wrapper(wrapper):
            began = time.perf_counter()
            response = client.get(url)
            spent = time.perf_counter() - began
        assert response.status_code == 200, response.status_code
        label = "warm-up" if attempt == 0 else f"run {attempt}"
        print(f"{label}: {spent:.3f} s, {len(statements)} statements, load {load:.1f}")
        if attempt:
            times.append(spent)
    print(f"median of {args.runs}: {statistics.median(times):.3f} s")
    slowest = sorted(statements, key=lambda item: -item[0])[:5]
    for spent, sql, _params in slowest:
        print(f"  {spent:6.3f} s  {' '.join(sql.split())[:150]}")
    if args.explain:
        with connection.cursor() as cursor:
            for _spent, sql, params in slowest[:3]:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                print("=" * 100)
                print("\n".join(row[0] for row in cursor.fetchall()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
