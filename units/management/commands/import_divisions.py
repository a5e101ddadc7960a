"""Import the official list of administrative divisions (an edition shipped with the portal, or a file)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from units.importers import (
    DivisionsImportError,
    ImportResult,
    edition,
    editions,
    import_divisions,
    parse_date,
)


class Command(BaseCommand):
    help = (
        "Import administrative divisions: a shipped edition (three-tier, in force until "
        "30/06/2025; two-tier, from 01/07/2025; two-tier-2026-09, its corrected codes) or a file. Validates the whole file first, "
        "writes in one transaction, and changes nothing when run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--edition",
            choices=sorted(editions()),
            default="three-tier",
            help="A shipped edition (default: three-tier). Ignored when --file is given.",
        )
        parser.add_argument(
            "--file",
            help="A divisions file (gzip or plain JSON) in the vietnam-provinces format.",
        )
        parser.add_argument(
            "--valid-from",
            dest="valid_from",
            help="First day in force (dd/mm/yyyy or yyyy-mm-dd); overrides the edition's.",
        )
        parser.add_argument(
            "--valid-until",
            dest="valid_until",
            help="Last day in force (dd/mm/yyyy or yyyy-mm-dd); overrides the edition's.",
        )
        parser.add_argument(
            "--reconcile",
            action="store_true",
            help=(
                "Match the file's units to those in the database by code, or by province and "
                "name when the code changed, and list every change (a corrected edition)."
            ),
        )
        parser.add_argument(
            "--dry-run",
            dest="dry_run",
            action="store_true",
            help="Validate and count what would change, then roll everything back.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            result = self.run(options)
        except DivisionsImportError as exc:
            raise CommandError(str(exc)) from exc
        self.report(result, time.perf_counter() - started, int(options.get("verbosity", 1)))

    def run(self, options: dict[str, Any]) -> ImportResult:
        valid_from = parse_date(options.get("valid_from"))
        valid_until = parse_date(options.get("valid_until"))
        dry_run = bool(options.get("dry_run"))
        if options.get("file"):
            return import_divisions(
                path=Path(options["file"]),
                valid_from=valid_from,
                valid_until=valid_until,
                dry_run=dry_run,
                reconcile=bool(options.get("reconcile")),
            )
        spec = edition(options.get("edition") or "three-tier")
        return import_divisions(
            path=spec.path,
            valid_from=valid_from or spec.valid_from,
            valid_until=valid_until or spec.valid_until,
            levels=spec.levels,
            unit_type_from=spec.unit_type_from,
            dry_run=dry_run,
            reconcile=spec.reconcile or bool(options.get("reconcile")),
        )

    def report(self, result: ImportResult, seconds: float, verbosity: int) -> None:
        if verbosity < 1:
            return
        span = " to ".join(
            day.strftime("%d/%m/%Y") if day else "…"
            for day in (result.valid_from, result.valid_until)
        )
        prefix = "Dry run (rolled back): " if result.dry_run else ""
        self.stdout.write(f"{prefix}{Path(result.source).name}, in force {span}")
        for level, counts in result.counts.items():
            line = (
                f"  {level}: {counts.created} created, {counts.updated} updated, "
                f"{counts.unchanged} unchanged"
            )
            if counts.kept:
                line += f", {counts.kept} kept as a reorganisation left them"
            if counts.not_in_file:
                line += (
                    f", {counts.not_in_file} in the database but not in the file (left as they are)"
                )
            self.stdout.write(line)
        for change in result.changes:
            self.stdout.write(f"  {change.line()}")
        style = self.style.SUCCESS if result.changed else self.style.NOTICE
        self.stdout.write(style(f"{result.changed} units written in {seconds:.1f} s."))
