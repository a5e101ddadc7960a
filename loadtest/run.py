"""Start the portal under gunicorn on a scratch PostgreSQL database, load it, print figures.

``make load`` runs this module. It creates ``load_<PGDATABASE>`` (dropped first if left from
a run before), migrates it and fills it (``LOAD_DATA``):

- ``national`` (the default): today's two-tier country and the synthetic registry of its size
  (100,000 bodies, 150,000 pages; ``loadtest/national.py``), this quarter built;
- ``demo``: the demo's few pages, one past quarter built (a quick smoke run).

It then starts gunicorn on loopback, runs locust headless for a bounded time, prints requests
per second, latency percentiles and errors per endpoint, and stops everything. Nothing
leaves the machine.

Environment: ``LOAD_USERS`` (default 20), ``LOAD_SECONDS`` (600 for the national data set,
60 for the demo), ``LOAD_WORKERS`` (gunicorn workers, default twice the cores plus one),
``LOAD_BODIES`` / ``LOAD_PAGES``, the ``PG*`` variables and ``REDIS_URL``.
"""

from __future__ import annotations

import csv
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-q", "-d", "postgres", "-c", sql],
        check=True,
        env={**os.environ, "PGHOST": _pg("PGHOST", "127.0.0.1")},
    )


def _pg(name: str, default: str) -> str:
    return os.environ.get(name) or default


def main() -> int:
    data = os.environ.get("LOAD_DATA", "national")
    if data not in {"national", "demo"}:
        print(f"LOAD_DATA must be 'national' or 'demo', not {data!r}", file=sys.stderr)
        return 2
    users = int(os.environ.get("LOAD_USERS", "20"))
    seconds = int(os.environ.get("LOAD_SECONDS", "600" if data == "national" else "60"))
    workers = int(os.environ.get("LOAD_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
    host, port, user = _pg("PGHOST", "127.0.0.1"), _pg("PGPORT", "5432"), _pg("PGUSER", "postgres")
    name = f"load_{_pg('PGDATABASE', 'portal')}"
    workdir = Path(tempfile.mkdtemp(prefix="portal-load-"))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PORTAL_ENV", "EMAIL_URL", "CELERY_TASK_ALWAYS_EAGER"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DATABASE_URL=f"postgres://{user}@{host}:{port}/{name}",
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        PORTAL_VAR_DIR=str(workdir / "var"),
        # The load measures the portal, not the per-address limit every request here shares.
        PORTAL_PUBLIC_VERIFY_RATE="1000000/min",
        PORTAL_PUBLIC_DIRECTORY_RATE="1000000/min",
        # Nor the second factor: the provincial officer's scenario logs in with a password.
        PORTAL_OTP_REQUIRED="false",
        LOAD_PLAN=str(workdir / "plan.json"),
        CONN_MAX_AGE="60",
        DEBUG="false",
    )

    print(f"Scratch database {name}: migrate, {data} data set, reports…", flush=True)
    _psql(f'DROP DATABASE IF EXISTS "{name}"')
    _psql(f'CREATE DATABASE "{name}"')
    gunicorn = None
    fill = (
        [["shell", "-c", f"from loadtest.national import prepare; prepare({env['LOAD_PLAN']!r})"]]
        if data == "national"
        else [
            ["load_demo", "-v", "0"],
            [
                "shell",
                "-c",
                "from datetime import date; from reports.models import PeriodKind; "
                "from reports.periods import ensure_period; from reports.build import build_period; "
                "build_period(ensure_period(PeriodKind.QUARTERLY, date(2025, 2, 15)))",
            ],
        ]
    )
    try:
        for args in (["migrate", "--noinput", "-v", "0"], *fill):
            subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)

        web_port = _free_port()
        log = (workdir / "gunicorn.log").open("wb")
        gunicorn = subprocess.Popen(
            [
                PYTHON, "-m", "gunicorn", "portal.wsgi:application", "--bind",
                f"127.0.0.1:{web_port}", "--workers", str(workers), "--timeout", "60",
            ],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        base = f"http://127.0.0.1:{web_port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

        print(
            f"Locust: {users} users for {seconds} s against gunicorn ({workers} workers) on {base}",
            flush=True,
        )
        before = " ".join(f"{value:.1f}" for value in os.getloadavg())
        prefix = workdir / "locust"
        subprocess.run(
            [
                PYTHON, "-m", "locust", "-f", str(ROOT / "loadtest" / "locustfile.py"),
                "--headless", "--host", base, "-u", str(users), "-r", str(users),
                "-t", f"{seconds}s", "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
            ],
            cwd=ROOT, env=env, check=False,
        )  # fmt: skip
        rows = list(csv.DictReader((workdir / "locust_stats.csv").open()))
        print()
        print(
            f"Python {platform.python_version()}, {os.cpu_count()} cores; {data} data set; "
            f"{users} users, {seconds} s; load average before the run {before}"
        )
        header = f"{'endpoint':<28} {'requests':>9} {'errors':>7} {'req/s':>8} {'p50':>6} {'p95':>6} {'p99':>6}"
        print(header)
        for row in rows:
            print(
                f"{row['Name']:<28} {row['Request Count']:>9} {row['Failure Count']:>7} "
                f"{float(row['Requests/s']):>8.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
            )
        print("(latencies in milliseconds)")
        failures = sum(int(row["Failure Count"]) for row in rows if row["Name"] == "Aggregated")
        return 1 if failures else 0
    finally:
        if gunicorn is not None:
            os.killpg(gunicorn.pid, signal.SIGTERM)
            gunicorn.wait(timeout=30)
        _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
