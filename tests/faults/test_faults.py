"""Faults of the real services, played against real processes (see docs/testing.md).

One private PostgreSQL cluster and one private Redis serve the whole module, with the demo
loaded (the three-tier country, its bodies, pages and users). The portal runs under gunicorn
and the work under Celery workers, as in production; the tests stop, restart and kill them:

- Redis stopped: pages, logins and registry writes keep working; the email they cause is kept
  in the database and delivered once Redis is back, nothing lost.
- PostgreSQL restarted under a running portal (persistent connections on): the portal
  answers again without being restarted.
- A worker killed (SIGKILL) in the middle of building a period's reports: no report is left
  half-built, the broker hands the task to the next worker, which finishes it, and the
  result equals a clean build.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2
import pytest
import requests

from tests.faults.servers import (
    PrivatePostgres,
    PrivateRedis,
    manage,
    portal_env,
    start_gunicorn,
    start_worker,
    wait_for,
)

pytestmark = [pytest.mark.faults, pytest.mark.worker]

DEMO_PASSWORD = "demo12345!"


@dataclass
class Stack:
    postgres: PrivatePostgres
    redis: PrivateRedis
    env: dict[str, str]
    workdir: Path

    def sql(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with (
            psycopg2.connect(
                host="127.0.0.1", port=self.postgres.port, user="postgres", dbname="portal"
            ) as conn,
            conn.cursor() as cursor,
        ):
            cursor.execute(query, params)
            return cursor.fetchall() if cursor.description else []


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("faults")
    postgres = PrivatePostgres()
    redis = PrivateRedis(workdir)
    postgres.init()
    redis.start()
    env = portal_env(
        database_url=postgres.url,
        redis_url=redis.url,
        var_dir=workdir / "var",
        # A message taken by a worker that dies is handed out again after this many seconds.
        CELERY_VISIBILITY_TIMEOUT="5",
    )
    try:
        manage(env, "migrate", "--noinput", timeout=900)
        manage(env, "load_demo", "--verbosity", "0", timeout=900)
        # The demo's own notices were queued with no worker running; count them as delivered
        # before the faults begin, so the tests watch only the mail their own requests cause.
        stack_sql = psycopg2.connect(
            host="127.0.0.1", port=postgres.port, user="postgres", dbname="portal"
        )
        with stack_sql, stack_sql.cursor() as cursor:
            cursor.execute(
                "UPDATE notifications_outboundemail SET status = 'sent', sent_at = now()"
            )
        stack_sql.close()
        yield Stack(postgres=postgres, redis=redis, env=env, workdir=workdir)
    finally:
        redis.stop()
        postgres.stop()


@pytest.fixture
def portal(stack: Stack) -> Iterator[str]:
    process, port = start_gunicorn(
        {**stack.env, "CONN_MAX_AGE": "60"}, stack.workdir / f"gunicorn-{time.time_ns()}.log"
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: requests.get(f"{base}/healthz", timeout=5).ok, 60, "the portal")
        yield base
    finally:
        process.stop()


def _why(response: requests.Response) -> str:
    """What went wrong, from Django's debug page (its exception and where) or the body."""
    found = re.search(r'<pre class="exception_value">(.*?)</pre>', response.text, re.DOTALL)
    where = re.search(
        r"<th scope=\"row\">Exception Location:</th>\s*<td>(.*?)</td>", response.text, re.DOTALL
    )
    if found:
        return f"{found[1].strip()} at {where[1].strip() if where else '?'}"
    return response.text[:2000]


def _login(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    answer = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token[1]},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=30,
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[:2000]
    return session


