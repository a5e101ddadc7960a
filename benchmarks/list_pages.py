"""Every list page of the portal, as the national administrator sees it, on an existing
national database (issue 14: "every list page ≤ 1 s and ≤ 300 KB at any scope").

The pages are enumerated from the URLconf: every route without a path parameter that a GET
lists something (the site's lists, their JSON autocompletes, the API's list endpoints, the
Django admin's change lists), leaving out forms, logins, downloads and the API schema;
then the searches and filters of the long lists (``VARIANTS``: the registry with and without
``q`` and filters, far page numbers, the directory's searches).

Each URL is requested through Django's test client (in-process, one thread,
``Client.force_login`` as an administrator who is also Django staff, for the admin): one
warm-up, then the median of ``--runs``, with the statements and the response size of the
last one. Writes only the benchmark's administrator account (and what Django writes at a
login: the session, the last login).

    PORTAL_OTP_REQUIRED=false DATABASE_URL=postgres://…/portal_national_mine \\
        .venv/bin/python -m benchmarks.list_pages [--runs 3] [--only registry] [--markdown]
        [--jit on|off]   # SET jit for the benchmark's connection (default: the settings')
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

# Aims of issue 14.
MAX_SECONDS = 1.0
MAX_BYTES = 300 * 1024

# Routes without path parameters that are not list pages (matched on the route's start or
# its whole text): sign-in and second factor, forms, downloads, the API's description.
_NOT_LISTS = (
    "healthz",
    "accounts/login/",
    "accounts/logout/",
    "accounts/password/",
    "accounts/reset/",
    "accounts/second-factor/",
    "accounts/notifications/",
    "i18n/",
    "jsi18n/",
    "api/schema/",
    "api/docs/",
    "api/v1/auth/token/",
    "registry/bulk/",
    "verify/",
    "incidents/report/",
    "notifications/read/",
    "admin/login/",
    "admin/logout/",
    "admin/password_change/",
    "admin/jsi18n/",
    "admin/autocomplete/",
)
_FORM_SUFFIXES = ("new/", "add/", "setup/", "turn-off/", "recovery-codes/new/")

# Autocompletes answer nothing without a typed text: ask what a person types.
_AUTOCOMPLETE_QUERY = "?q=cam+thuy"

# Searches, filters and far pages of the long lists, beside the bare routes.
VARIANTS = (
    "/registry/pages/?q=cam+thuy",
    "/registry/pages/?q=xa",
    "/registry/pages/?q=ubnd+xa+cam+ngoc",
    "/registry/pages/?q=nobody+such+name",
    "/registry/pages/?state=submitted",
    "/registry/pages/?state=archived",
    "/registry/pages/?gap=no_contact",
    "/registry/pages/?gap=needs_review",
    "/registry/pages/?platform=facebook&gap=not_verified",
    "/registry/pages/?unit_q=huyen+cam+thuy",
    "/registry/pages/?body_q=ubnd+xa+cam+ngoc",
    "/registry/pages/?q=xa&page=1000",
    "/registry/pages/?page=2000",
    "/units/?q=cam",
    "/units/bodies/?q=truong+thcs",
    "/units/bodies/?page=1900",
    "/reports/?page=200",
    "/directory/?q=cam+thuy",
    "/directory/?q=xa",
    "/directory/?page=2000",
    "/directory/?q=xa&page=1000",
    "/api/v1/registry/pages/?q=cam+thuy",
    "/api/v1/registry/pages/?page=2000",
    "/api/v1/public/directory/?q=xa",
)


def list_routes() -> list[str]:
    """The URLconf's GET routes without path parameters that list something."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns: Any, prefix: str) -> Iterator[tuple[str, URLPattern]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern

    routes: list[str] = []
    for route, _pattern in walk(get_resolver().url_patterns, ""):
        # DRF's router writes its routes as regular expressions: "^pages/$".
        route = route.replace("^", "").replace("$", "")
        if "<" in route or "(" in route or not route.endswith("/"):
            continue
        if route.startswith(_NOT_LISTS) or route.endswith(_FORM_SUFFIXES):
            continue
        if route == "admin/":
            continue
        url = "/" + route
        if "autocomplete/" in route or route == "directory/bodies/":
            url += _AUTOCOMPLETE_QUERY
        if url not in routes:
            routes.append(url)
    return routes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.list_pages")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="only URLs holding this text")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--jit", choices=["on", "off"], help="SET jit for the connection")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("PORTAL_OTP_REQUIRED", "false")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from users.models import Role, RoleAssignment, User

    setup_test_environment()
    # The 404s of routes that need a parameter and the logins' lines are not the figures.
    logging.disable(logging.WARNING)
    name = connection.settings_dict["NAME"]
    if not str(name).startswith("portal_national_"):
        parser.error(f"refusing to write database {name!r}: use a clone portal_national_<name>")
    admin, _created = User.objects.get_or_create(
        username="bench-list-admin",
        defaults={"full_name": "Quản trị hệ thống (benchmark)", "email": "lists@bench.invalid"},
    )
    if not (admin.is_staff and admin.is_superuser):
        # Django staff too, as the demo's administrator: the admin's change lists are lists.
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
    RoleAssignment.objects.get_or_create(user=admin, role=Role.SYSTEM_ADMIN)
    client = Client()
    client.force_login(admin)
    urls = [url for url in [*list_routes(), *VARIANTS] if args.only in url]
    if args.jit:
        with connection.cursor() as cursor:
            cursor.execute(f"SET jit = {args.jit}")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
    print(f"database {name}; jit {jit}; {len(urls)} URLs; load {os.getloadavg()[0]:.1f}")

    count = [0]

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        count[0] += 1
        return execute(sql, params, many, context)

    rows: list[tuple[str, int, float, int, int]] = []
    for url in urls:
        times = []
        status = size = 0
        for attempt in range(args.runs + 1):
            count[0] = 0
            with connection.execute_wrapper(wrapper):
                began = time.perf_counter()
                response = client.get(url)
                spent = time.perf_counter() - began
            status, size = response.status_code, len(response.content)
            if attempt:
                times.append(spent)
        median = statistics.median(times)
        rows.append((url, status, median, count[0], size))
        flag = " OVER" if median > MAX_SECONDS or size > MAX_BYTES else ""
        print(
            f"{median:7.3f} s {size / 1024:8.1f} KiB {count[0]:4d} q  {status}  {url}{flag}",
            flush=True,
        )
    print(f"load {os.getloadavg()[0]:.1f} at the end")
    over = [row for row in rows if row[2] > MAX_SECONDS or row[4] > MAX_BYTES]
    print(f"{len(over)} of {len(rows)} over {MAX_SECONDS} s or {MAX_BYTES // 1024} KiB")
    if args.markdown:
        print("\n| page | status | time | statements | size |\n|---|---|---|---|---|")
        for url, status, median, statements, size in rows:
            slow = "**" if median > MAX_SECONDS else ""
            big = "**" if size > MAX_BYTES else ""
            print(
                f"| `{url}` | {status} | {slow}{median:.2f} s{slow} | {statements} "
                f"| {big}{size / 1024:,.0f} KiB{big} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
