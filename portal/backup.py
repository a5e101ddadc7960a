"""Backups that restore: the database and the uploaded files, in one dated directory.

``backup(root)`` writes ``root/portal-backup-YYYYMMDD-HHMMSS/`` with

- ``database.dump``: ``pg_dump --format=custom`` of the portal's PostgreSQL database;
- ``media.tar.gz``: every file under ``MEDIA_ROOT`` (posting rules, evidence, attachments,
  exports), as ``media/…``;
- ``manifest.json``: when, from which database and server version, with which ``pg_dump``,
  how many files and bytes, and the SHA-256 of both files;
- ``SHA256SUMS``: the same checksums in ``sha256sum -c`` form.

``restore(directory, database=…, media_root=…)`` checks the checksums, then restores into an
**empty** database (no table in it) and an **empty** (or absent) media directory; it refuses
anything else rather than merge two states of the portal. ``pg_dump`` and ``pg_restore`` come
from PostgreSQL's client tools, of the server's major version (``client_tool`` finds them;
``scripts/prerequisites.py`` installs them).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

DUMP = "database.dump"
MEDIA = "media.tar.gz"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup or restore that cannot be done as asked, with the reason."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def server_major(database: Mapping[str, Any]) -> int:
    """The major version of the PostgreSQL server behind ``database`` (settings dict)."""
    row = _query_one(database, "SHOW server_version_num")
    return int(row) // 10000


def _query_one(database: Mapping[str, Any], sql: str) -> Any:
    """The single value ``sql`` answers in ``database``, on a connection of its own."""
    import psycopg2

    conn = psycopg2.connect(**_connect_kwargs(database))
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
            row = cursor.fetchone()
    finally:
        conn.close()
    assert row is not None
    return row[0]


def _tool_major(path: str) -> int:
    out = subprocess.run(  # noqa: S603 - a PostgreSQL client tool found above
        [path, "--version"], capture_output=True, text=True, check=True
    ).stdout
    found = re.search(r"(\d+)(?:\.\d+)?", out)
    if found is None:
        raise BackupError(f"Cannot read the version of {path}: {out!r}")
    return int(found.group(1))


def client_tool(name: str, major: int) -> str:
    """``pg_dump`` or ``pg_restore`` of the server's major version (Debian keeps one per
    major under /usr/lib/postgresql/<major>/bin), else one on the PATH that is not older."""
    versioned = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    if versioned.exists():
        return str(versioned)
    found = shutil.which(name)
    if found and _tool_major(found) >= major:
        return found
    raise BackupError(
        f"{name} for PostgreSQL {major} is missing: install postgresql-client-{major} "
        f"(apt-get install -y postgresql-client-{major}; python3 scripts/prerequisites.py)."
    )


def _connect_kwargs(database: Mapping[str, Any]) -> dict[str, Any]:
    kwargs = {
        "dbname": database["NAME"],
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
    }
    return {k: v for k, v in kwargs.items() if v is not None}


def _pg_env(database: Mapping[str, Any]) -> dict[str, str]:
    """The libpq variables for ``database``: no password on a command line."""
    env = {**os.environ}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if database.get(key):
            env[variable] = str(database[key])
    env["PGDATABASE"] = str(database["NAME"])
    return env


def _require_postgresql(database: Mapping[str, Any]) -> None:
    if "postgresql" not in str(database.get("ENGINE", "")):
        raise BackupError(
            "Only a PostgreSQL database is backed up this way. In the embedded default "
            "(SQLite), stop the portal and copy PORTAL_VAR_DIR: it holds everything."
        )


def _run(argv: list[str], env: dict[str, str]) -> None:
    completed = subprocess.run(argv, env=env, capture_output=True, text=True)  # noqa: S603
    if completed.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed: {completed.stderr.strip()}")


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.exists():
        return []
    return sorted(p for p in media_root.rglob("*") if p.is_file() and not p.is_symlink())


def backup(
    root: Path,
    *,
    database: Mapping[str, Any] | None = None,
    media_root: Path | None = None,
    now: datetime | None = None,
) -> Path:
    """Write a complete backup under ``root`` and return its directory."""
    database = database or connections["default"].settings_dict
    media_root = Path(media_root or settings.MEDIA_ROOT)
    _require_postgresql(database)
    major = server_major(database)
    pg_dump = client_tool("pg_dump", major)
    stamp = timezone.localtime(now or timezone.now())
    target = Path(root) / f"portal-backup-{stamp:%Y%m%d-%H%M%S}"
    target.mkdir(parents=True, exist_ok=False)
    try:
        _run(
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(target / DUMP),
            ],
            _pg_env(database),
        )
        files = _media_files(media_root)
        with tarfile.open(target / MEDIA, "w:gz") as archive:
            # The folder itself first: a restore of no file still makes MEDIA_ROOT.
            archive.add(
                media_root if media_root.exists() else target, arcname="media", recursive=False
            )
            for path in files:
                archive.add(path, arcname=f"media/{path.relative_to(media_root).as_posix()}")
        sums = {name: sha256(target / name) for name in (DUMP, MEDIA)}
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": stamp.isoformat(),
            "database": {
                "name": database["NAME"],
                "server_major": major,
                "pg_dump": pg_dump,
                "pg_dump_major": _tool_major(pg_dump),
            },
            "media": {
                "root": str(media_root),
                "files": len(files),
                "bytes": sum(p.stat().st_size for p in files),
            },
            "files": {
                name: {"sha256": digest, "bytes": (target / name).stat().st_size}
                for name, digest in sums.items()
            },
        }
        (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        (target / SUMS).write_text(
            "".join(f"{digest}  {name}\n" for name, digest in sums.items()), encoding="utf-8"
        )
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return target


def verify(directory: Path) -> dict[str, Any]:
    """The manifest of a backup whose files match their checksums, else ``BackupError``."""
    directory = Path(directory)
    try:
        manifest: dict[str, Any] = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"No readable {MANIFEST} in {directory}.") from exc
    for name, expected in manifest["files"].items():
        path = directory / name
        if not path.exists() or sha256(path) != expected["sha256"]:
            raise BackupError(f"{name} does not match its checksum: the backup is damaged.")
    return manifest


def _table_count(database: Mapping[str, Any]) -> int:
    return int(
        _query_one(
            database,
            "SELECT count(*) FROM pg_catalog.pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
        )
    )


def restore(
    directory: Path,
    *,
    database: Mapping[str, Any] | None = None,
    media_root: Path | None = None,
) -> dict[str, Any]:
    """Restore a verified backup into an empty database and an empty media directory."""
    manifest = verify(directory)
    database = database or connections["default"].settings_dict
    media_root = Path(media_root or settings.MEDIA_ROOT)
    _require_postgresql(database)
    if _table_count(database):
        raise BackupError(
            f"The database {database['NAME']} is not empty: restore into a new, empty "
            "database (createdb), never over a live one."
        )
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"{media_root} is not empty: restore into an empty directory.")
    major = server_major(database)
    pg_restore = client_tool("pg_restore", major)
    _run(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            str(database["NAME"]),
            str(Path(directory) / DUMP),
        ],
        _pg_env(database),
    )
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(Path(directory) / MEDIA, "r:gz") as archive:
        for member in archive.getmembers():
            if member.name != "media" and not member.name.startswith("media/"):
                raise BackupError(f"Unexpected entry in {MEDIA}: {member.name}")
            if member.name == "media":
                continue
            member.name = member.name.removeprefix("media/")
            # The "data" filter refuses absolute paths, "..", links out and device files.
            archive.extract(member, media_root, filter="data")
    return manifest