def test_with_redis_stopped_pages_and_writes_work_and_mail_waits_for_its_return(
    stack: Stack, portal: str
) -> None:
    # The People's Committee of today's Xã Cẩm Thủy (Xã Cẩm Ngọc merged into it on 01/07/2025),
    # for which the demo's commune staff (xa.camngoc) works.
    body_id = stack.sql(
        "SELECT b.id FROM units_body b JOIN units_administrativeunit u ON u.id = b.unit_id "
        "WHERE u.name = 'Xã Cẩm Thủy' AND u.valid_until IS NULL AND b.archived_at IS NULL "
        "AND b.kind = 'peoples_committee' ORDER BY b.id LIMIT 1"
    )[0][0]
    emails_before = stack.sql("SELECT count(*) FROM notifications_outboundemail")[0][0]
    stack.redis.stop()
    try:
        # Pages, public and logged in.
        assert requests.get(f"{portal}/", timeout=30).status_code == 200
        verify = requests.get(
            f"{portal}/verify/",
            params={"url": "https://www.facebook.com/ubndxacamngoc"},
            timeout=30,
        )
        assert verify.status_code == 200, verify.text[:2000]
        officer = _login(portal, "xa.camngoc")
        assert officer.get(f"{portal}/registry/pages/", timeout=30).status_code == 200

        # A registry write through the API, then its submission for review.
        token = requests.post(
            f"{portal}/api/v1/auth/token/",
            json={"username": "xa.camngoc", "password": DEMO_PASSWORD},
            timeout=30,
        ).json()["token"]
        headers = {"Authorization": f"Token {token}"}
        created = requests.post(
            f"{portal}/api/v1/registry/pages/",
            json={
                "body": body_id,
                "platform": "facebook",
                "display_name": "Tuổi trẻ xã Cẩm Ngọc",
                "url": "https://www.facebook.com/tuoitrecamngoc.faults",
            },
            headers=headers,
            timeout=30,
        )
        assert created.status_code == 201, _why(created)
        page_id = created.json()["id"]
        submitted = requests.post(
            f"{portal}/api/v1/registry/pages/{page_id}/submit/", headers=headers, timeout=30
        )
        assert submitted.status_code == 200, _why(submitted)
        # A password reset asked meanwhile: an email, whose delivery needs the broker.
        session = requests.Session()
        form = session.get(f"{portal}/accounts/password/reset/", timeout=30)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        assert csrf
        reset = session.post(
            f"{portal}/accounts/password/reset/",
            data={"email": "xa.camngoc@demo.example", "csrfmiddlewaretoken": csrf[1]},
            headers={"Referer": f"{portal}/accounts/password/reset/"},
            timeout=30,
            allow_redirects=False,
        )
        assert reset.status_code == 302
    finally:
        stack.redis.start()

    # Everything written is in the database; the email is waiting, not lost.
    assert stack.sql(
        "SELECT state FROM accounts_registry_socialpage WHERE id = %s", (page_id,)
    ) == [("submitted",)]
    waiting = stack.sql(
        "SELECT id FROM notifications_outboundemail WHERE id > 0 ORDER BY id OFFSET %s",
        (emails_before,),
    )
    assert waiting, "the password reset should have stored its email"
    ids = tuple(row[0] for row in waiting)
    assert stack.sql(
        "SELECT DISTINCT status FROM notifications_outboundemail WHERE id IN %s", (ids,)
    ) == [("queued",)]

    # Redis is back: the periodic sweep (beat's enqueue_stale_emails) hands them to a worker.
    worker = start_worker(stack.env, stack.workdir / "worker-redis.log", "faults-redis")
    try:
        manage(
            stack.env,
            "shell",
            "-c",
            "from datetime import timedelta; from notifications.services import enqueue_stale; "
            "print(enqueue_stale(older_than=timedelta(0)))",
        )
        wait_for(
            lambda: (
                stack.sql(
                    "SELECT count(*) FROM notifications_outboundemail WHERE id IN %s AND status = 'sent'",
                    (ids,),
                )[0][0]
                == len(ids)
            ),
            120,
            "the waiting email to be sent",
            worker.log,
        )
    finally:
        worker.stop()


