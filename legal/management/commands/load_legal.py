"""Load the legal library of Decision 874 and its compliance criteria (or given files)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from legal.importers import DEFAULT_CRITERIA_FILE, DEFAULT_LIBRARY_FILE, LegalImportError
from legal.services import load_file
from users.models import User


class Command(BaseCommand):
    help = (
        "Load legal library files (a text such as Decision 874, or compliance criteria). "
        "Without arguments, loads the shipped decision-874.json then criteria-874.json "
        "(skipping either when a newer version is loaded). "
        "Each file is validated whole and written in one transaction; an older version is "
        "refused and the same version again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "paths",
            nargs="*",
            help="Files to load, in order (a text library before the criteria citing it).",
        )
        parser.add_argument(
            "--user", help="Username recorded as having loaded the files (history, version log)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The shipped files may be older than what an administrator loaded since: skip them
        # then, but refuse an older file named explicitly.
        skip_older = not options["paths"]
        paths = options["paths"] or [DEFAULT_LIBRARY_FILE, DEFAULT_CRITERIA_FILE]
        loaded_by = None
        if options["user"]:
            loaded_by = User.objects.filter(username=options["user"]).first()
            if loaded_by is None:
                raise CommandError(f"No user {options['user']!r}.")
        for path in paths:
            try:
                result = load_file(path=path, loaded_by=loaded_by, skip_older=skip_older)
            except LegalImportError as exc:
                details = "\n".join(f"  - {error}" for error in exc.errors)
                raise CommandError(f"{path}: not loaded, nothing changed.\n{details}") from exc
            self.stdout.write(result.summary())
