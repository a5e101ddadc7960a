"""The public directory's searches at national scale, on an existing database.

Unlike the other benchmarks this one does not build a scratch database: it reads the one in
``DATABASE_URL`` (a copy of the national data set: the three-tier divisions and
``generate_synthetic_registry --seed 874``, ``ANALYZE``d) and writes nothing to it. Each
address is asked once to warm up, then ``BENCH_DIRECTORY_REPEAT`` times (default 5) through
Django's test client; the median time, the response size, the number of queries and the
number of pages found are printed. The per-address limiter is raised out of reach.

    DATABASE_URL=postgres://postgres@127.0.0.1/portal_national_copy \\
        .venv/bin/python -m benchmarks.directory
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from dataclasses import dataclass

# The directory's searches listed in docs/registry.md, its API, and the words common to
# most of the country (each alone, and all together).
ADDRESSES = (
    "/directory/",
    "/directory/?q=cam+thuy",
    "/directory/?q=ubnd+xa+cam+ngoc",
    "/directory/?q=ubnd+xa+cam+ngoc&page=2",
    "/directory/?q=xa",
    "/directory/?q=xa&page=2000",
    "/directory/?q=ubnd",
    "/directory/?q=ubnd+xa",
    "/directory/?q=truong+thcs",
    "/directory/?q=nobody+such+name",
    "/directory/?q=ubnd+xa+cam+ngoc&platform=facebook",
    "/api/v1/public/directory/?q=ubnd+xa+cam+ngoc",
    "/api/v1/public/directory/?q=xa",
)


@dataclass(frozen=True)
class Figure:
    address: str
    seconds: float
    kib: float
    queries: int
    status: int
    found: int | None  # the API's count of pages found; None for HTML pages


def run(addresses: tuple[str, ...] = ADDRESSES, repeat: int = 5) -> list[Figure]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    figures = []
    for address in addresses:
        client.get(address)  # warm-up
        times = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(address)
                times.append(time.perf_counter() - start)
        figures.append(
            Figure(
                address=address,
                seconds=statistics.median(times),
                kib=len(response.content) / 1024,
                queries=len(queries.captured_queries),
                status=response.status_code,
                found=response.json().get("count") if address.startswith("/api/") else None,
            )
        )
    return figures


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["PORTAL_PUBLIC_DIRECTORY_RATE"] = "1000000/min"
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    repeat = int(os.environ.get("BENCH_DIRECTORY_REPEAT", "5"))
    addresses = tuple(sys.argv[1:]) or ADDRESSES
    print(f"Public directory, median of {repeat} after a warm-up (Django's test client)")
    for figure in run(addresses, repeat):
        print(
            f"  {figure.address:<52} {figure.seconds:7.3f} s {figure.kib:7.1f} KiB "
            f"{figure.queries:3d} queries  HTTP {figure.status}"
            + (f"  {figure.found} found" if figure.found is not None else "")
        )


if __name__ == "__main__":
    main()
