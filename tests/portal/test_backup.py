"""A backup restores: pages, files (bytes) and accepted reports come back identical.

Real data in the real test database (committed: a transactional test, so that ``pg_dump``
sees it), a real ``pg_dump``, a fresh PostgreSQL database created for the restore and
dropped afterwards, and a fresh media directory.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connections

from accounts_registry.services.rules import rules_upload
from incidents import services as incident_services
from portal.backup import BackupError, _connect_kwargs, backup, restore, verify
from reports import services as report_services
from reports.build import build_period
from reports.models import ReportingPeriod
from tests.accounts_registry.factories_bodies import pdf_upload
from tests.conftest import Tree
from tests.incidents.factories_incidents import PNG
from tests.reports.conftest import (
    DECLARATIONS,
    People,
    Registry,
    now,
    people,
    quarter,
    registry,
    report_of,
)

__all__ = ["now", "people", "quarter", "registry"]

TABLES = {
    "pages": "SELECT * FROM accounts_registry_socialpage ORDER BY id",
    "accepted reports": "SELECT * FROM reports_unitreport WHERE state = 'accepted' ORDER BY id",
    "report steps": "SELECT * FROM reports_reportstep ORDER BY id",
    "posting rules": "SELECT * FROM accounts_registry_postingrules ORDER BY id",
    "evidence": "SELECT * FROM incidents_evidence ORDER BY id",
}
FILE_COLUMNS = (
    "SELECT file FROM accounts_registry_postingrules UNION ALL "
    "SELECT image FROM incidents_evidence WHERE image <> ''"
)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


def _rows(database: dict[str, Any], sql: str) -> list[tuple[Any, ...]]:
    conn = psycopg2.connect(**_connect_kwargs(database))
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
            return list(cursor.fetchall())
    finally:
        conn.close()


def _admin(database: dict[str, Any], sql: str) -> None:
    conn = psycopg2.connect(**_connect_kwargs({**database, "NAME": "postgres"}))
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
    finally:
        conn.close()


@pytest.fixture
def fresh_database() -> Iterator[dict[str, Any]]:
    """An empty PostgreSQL database beside the test one, dropped afterwards."""
    source = dict(connections["default"].settings_dict)
    name = f"{source['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    _admin(source, f'CREATE DATABASE "{name}"')
    try:
        yield {**source, "NAME": name}
    finally:
        _admin(source, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


# Committed data (pg_dump reads from another connection), and the serialized contents put back
# after, as every transactional test of the suite does: a plain flush would re-run post_migrate
# and leave content types behind for the next serialized test to collide with.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restores_into_an_empty_database_and_storage_identically(
    restore_migrated_data: None,
    media: Path,
    tree: Tree,
    people: People,
    quarter: ReportingPeriod,
    registry: Registry,
    now: datetime,
    fresh_database: dict[str, Any],
    tmp_path: Path,
) -> None:
    # Given pages, a posting-rules file, a screenshot and an accepted report
    rules_upload(
        body=tree.ubnd_cam_ngoc,
        document_number="7/QĐ-UBND",
        issued_on=date(2026, 7, 1),
        signed_by="Lê Văn Minh",
        file=pdf_upload(),
        by=people.cam_ngoc_staff,
    )
    incident = incident_services.incident_report_public(
        body=tree.ubnd_cam_ngoc,
        url="https://www.facebook.com/ubnd.camngoc.gia2",
        description="Trang giả mạo, có ảnh chụp.",
        image=SimpleUploadedFile("anh.png", PNG, content_type="image/png"),
    )
    assert incident.evidence.count() == 1
    build_period(quarter)
    report = report_services.report_update(
        report=report_of(tree.cam_ngoc, quarter), by=people.cam_ngoc, **DECLARATIONS
    )
    report = report_services.report_submit(report=report, by=people.cam_ngoc)
    report_services.report_accept(report=report, by=people.cam_thuy)
    source = dict(connections["default"].settings_dict)
    before = {name: _rows(source, sql) for name, sql in TABLES.items()}
    assert len(before["pages"]) >= 4
    assert len(before["accepted reports"]) == 1
    assert len(before["posting rules"]) >= 1
    files_before = _files(media)
    assert len(files_before) >= 2

    # When it is backed up, then restored into a new database and a new media directory
    directory = backup(tmp_path / "backups")
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["media"]["files"] == len(files_before)
    assert (directory / "SHA256SUMS").read_text().count("  ") == 2
    restored_media = tmp_path / "restored" / "media"
    restore(directory, database=fresh_database, media_root=restored_media)

    # Then every page, accepted report and file is identical
    after = {name: _rows(fresh_database, sql) for name, sql in TABLES.items()}
    assert after == before
    assert _files(restored_media) == files_before
    stored = [name for (name,) in _rows(fresh_database, FILE_COLUMNS) if (media / name).exists()]
    assert len(stored) == 2  # the uploaded rules and the screenshot (factories' rows name none)
    for name in stored:
        assert (restored_media / name).read_bytes() == (media / name).read_bytes()

    # And a restore over something is refused rather than merged
    with pytest.raises(BackupError, match="not empty"):
        restore(directory, database=fresh_database, media_root=tmp_path / "other")
    _admin(source, f'DROP DATABASE "{fresh_database["NAME"]}" WITH (FORCE)')
    _admin(source, f'CREATE DATABASE "{fresh_database["NAME"]}"')
    with pytest.raises(BackupError, match="not empty"):
        restore(directory, database=fresh_database, media_root=restored_media)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_damaged_backup_is_refused_before_anything_is_restored(
    restore_migrated_data: None, media: Path, tmp_path: Path, fresh_database: dict[str, Any]
) -> None:
    (media / "rules").mkdir(parents=True)
    (media / "rules" / "quy-che.pdf").write_bytes(b"%PDF-1.4 quy che")
    directory = backup(tmp_path / "backups")
    call_command("restore", str(directory), "--check")

    with (directory / "media.tar.gz").open("ab") as damaged:
        damaged.write(b"x")

    with pytest.raises(BackupError, match="checksum"):
        verify(directory)
    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", str(directory), "--check")
    with pytest.raises(BackupError, match="checksum"):
        restore(directory, database=fresh_database, media_root=tmp_path / "restored")
    assert _rows(fresh_database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [
        (0,)
    ]
