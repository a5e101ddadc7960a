"""The public verification at national scale, side by side with ``/healthz`` (its floor).

1. import the three-tier divisions and generate the synthetic registry (seed 874; nothing to
   do when the reports benchmark ran first in the same scratch database), then ANALYZE;
2. pick addresses to ask: approved pages, archived pages, and addresses nobody registered,
   in the shapes people paste (mobile host, tracking parameters);
3. in-process, through Django's test client: ``/healthz``, the verification API answered
   from the verdict cache, and the same with every request a new address (a cache miss,
   so the database lookup) — requests per second and the ratio to ``/healthz``;
4. under gunicorn on loopback (``2 * cores + 1`` workers, ``DEBUG`` off, the per-address
   limiter on at a rate the run cannot reach, so its Redis round trip is counted): the same
   three, driven by ``BENCH_VERIFY_CLIENTS`` client processes for ``BENCH_VERIFY_SECONDS``
   each, with p50/p99 latencies.

``BENCH_VERIFY_BODIES`` / ``BENCH_VERIFY_PAGES`` (default 100,000 / 150,000) size the registry;
``BENCH_VERIFY_GUNICORN=0`` skips step 4.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
SEED = 874
VERIFY = "/api/v1/public/verify"
HEALTHZ = "/healthz"
# Shapes people paste: the mobile host and a share link's parameters.
_SHAPES = ("{url}", "{mobile}/?ref=share", "{url}?mibextid=ZbWKwL")


@dataclass(frozen=True)
class Figure:
    label: str
    requests: int
    seconds: float
    p50_ms: float | None = None
    p99_ms: float | None = None
    errors: int = 0

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def _load_registry(lines: list[str]) -> None:
    from django.core.management.base import CommandError

    from reports.synthetic import generate
    from units.importers import import_edition

    started = time.perf_counter()
    import_edition("three-tier")
    try:
        generated = generate(
            seed=SEED,
            bodies=_env_int("BENCH_VERIFY_BODIES", 100_000),
            pages=_env_int("BENCH_VERIFY_PAGES", 150_000),
        )
        lines.append(
            f"generated {generated.bodies} bodies and {generated.pages} pages "
            f"({time.perf_counter() - started:.0f} s)"
        )
    except CommandError:
        lines.append("the synthetic registry was already generated (reports benchmark)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _addresses(count: int, once: int) -> tuple[list[str], list[str]]:
    """(``count`` addresses asked again and again, ``once`` addresses each asked once)."""
    from accounts_registry.models import PageState, SocialPage

    rng = random.Random(SEED)  # noqa: S311 - a reproducible sample, not a secret
    pages = list(
        SocialPage.objects.filter(
            state__in=[PageState.APPROVED, PageState.ARCHIVED], platform__code="facebook"
        )
        .order_by("?")
        .values_list("url", flat=True)[: count + once]
    )

    def shaped(url: str) -> str:
        mobile = url.replace("://www.", "://m.")
        return rng.choice(_SHAPES).format(url=url, mobile=mobile.rstrip("/"))

    # One address in five is nobody's page (a "not registered" answer).
    hot = [shaped(url) for url in pages[:count]]
    hot += [f"https://www.facebook.com/khong.dang.ky.{n}" for n in range(count // 4)]
    cold = [shaped(url) for url in pages[count:]]
    cold += [f"https://www.facebook.com/chua.dang.ky.{n}" for n in range(len(cold) // 4)]
    rng.shuffle(hot)
    rng.shuffle(cold)
    return hot, cold


def _in_process(paths: Sequence[str], seconds: float) -> Figure:
    from django.test import Client

    client = Client()
    latencies: list[float] = []
    errors = 0
    started = time.perf_counter()
    deadline = started + seconds
    index = 0
    while time.perf_counter() < deadline and index < len(paths):
        begin = time.perf_counter()
        response = client.get(paths[index])
        latencies.append(time.perf_counter() - begin)
        errors += response.status_code != 200
        index += 1
    return _figure("", latencies, time.perf_counter() - started, errors)


def _figure(label: str, latencies: list[float], seconds: float, errors: int) -> Figure:
    ordered = sorted(latencies)
    if not ordered:
        return Figure(label, 0, seconds)
    return Figure(
        label,
        len(ordered),
        seconds,
        p50_ms=ordered[len(ordered) // 2] * 1000,
        p99_ms=ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        errors=errors,
    )


def _verify_paths(addresses: Sequence[str]) -> list[str]:
    return [f"{VERIFY}?{urllib.parse.urlencode({'url': url})}" for url in addresses]


def _client_loop(args: tuple[int, list[str], float]) -> tuple[list[float], int]:
    """One client process: GET the paths in turn until the deadline, one connection each."""
    port, paths, deadline = args
    latencies: list[float] = []
    errors = 0
    index = 0
    while time.time() < deadline:
        path = paths[index % len(paths)]
        index += 1
        begin = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path, headers={"Accept-Language": "vi"})
            answer = conn.getresponse()
            answer.read()
            conn.close()
            errors += answer.status != 200
        except OSError:
            errors += 1
        latencies.append(time.perf_counter() - begin)
    return latencies, errors


def _drive(port: int, paths: list[str], seconds: float, clients: int) -> Figure:
    deadline = time.time() + seconds
    # Each client starts at its own place in the list, so a cold run never repeats an address.
    share = max(1, len(paths) // clients)
    jobs = [(port, paths[n * share :] + paths[: n * share], deadline) for n in range(clients)]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        results = pool.map(_client_loop, jobs)
    elapsed = time.perf_counter() - started
    latencies = [value for part, _ in results for value in part]
    return _figure("", latencies, elapsed, sum(errors for _, errors in results))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _gunicorn(lines: list[str], hot: list[str], cold: list[str]) -> list[Figure]:
    settings_dict = connection.settings_dict
    database_url = (
        f"postgres://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}:"
        f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
    )
    workers = _env_int("BENCH_VERIFY_WORKERS", 2 * (os.cpu_count() or 1) + 1)
    clients = _env_int("BENCH_VERIFY_CLIENTS", 8)
    seconds = float(_env_int("BENCH_VERIFY_SECONDS", 15))
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PORTAL_ENV", "EMAIL_URL", "CELERY_TASK_ALWAYS_EAGER"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DATABASE_URL=database_url,
        # Every request here comes from 127.0.0.1: a rate the run cannot reach keeps the
        # limiter's work (its Redis round trip) in the measure without refusing anything.
        PORTAL_PUBLIC_VERIFY_RATE="100000000/min",
        CONN_MAX_AGE="60",
        DEBUG="false",
    )
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--bind",
            f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "60",
            "--log-level", "warning",
        ],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", HEALTHZ)
                if conn.getresponse().status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        lines.append(
            f"gunicorn: {workers} workers on 127.0.0.1:{port}; {clients} client processes, "
            f"{seconds:.0f} s per endpoint"
        )
        # Warm every worker: its database connection, its Redis pool, the limiter's script.
        _drive(port, _verify_paths(hot), 3, clients)
        figures = []
        for label, paths in (
            ("gunicorn  /healthz", [HEALTHZ]),
            ("gunicorn  verify API, verdict cached", _verify_paths(hot)),
            ("gunicorn  verify API, new address each time", _verify_paths(cold)),
        ):
            measured = _drive(port, paths, seconds, clients)
            figures.append(Figure(label, *_fields(measured)))
        return figures
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _fields(figure: Figure) -> tuple[int, float, float | None, float | None, int]:
    return figure.requests, figure.seconds, figure.p50_ms, figure.p99_ms, figure.errors


def run(lines: list[str]) -> list[Figure]:
    """Measure; ``lines`` receives what was loaded and how the server ran."""
    from django.conf import settings
    from django.core.cache import cache

    _load_registry(lines)
    hot, cold = _addresses(
        _env_int("BENCH_VERIFY_ADDRESSES", 1000), _env_int("BENCH_VERIFY_ONCE", 40_000)
    )
    lines.append(
        f"{len(hot)} addresses asked again and again, {len(cold)} asked once; "
        f"cache {settings.CACHES['default']['BACKEND']}"
    )
    cache.clear()
    settings.PORTAL_PUBLIC_VERIFY_RATE = "100000000/min"
    seconds = float(_env_int("BENCH_VERIFY_INPROCESS_SECONDS", 5))
    hot_paths = _verify_paths(hot)
    # Every hot address asked once: the cache (shared with gunicorn's workers) holds them all.
    _in_process(hot_paths, 3600)
    # The addresses asked once are split: the in-process run and gunicorn's never share one.
    cold_here, cold_there = cold[: len(cold) // 4], cold[len(cold) // 4 :]
    measures: list[tuple[str, Callable[[], Figure]]] = [
        ("in-process /healthz", lambda: _in_process([HEALTHZ] * 1_000_000, seconds)),
        ("in-process verify API, verdict cached", lambda: _in_process(hot_paths * 500, seconds)),
        ("in-process verify API, new address each time", lambda: _in_process(
            _verify_paths(cold_here), seconds
        )),
    ]  # fmt: skip
    figures = [Figure(label, *_fields(measure())) for label, measure in measures]
    if os.environ.get("BENCH_VERIFY_GUNICORN", "1") != "0":
        figures.extend(_gunicorn(lines, hot, cold_there))
    return figures
