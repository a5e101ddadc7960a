"""``manage.py backup [DIRECTORY]``: the database and the uploaded files, with checksums."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the PostgreSQL database (pg_dump, custom format) and MEDIA_ROOT into one "
        "dated directory with a manifest and SHA-256 checksums (docs/operations.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "directory", nargs="?", default="backups", help="Where the dated directory goes."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            target = backup(Path(options["directory"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Backup written to {target}"))
