"""``manage.py run_embedded``: web, worker and beat as real child processes, on the embedded
default (SQLite and the file-system broker), started and stopped as a user would."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.worker

BASE_DIR = Path(__file__).resolve().parents[1]
MANAGE = str(BASE_DIR / "manage.py")
BOOT_SECONDS = 90
STOP_SECONDS = 40
PROBE_USER = "probe.user"
PROBE_PASSWORD = "probe-password-731"
PROBE_NAME = "Phạm Thị Kiểm Thử"

# Whatever `make test` points at (PostgreSQL, Redis) must not leak into the embedded run.
_SERVER_VARIABLES = {
    "DATABASE_URL",
    "REDIS_URL",
    "CACHE_REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "EMAIL_URL",
    "PORTAL_ENV",
}


def _manage(env: dict[str, str], *args: str, timeout: float = 180) -> str:
    completed = subprocess.run(
        [sys.executable, MANAGE, *args],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


@pytest.fixture(scope="module")
def embedded_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A migrated SQLite database and a var folder, with one user, shared by the module."""
    root = tmp_path_factory.mktemp("embedded")
    env = {k: v for k, v in os.environ.items() if k not in _SERVER_VARIABLES}
    env.update(
        PORTAL_VAR_DIR=str(root / "var"),
        DATABASE_URL=f"sqlite:///{root / 'portal.sqlite3'}",
        PYTHONUNBUFFERED="1",
    )
    _manage(env, "migrate", "--noinput")
    _manage(
        env,
        "shell",
        "-c",
        "from users.models import User; "
        f"User.objects.create_user({PROBE_USER!r}, password={PROBE_PASSWORD!r}, "
        f"full_name={PROBE_NAME!r})",
    )
    return env


@dataclass
class Embedded:
    process: subprocess.Popen[bytes]
    log_path: Path
    base_url: str
    env: dict[str, str]

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_for_log(self, pattern: str, timeout: float = 30) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.log())
            if found:
                return found
            time.sleep(0.2)
        raise AssertionError(f"{pattern!r} not in the log after {timeout} s:\n{self.log()}")

    def child_pids(self) -> dict[str, int]:
        started = re.findall(r"^\s*(\w+) \| started \(pid (\d+)\)", self.log(), re.MULTILINE)
        return {name: int(pid) for name, pid in started}

    def stop(self, sig: int) -> int:
        self.process.send_signal(sig)
        return self.process.wait(timeout=STOP_SECONDS)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _group_alive(pgid: int, *, within: float = 10.0) -> bool:
    """Whether a process of the group is still there after ``within`` seconds (a killed
    process is gone once the system has reaped it, which takes a moment on a loaded machine)."""
    deadline = time.monotonic() + within
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        if time.monotonic() > deadline:
            return True
        time.sleep(0.1)


@pytest.fixture
def embedded(embedded_env: dict[str, str], tmp_path: Path) -> Iterator[Embedded]:
    """``run_embedded`` on a free port, answering /healthz; always stopped afterwards."""
    port = _free_port()
    log_path = tmp_path / "run_embedded.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, MANAGE, "run_embedded", "--host", "127.0.0.1", "--port", str(port)],
            env=embedded_env,
            cwd=BASE_DIR,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    running = Embedded(process, log_path, f"http://127.0.0.1:{port}", embedded_env)
    try:
        deadline = time.monotonic() + BOOT_SECONDS
        while True:
            assert process.poll() is None, f"run_embedded exited early:\n{running.log()}"
            assert time.monotonic() < deadline, (
                f"no /healthz after {BOOT_SECONDS} s:\n{running.log()}"
            )
            try:
                with urllib.request.urlopen(running.base_url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        yield running
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        for pid in running.child_pids().values():
            if _group_alive(pid, within=0):
                os.killpg(pid, signal.SIGKILL)


def _log_in(base_url: str, username: str, password: str) -> tuple[str, str]:
    """Log in through the login form as a browser would; return the final URL and page."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    with opener.open(base_url + "/accounts/login/", timeout=10) as response:
        form = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token, form
    data = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    with opener.open(base_url + "/accounts/login/", data=data, timeout=10) as response:
        return response.geturl(), response.read().decode()


def test_embedded_portal_logs_in_runs_tasks_and_stops_every_child_on_sigterm(
    embedded: Embedded,
) -> None:
    # Given the portal answering /healthz, with beat started
    embedded.wait_for_log(r"beat: Starting")
    embedded.wait_for_log(r"The portal is running at http://127\.0\.0\.1")

    # When a user logs in through the form
    url, page = _log_in(embedded.base_url, PROBE_USER, PROBE_PASSWORD)

    # Then they land on their home page
    assert url == embedded.base_url + "/"
    assert PROBE_NAME in page

    # When a task is sent through the embedded broker, the worker runs it
    marker = f"probe-{uuid.uuid4().hex}"
    _manage(
        embedded.env,
        "shell",
        "-c",
        f"from portal.celery_app import app; app.send_task('celery.accumulate', args=[{marker!r}])",
        timeout=60,
    )
    embedded.wait_for_log(rf"succeeded in [0-9.e-]+s: \('{marker}',\)")

    # When the command gets SIGTERM, it stops and so does every child
    children = embedded.child_pids()
    returncode = embedded.stop(signal.SIGTERM)

    assert returncode == 0, embedded.log()
    assert set(children) == {"web", "worker", "beat"}
    assert not [name for name, pid in children.items() if _group_alive(pid)]
    assert "All processes stopped." in embedded.log()


def test_ctrl_c_stops_the_command_and_every_child(embedded: Embedded) -> None:
    children = embedded.child_pids()

    returncode = embedded.stop(signal.SIGINT)

    assert returncode == 0, embedded.log()
    assert len(children) == 3
    assert not [name for name, pid in children.items() if _group_alive(pid)]


def test_when_a_child_dies_the_others_are_stopped_and_the_command_fails(
    embedded: Embedded,
) -> None:
    children = embedded.child_pids()

    os.kill(children["worker"], signal.SIGKILL)
    returncode = embedded.process.wait(timeout=STOP_SECONDS)

    assert returncode != 0
    assert "worker exited with code" in embedded.log()
    assert not [name for name, pid in children.items() if _group_alive(pid)]
