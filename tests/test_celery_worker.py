"""A real Celery worker process, the real Redis broker and the test database, end to end.

The worker is started as production starts it (``celery -A portal worker``), talks to the
broker in ``settings.REDIS_URL`` and to this test run's database, and writes email to files
in a temporary directory. The test checks that a queued email is delivered exactly once,
even when the delivery task is enqueued a second time.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from notifications.models import EmailStatus, OutboundEmail
from notifications.services import queue_email
from notifications.tasks import deliver_email

pytestmark = pytest.mark.worker

# Generous bounds for a loaded two-core machine; a healthy run takes a few seconds.
WORKER_START_TIMEOUT = 60.0
DELIVERY_TIMEOUT = 60.0


def _database_url() -> str:
    """The URL of the database this test run uses (the test database, not the real one)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{db['NAME']}"


def _wait_for(condition: Callable[[], bool], timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"Timed out waiting for {what}. Worker log:\n{log.read_text()}")


@pytest.fixture
def keep_migrated_data(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Put back, after the transactional test's flush, the rows that migrations installed.

    A transactional test ends by emptying every table, the unit levels seeded by a data
    migration included; tests after it, and later runs on the reused test database, need them.
    """
    with django_db_blocker.unblock():
        saved = connection.creation.serialize_db_to_string()
    yield
    with django_db_blocker.unblock():
        # Empty again without post_migrate, which would re-create content types under new ids.
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        connection.creation.deserialize_db_from_string(saved)


@contextlib.contextmanager
def running_worker(tmp_path: Path, name: str, **extra_env: str) -> Iterator[Path]:
    """A real worker process against the test database and broker; yields its log file.

    ``extra_env`` adds settings for the worker (a media directory, a lower threshold…).
    """
    log = tmp_path / f"{name}.log"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"EMAIL_URL", "PORTAL_ENV", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DATABASE_URL=_database_url(),
        REDIS_URL=settings.REDIS_URL,
        # In the embedded default, email is written to files under $PORTAL_VAR_DIR/mail.
        PORTAL_VAR_DIR=str(tmp_path / "var"),
        PYTHONUNBUFFERED="1",
        **extra_env,
    )
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "-l",
                "info",
                "--without-mingle",
                "--without-gossip",
                "--hostname",
                f"{name}-{os.getpid()}@%h",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for(
                lambda: process.poll() is not None or b" ready." in log.read_bytes(),
                WORKER_START_TIMEOUT,
                "the worker to start",
                log,
            )
            assert process.poll() is None, f"The worker exited:\n{log.read_text()}"
            yield log
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture
def worker(keep_migrated_data: None, transactional_db: None, tmp_path: Path) -> Iterator[Path]:
    """Start a real worker against the test database; yield the directory it writes mail to."""
    with running_worker(tmp_path, "worker"):
        yield tmp_path / "var" / "mail"


def _mail_files(mail_dir: Path) -> list[Path]:
    return sorted(mail_dir.glob("*.log")) if mail_dir.exists() else []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_delivers_a_queued_email_exactly_once(worker: Path, tmp_path: Path) -> None:
    log = tmp_path / "worker.log"

    # Outside any transaction, on_commit runs at once: the task goes to the broker now.
    email = queue_email(
        to="van.thu@camngoc.thanhhoa.gov.vn",
        subject="Nhắc nộp báo cáo quý",
        text="Đề nghị xã Cẩm Ngọc nộp báo cáo.",
        html="<p>Đề nghị xã Cẩm Ngọc nộp báo cáo.</p>",
    )
    _wait_for(
        lambda: OutboundEmail.objects.get(pk=email.pk).status == EmailStatus.SENT,
        DELIVERY_TIMEOUT,
        "the worker to mark the email sent",
        log,
    )
    _wait_for(lambda: bool(_mail_files(worker)), 10, "the mail file", log)

    # The same task again, as a broker redelivery or a double enqueue would do it.
    second = deliver_email.delay(email.pk).get(timeout=DELIVERY_TIMEOUT)

    email.refresh_from_db()
    assert second == "skipped"
    assert email.status == EmailStatus.SENT
    assert email.attempts == 1
    [mail_file] = _mail_files(worker)
    content = mail_file.read_text()
    assert "To: van.thu@camngoc.thanhhoa.gov.vn" in content
    assert content.count("Subject: ") == 1
