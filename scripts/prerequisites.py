"""The system tools the test suite and the portal need, checked and installed in one place.

`make test` (and so CI) runs this before the suite: a tool that is missing is installed from
Debian's packages when we run as root with apt-get at hand, and otherwise the run stops at once
with the exact command to type. Python dependencies come from the lock files instead; this list
is only for what no Python package provides. `tests/test_prerequisites.py` fails when a test or
a harness starts a program that is not declared here (or installed in the virtualenv).

Standard library only: it runs before the virtualenv exists.
"""

from __future__ import annotations

import argparse
import ctypes.util
import glob
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Tool:
    """A program (or, with ``library``, a shared library) and the Debian package that has it."""

    name: str
    package: str
    needed_by: str
    # Where Debian puts it when it is not on the PATH (server binaries of PostgreSQL).
    paths: tuple[str, ...] = ()
    library: bool = False
    # The portal itself needs it (``make run``), not only the tests.
    portal: bool = False

    def found(self) -> bool:
        if self.library:
            return ctypes.util.find_library(self.name) is not None
        if shutil.which(self.name):
            return True
        return any(glob.glob(pattern) for pattern in self.paths)


TOOLS: tuple[Tool, ...] = (
    Tool("chromium", "chromium", "browser tests (Playwright drives /usr/bin/chromium)"),
    Tool("psql", "postgresql-client", "CI's database set-up and the load test"),
    Tool("pg_isready", "postgresql-client", "CI's wait for PostgreSQL"),
    Tool(
        "initdb",
        "postgresql",
        "fault tests (a private PostgreSQL cluster)",
        paths=("/usr/lib/postgresql/*/bin/initdb",),
    ),
    Tool(
        "pg_ctl",
        "postgresql",
        "fault tests (stop and restart the private cluster)",
        paths=("/usr/lib/postgresql/*/bin/pg_ctl",),
    ),
    Tool(
        "createdb",
        "postgresql-client",
        "fault tests (the private cluster's database)",
        paths=("/usr/lib/postgresql/*/bin/createdb",),
    ),
    Tool(
        "pg_dump",
        "postgresql-client",
        "backups (manage.py backup, docs/operations.md) and their restore test",
        paths=("/usr/lib/postgresql/*/bin/pg_dump",),
    ),
    Tool(
        "pg_restore",
        "postgresql-client",
        "restores (manage.py restore) and their test",
        paths=("/usr/lib/postgresql/*/bin/pg_restore",),
    ),
    Tool("redis-server", "redis-server", "fault tests (a private Redis)"),
    Tool("redis-cli", "redis-tools", "CI's wait for Redis"),
    Tool("runuser", "util-linux", "fault tests run as root start PostgreSQL as postgres"),
    Tool(
        "pango-1.0",
        "libpango-1.0-0",
        "WeasyPrint (letters and reports in PDF)",
        library=True,
        portal=True,
    ),
    Tool("pangoft2-1.0", "libpangoft2-1.0-0", "WeasyPrint (fonts)", library=True, portal=True),
    Tool("fc-list", "fontconfig", "WeasyPrint finds its fonts through fontconfig", portal=True),
)

# Programs the tests start that come from the virtualenv (the lock file), not from Debian.
FROM_VIRTUALENV = ("python", "celery", "gunicorn", "locust")


def declared_programs() -> set[str]:
    return {tool.name for tool in TOOLS if not tool.library} | set(FROM_VIRTUALENV)


def server_matched_clients() -> list[Tool]:
    """pg_dump of each local PostgreSQL server's major version: a pg_dump older than the
    server refuses to dump it, and the backups must restore on the same major."""
    majors = sorted(
        {Path(p).parts[-3] for p in glob.glob("/usr/lib/postgresql/*/bin/postgres")}, key=int
    )
    return [
        Tool(
            f"pg_dump-{major}",
            f"postgresql-client-{major}",
            f"backups of the local PostgreSQL {major} server (pg_dump of the same major)",
            paths=(f"/usr/lib/postgresql/{major}/bin/pg_dump",),
        )
        for major in majors
        if major.isdigit()
    ]


def missing(*, portal_only: bool = False) -> list[Tool]:
    tools = [*TOOLS, *server_matched_clients()]
    return [tool for tool in tools if (tool.portal or not portal_only) and not tool.found()]


def install_command(packages: list[str], *, sudo: bool) -> str:
    prefix = "sudo " if sudo else ""
    return f"{prefix}apt-get update && {prefix}apt-get install -y " + " ".join(packages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only report; never install (exit 1 if missing)"
    )
    parser.add_argument(
        "--portal", action="store_true", help="only what the portal needs to run (make run)"
    )
    args = parser.parse_args(argv)

    lacking = missing(portal_only=args.portal)
    if not lacking:
        print("prerequisites: every system tool is present")
        return 0
    packages = sorted({tool.package for tool in lacking})
    for tool in lacking:
        print(
            f"prerequisites: missing {tool.name} (Debian package {tool.package}): {tool.needed_by}"
        )
    can_install = os.geteuid() == 0 and shutil.which("apt-get") is not None
    if args.check or not can_install:
        advice = install_command(packages, sudo=os.geteuid() != 0)
        print(f"prerequisites: install them with:\n  {advice}")
        return 1
    print(f"prerequisites: installing {' '.join(packages)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *packages]):
        done = subprocess.run(command, env=env, check=False)  # noqa: S603 - fixed argv
        if done.returncode:
            print(f"prerequisites: '{' '.join(command)}' failed (exit {done.returncode})")
            return 1
    still = missing(portal_only=args.portal)
    if still:
        names = ", ".join(tool.name for tool in still)
        print(f"prerequisites: still missing after the install: {names}")
        return 1
    print("prerequisites: installed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
