"""Apply a conversion table (the reorganisation of 01/07/2025) to a three-tier registry."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reorganisation.services import (
    CONVERSION_TABLES,
    Decisions,
    ReorganisationError,
    decisions_template,
    load,
    read_decisions,
    report_csv,
    run,
)
from units.importers import DivisionsImportError
from units.models import ReorganisationPlan


class Command(BaseCommand):
    help = (
        "Apply the reorganisation of 01/07/2025 from the official conversion table: import "
        "the two-tier units, close the old ones on 30/06/2025, dissolve the districts, move, "
        "merge or archive every body, move users, and report every body, page, contact, rules "
        "file, user role, open letter and open report touched. --dry-run writes nothing but a "
        "draft plan (reviewable in the admin) and the report."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--table",
            default="conversion-2025-07",
            choices=sorted(CONVERSION_TABLES),
            help="The shipped conversion table (default: conversion-2025-07).",
        )
        parser.add_argument(
            "--table-file", help="A conversion table file instead (JSON, gzip or not)."
        )
        parser.add_argument(
            "--edition", default="", help="The two-tier edition (default: the table's own)."
        )
        parser.add_argument(
            "--decisions",
            help="CSV or JSON file of choices: a target per split commune, overrides per body.",
        )
        parser.add_argument(
            "--plan",
            type=int,
            help="Apply a stored plan (its decisions), e.g. one reviewed in the admin.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Plan and report only.")
        parser.add_argument(
            "--report",
            default="",
            help="Write the full report (CSV) here; default: reorganisation-<plan>.csv.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        plan_row = None
        try:
            table, edition_spec = load(
                table_name=options["table"],
                table_file=Path(options["table_file"]) if options.get("table_file") else None,
                edition_name=options.get("edition") or "",
            )
            decisions = Decisions()
            if options.get("plan"):
                plan_row = ReorganisationPlan.objects.filter(pk=options["plan"]).first()
                if plan_row is None:
                    raise CommandError(f"No plan {options['plan']}.")
                decisions = Decisions.from_json(plan_row.decisions)
            if options.get("decisions"):
                decisions = read_decisions(Path(options["decisions"]))
            outcome, plan_row = run(
                table=table,
                edition_spec=edition_spec,
                decisions=decisions,
                dry_run=bool(options["dry_run"]),
                plan_row=plan_row,
                table_name=options["table"] if not options.get("table_file") else table.source,
            )
        except (ReorganisationError, DivisionsImportError) as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - started
        plan = outcome.plan
        if plan_row is None:
            self.stdout.write(self.style.NOTICE("Nothing to do: the table is already applied."))
            return
        report = Path(options["report"] or f"reorganisation-{plan_row.pk}.csv")
        report.write_text(report_csv(outcome.report_rows), encoding="utf-8")
        verb = "Applied" if outcome.applied else "Dry run (nothing changed)"
        self.stdout.write(
            f"{verb}: plan {plan_row.pk}, {len(outcome.report_rows)} report rows in {report}"
        )
        for key, value in outcome.summary.items():
            self.stdout.write(f"  {key}: {value}")
        if plan.import_result is not None:
            for change in plan.import_result.changes[:20]:
                self.stdout.write(f"  {change.line()}")
        for name, rows in plan.unmatched.items():
            for row in rows:
                self.stdout.write(
                    f"  unmatched ({name}): {row['code']} {row['name']} {row['note']}"
                )
        if plan.needs_choice:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(plan.needs_choice)} old communes need a choice (split between new "
                    "communes, or in no row of the table); first ones:"
                )
            )
            template = report.with_name(f"decisions-template-{plan_row.pk}.csv")
            template.write_text(decisions_template(plan), encoding="utf-8")
            self.stdout.write(f"  a decisions file to fill in: {template}")
            for choice in plan.needs_choice[:10]:
                candidates = ", ".join(f"{c['code']} {c['name']}" for c in choice["candidates"])
                self.stdout.write(
                    f"  {choice['old_code']} {choice['old_name']} ({choice['where']}): "
                    f"{choice['bodies']} bodies; {candidates or choice['reason']}"
                )
        for error in plan.errors:
            self.stdout.write(self.style.ERROR(f"  {error}"))
        if outcome.refused:
            raise CommandError(outcome.refused)
        self.stdout.write(self.style.SUCCESS(f"Done in {seconds:.1f} s."))
