"""``manage.py restore DIRECTORY``: a backup into an empty database and media directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.backup import BackupError, restore, verify


class Command(BaseCommand):
    help = (
        "Check a backup's checksums and restore it into the configured database, which must "
        "be empty, and MEDIA_ROOT, which must be empty or absent (docs/operations.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="A portal-backup-… directory.")
        parser.add_argument(
            "--check", action="store_true", help="Only verify the checksums; restore nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"])
        try:
            manifest = verify(directory) if options["check"] else restore(directory)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        done = "verified" if options["check"] else "restored"
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup of {manifest['created_at']} {done}: database {manifest['database']['name']}"
                f", {manifest['media']['files']} file(s)."
            )
        )