def test_postgres_restarted_under_a_running_portal_recovers_without_a_restart(
    stack: Stack, portal: str
) -> None:
    officer = _login(portal, "huyen.camthuy")
    for _ in range(6):  # every gunicorn worker now holds a persistent connection
        assert officer.get(f"{portal}/registry/pages/", timeout=30).status_code == 200

    stack.postgres.restart()

    # The first request on a connection the server closed may fail; the portal must not need
    # a restart: within seconds every request succeeds again.
    wait_for(lambda: requests.get(f"{portal}/healthz", timeout=10).ok, 30, "the portal to answer")
    statuses = [officer.get(f"{portal}/registry/pages/", timeout=30).status_code for _ in range(10)]
    assert statuses == [200] * 10


def _build_digest(stack: Stack, period_id: int) -> tuple[Any, ...]:
    return stack.sql(
        "SELECT count(*), md5(string_agg(concat_ws(',', r.report_id, r.body_id, "
        "r.pages_registered, r.pages_approved, r.has_contact, r.has_rules), ';' "
        "ORDER BY r.report_id, r.body_id)) FROM reports_reportbodyrow r "
        "JOIN reports_unitreport u ON u.id = r.report_id WHERE u.period_id = %s",
        (period_id,),
    )[0]


def test_a_worker_killed_mid_build_leaves_no_half_report_and_the_retry_matches_a_clean_build(
    stack: Stack,
) -> None:
    out = manage(
        stack.env,
        "shell",
        "-c",
        "from datetime import date; from reports.models import PeriodKind; "
        "from reports.periods import ensure_period; from reports.services import build_start; "
        "from django.db import transaction\n"
        "with transaction.atomic():\n"
        "    p = ensure_period(PeriodKind.QUARTERLY, date(2025, 2, 15))\n"
        "    run = build_start(period=p)\n"
        "print(p.pk, run.pk)",
    )
    # The first quarter of 2025: the demo's three-tier country was in force until June 2025.
    period_id, run_id = (int(part) for part in out.split()[-2:])

    first = start_worker(stack.env, stack.workdir / "worker-build-1.log", "faults-build-1")
    try:
        wait_for(
            lambda: (
                stack.sql("SELECT state, done FROM reports_buildrun WHERE id = %s", (run_id,))[0][1]
                > 0
            ),
            240,
            "the build to have finished a batch",
            first.log,
        )
    finally:
        first.kill()
    state, done, total = stack.sql(
        "SELECT state, done, total FROM reports_buildrun WHERE id = %s", (run_id,)
    )[0]
    assert state == "running", (state, done, total)
    assert 0 < done < total, (state, done, total)

    # No half-built report: a report has rows if and only if its build committed.
    half = stack.sql(
        "SELECT count(*) FROM reports_unitreport u WHERE u.period_id = %s AND ("
        "(u.built_at IS NULL AND EXISTS (SELECT 1 FROM reports_reportbodyrow r WHERE r.report_id = u.id)) "
        "OR (u.built_at IS NOT NULL AND u.totals = '{}'::jsonb))",
        (period_id,),
    )[0][0]
    assert half == 0

    second = start_worker(stack.env, stack.workdir / "worker-build-2.log", "faults-build-2")
    try:
        wait_for(
            lambda: (
                stack.sql("SELECT state FROM reports_buildrun WHERE id = %s", (run_id,))[0][0]
                == "done"
            ),
            300,
            "the redelivered build to finish",
            second.log,
        )
    finally:
        second.stop()
    unbuilt = stack.sql(
        "SELECT count(*) FROM reports_unitreport WHERE period_id = %s AND built_at IS NULL",
        (period_id,),
    )[0][0]
    assert unbuilt == 0
    after_retry = _build_digest(stack, period_id)

    # A clean build of the same period, in one go, gives the same rows.
    manage(
        stack.env,
        "shell",
        "-c",
        f"from reports.build import build_period; from reports.models import ReportingPeriod; "
        f"build_period(ReportingPeriod.objects.get(pk={period_id}), refresh=True)",
    )
    assert _build_digest(stack, period_id) == after_retry
    assert after_retry[0] > 0
