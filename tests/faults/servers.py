"""Real services started and stopped by the fault tests: a private PostgreSQL cluster, a
private Redis, the portal under gunicorn and Celery workers, each a separate process.

Private instances (on free ports, in temporary directories) rather than the machine's shared
ones: stopping those would pull the ground from under the rest of the test run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg2
import requests
from django.conf import settings

PG_BIN_CANDIDATES = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(
    condition: Callable[[], bool], timeout: float, what: str, log: Path | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # Only the services' own errors mean "not yet"; a bug in the condition must surface.
        with contextlib.suppress(
            OSError, ConnectionError, psycopg2.Error, requests.RequestException
        ):
            if condition():
                return
        time.sleep(0.25)
    detail = (
        f"\n--- log ---\n{log.read_text(errors='replace')[-6000:]}" if log and log.exists() else ""
    )
    raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}.{detail}")


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class PrivateRedis:
    """``redis-server`` on a free port, keeping nothing on disk; stop and start at will."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.log = workdir / f"redis-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", str(self.workdir), "--logfile", str(self.log),
            ],
        )  # fmt: skip
        wait_for(lambda: _port_open(self.port), 20, "Redis to listen", self.log)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None
        wait_for(lambda: not _port_open(self.port), 10, "Redis to stop", self.log)


class PrivatePostgres:
    """A PostgreSQL cluster of its own (initdb as the ``postgres`` user), on a free port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.bin = PG_BIN_CANDIDATES[0]
        # Its own directory straight under /tmp: pytest's temporary directories are private to
        # root, and the server runs as ``postgres``.
        self.workdir = Path(tempfile.mkdtemp(prefix="portal-faults-pg-"))
        self.datadir = self.workdir / "pgdata"
        self.log = self.workdir / "postgres.log"

    def _as_postgres(self, *args: str | Path) -> None:
        command = [str(arg) for arg in args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode:
            raise subprocess.CalledProcessError(
                result.returncode, command, result.stdout, result.stderr
            ) from AssertionError(f"{' '.join(command)}:\n{result.stdout}\n{result.stderr}")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/portal"

    def init(self) -> None:
        self.datadir.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.workdir, "postgres")
            shutil.chown(self.datadir, "postgres")
            self.log.touch()
            shutil.chown(self.log, "postgres")
        self._as_postgres(
            self.bin / "initdb",
            "-D",
            str(self.datadir),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
        )
        self.start()
        self._as_postgres(
            self.bin / "createdb",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "portal",
        )

    def _ctl(self, *args: str) -> None:
        self._as_postgres(
            self.bin / "pg_ctl", "-D", str(self.datadir), "-l", str(self.log), "-w", "-t", "60",
            "-o", f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.datadir} -c fsync=off",
            *args,
        )  # fmt: skip

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._ctl("stop", "-m", "immediate")
        shutil.rmtree(self.workdir, ignore_errors=True)


def portal_env(*, database_url: str, redis_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a portal process: the embedded settings on the given services."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "EMAIL_URL", "PORTAL_ENV", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER",
            "CACHE_REDIS_URL", "CELERY_RESULT_BACKEND",
        }
    }  # fmt: skip
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        PORTAL_VAR_DIR=str(var_dir),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stderr[-4000:]}"
    return result.stdout


class Process:
    """A long-running child process with its output in a log file."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._output = log.open("wb")
        self.process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self._output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole process group: no clean-up, as when a machine dies."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)
        self._output.close()

    def stop(self) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
                return
        self._output.close()


def start_gunicorn(env: dict[str, str], log: Path, workers: int = 2) -> tuple[Process, int]:
    port = free_port()
    process = Process(
        [
            sys.executable, "-m", "gunicorn", "portal.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "60",
        ],
        env,
        log,
    )  # fmt: skip
    wait_for(lambda: _port_open(port), 60, "gunicorn to listen", log)
    return process, port


def start_worker(env: dict[str, str], log: Path, name: str) -> Process:
    process = Process(
        [
            sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo",
            "--concurrency=1", "-l", "info", "--without-mingle", "--without-gossip",
            "--hostname", f"{name}-{os.getpid()}@%h",
        ],
        env,
        log,
    )  # fmt: skip
    wait_for(
        lambda: not process.alive() or b" ready." in log.read_bytes(),
        90,
        "the worker to start",
        log,
    )
    assert process.alive(), f"The worker exited:\n{log.read_text(errors='replace')}"
    return process
