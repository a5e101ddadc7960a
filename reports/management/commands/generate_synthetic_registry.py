"""Fill the registry with synthetic data for benchmarks: see ``reports.synthetic``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reports.synthetic import DEFAULT_FROM, DEFAULT_SEED, DEFAULT_UNTIL, generate


class Command(BaseCommand):
    help = (
        "Generate a synthetic registry (bodies, pages, contacts, rules, incidents) over the "
        "units in force, for benchmarks. Deterministic: the same seed gives the same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--bodies", type=int, default=100_000)
        parser.add_argument("--pages", type=int, default=150_000)
        parser.add_argument(
            "--incidents", type=int, default=None, help="Default: one per 40 bodies."
        )
        parser.add_argument(
            "--from",
            dest="period_from",
            type=date.fromisoformat,
            default=DEFAULT_FROM,
            help="First day of the period the incidents fall in (YYYY-MM-DD).",
        )
        parser.add_argument(
            "--until",
            dest="period_until",
            type=date.fromisoformat,
            default=DEFAULT_UNTIL,
            help="Last day of that period; bodies go to the units in force on it.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Add synthetic data even though the database holds real registry data.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = generate(
            seed=options["seed"],
            bodies=options["bodies"],
            pages=options["pages"],
            incidents=options["incidents"],
            period_from=options["period_from"],
            period_until=options["period_until"],
            force=options["force"],
        )
        self.stdout.write(
            f"{result.bodies} bodies, {result.pages} pages, {result.contacts} contacts, "
            f"{result.rules} posting rules, {result.incidents} incidents "
            f"in {result.seconds:.1f} s (seed {options['seed']})."
        )
