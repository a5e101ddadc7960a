"""Run the whole portal from one command: web server, Celery worker and Celery beat.

The embedded default needs no server: the broker is kombu's file-system transport and the
database is SQLite, so the three processes share only files under ``PORTAL_VAR_DIR``. The
same command also works with ``DATABASE_URL`` and ``REDIS_URL`` set.
"""

from __future__ import annotations

import contextlib
import ctypes
import ipaddress
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connections

from demo import hierarchy as demo

# Time each child gets to stop after SIGTERM (a worker finishes its current task first).
STOP_GRACE_SECONDS = 15.0
POLL_SECONDS = 0.5


@dataclass
class Child:
    """One child process and the thread that copies its output, line by line, with a prefix."""

    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    pump: threading.Thread | None = field(default=None, repr=False)


# Loaded before any fork: the child only calls into it between fork and exec.
_LIBC = ctypes.CDLL(None) if sys.platform == "linux" else None
_PR_SET_PDEATHSIG = 1


# The key settings.py falls back to outside production: it is in the source, so public.
EMBEDDED_SECRET_KEY = "embedded-only-insecure-key-never-use-in-production"


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach an address (``localhost``, 127.0.0.0/8, ``::1``)."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def exposure_warning(host: str, *, demo_users: bool) -> list[str]:
    """The loud warning printed when the demonstration setup listens beyond this machine."""
    if is_loopback(host):
        return []
    lines = [
        "!" * 78,
        f"!!! WARNING: listening on {host}: other machines on the network can reach this portal.",
        "!!! This is the embedded demonstration setup, not a production server:",
    ]
    if settings.DEBUG:
        lines.append("!!!  - DEBUG is on: an error page shows code, settings and data to anyone;")
    if settings.SECRET_KEY == EMBEDDED_SECRET_KEY:
        lines.append(
            "!!!  - SECRET_KEY is the fixed one published in the source: anyone can forge "
            "sessions and password-reset links;"
        )
    if demo_users:
        lines.append(
            f"!!!  - the demo users' password ({demo.DEMO_PASSWORD}) is published in the "
            "README, the administrator's included;"
        )
    lines += [
        "!!! Use the default HOST=127.0.0.1 unless everyone on this network may be admin;",
        "!!! deploy with docker-compose.yml (docs/operations.md) for real use.",
        "!" * 78,
    ]
    return lines


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM if the parent dies without cleaning up."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class Command(BaseCommand):
    help = (
        "Start a Celery worker, Celery beat and the web server as child processes; stop them "
        "all on Ctrl-C or SIGTERM, or as soon as one of them exits."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help="Address to serve on (default: loopback only; any other is warned about).",
        )
        parser.add_argument("--port", type=int, default=8000, help="Port to serve on.")
        parser.add_argument(
            "--server",
            choices=["runserver", "gunicorn"],
            default="runserver",
            help="Web server: Django's runserver (default, embedded) or gunicorn.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host: str = options["host"]
        port: int = options["port"]
        server: str = options["server"]
        if settings.PRODUCTION and server == "runserver":
            raise CommandError("runserver is not for production: use --server gunicorn.")
        self._lock = threading.Lock()
        self.warning = exposure_warning(host, demo_users=self.has_demo_users())
        self.shout()
        children = [Child(name, argv) for name, argv in self.commands(host, port, server)]
        stop = threading.Event()
        stop_signal: list[int] = []

        def on_signal(signum: int, frame: Any) -> None:
            stop_signal.append(signum)
            stop.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        # The parent keeps no database connection open while the children work.
        connections.close_all()
        failed: Child | None = None
        try:
            self.start(children)
            failed = self.supervise(children, stop, host, port)
        finally:
            self.stop(children)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if failed is not None and not stop_signal:
            assert failed.process is not None
            raise CommandError(
                f"{failed.name} exited with code {failed.process.returncode}; "
                "the other processes were stopped.",
                returncode=1,
            )
        self.stdout.write("All processes stopped.")

    def has_demo_users(self) -> bool:
        try:
            return bool(demo.demo_logins())
        except DatabaseError:
            return False
        finally:
            connections.close_all()

    def shout(self) -> None:
        """The exposure warning, if any, on standard error (and so in every terminal log)."""
        if self.warning:
            with self._lock:
                self.stderr.write("\n".join(self.warning), style_func=self.style.ERROR)
                self.stderr.flush()

    def commands(self, host: str, port: int, server: str) -> list[tuple[str, list[str]]]:
        # The interpreter running this command, so the children use the same environment.
        python = sys.executable
        celery = [python, "-m", "celery", "-A", "portal"]
        bind = f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"
        if server == "gunicorn":
            web = [python, "-m", "gunicorn", "portal.wsgi", "--bind", bind]
            web += ["--workers", "2", "--access-logfile", "-"]
        else:
            web = [python, str(settings.BASE_DIR / "manage.py"), "runserver", "--noreload", bind]
        worker = ["worker", "--pool=solo", "--without-mingle", "--without-gossip", "-l", "info"]
        beat = ["beat", "-l", "info", "--scheduler", settings.CELERY_BEAT_SCHEDULER]
        return [("worker", [*celery, *worker]), ("beat", [*celery, *beat]), ("web", web)]

    def start(self, children: list[Child]) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for child in children:
            # A process group of its own: Ctrl-C reaches only this command, which then stops
            # every child in order instead of all of them receiving SIGINT at once.
            child.process = subprocess.Popen(  # noqa: S603 - argv built from fixed parts
                child.argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=settings.BASE_DIR,
                process_group=0,
                # No output thread has started yet, so running Python after fork is safe.
                preexec_fn=_die_with_parent,
            )
            self.emit(child.name, f"started (pid {child.process.pid}): {' '.join(child.argv)}")
        for child in children:
            assert child.process is not None
            assert child.process.stdout is not None
            child.pump = threading.Thread(
                target=self.pump, args=(child.name, child.process.stdout), daemon=True
            )
            child.pump.start()

    def pump(self, name: str, stream: IO[bytes]) -> None:
        for raw in iter(stream.readline, b""):
            self.emit(name, raw.decode("utf-8", errors="replace").rstrip("\n"))

    def emit(self, name: str, line: str) -> None:
        with self._lock:
            self.stdout.write(f"{name:>6} | {line}")
            self.stdout.flush()

    def supervise(
        self, children: list[Child], stop: threading.Event, host: str, port: int
    ) -> Child | None:
        """Wait for a signal or for a child to exit; announce the URL once the web answers."""
        announced = False
        probe_host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104
        probe_host = (
            f"[{probe_host}]"
            if ":" in probe_host and not probe_host.startswith("[")
            else probe_host
        )
        url = f"http://{probe_host}:{port}/"
        while not stop.wait(POLL_SECONDS):
            for child in children:
                assert child.process is not None
                if child.process.poll() is not None:
                    self.emit(child.name, f"exited with code {child.process.returncode}")
                    return child
            if not announced and self.answers(url + "healthz"):
                announced = True
                self.announce(url)
        return None

    def answers(self, url: str) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - our own URL
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def announce(self, url: str) -> None:
        try:
            logins = demo.demo_logins()
        except DatabaseError:
            logins = []
        finally:
            connections.close_all()
        with self._lock:
            self.stdout.write("")
            self.stdout.write(self.style.SUCCESS(f"The portal is running at {url}"))
            self.stdout.write(f"  admin: {url}admin/   API docs: {url}api/docs/")
            if logins:
                self.stdout.write(f"Demo logins (password {demo.DEMO_PASSWORD}):")
                self.stdout.write(demo.format_logins(logins))
            else:
                self.stdout.write("No demo users: run `manage.py load_demo` to create them.")
            self.stdout.write("Press Ctrl-C to stop.")
            self.stdout.write("")
            self.stdout.flush()
        # Once more where the eye lands, after the URL and the logins.
        self.shout()

    def stop(self, children: list[Child]) -> None:
        """SIGTERM every child's process group, wait, then SIGKILL whatever is left."""
        running = [c for c in children if c.process is not None and c.process.poll() is None]
        for child in running:
            assert child.process is not None
            self.emit(child.name, "stopping")
            self.signal_group(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.emit(child.name, "did not stop in time: killed")
                self.signal_group(child.process.pid, signal.SIGKILL)
                child.process.wait()
        for child in children:
            # Grandchildren (gunicorn's workers) share the child's group: none may outlive it.
            if child.process is not None:
                self.signal_group(child.process.pid, signal.SIGKILL)
                self.wait_for_group(child.process.pid)
            if child.pump is not None:
                child.pump.join(timeout=5)

    def wait_for_group(self, pgid: int) -> None:
        """Wait (a few seconds at most) until no process of the group is left, reaped ones
        included: the command returns only when its children are gone."""
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except (ProcessLookupError, PermissionError):
                return
            time.sleep(0.05)

    def signal_group(self, pgid: int, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, sig)
