"""Install the portal's default periodic tasks into Celery beat's schedule (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from portal import schedules


class Command(BaseCommand):
    help = (
        "Create or update the default periodic tasks (django-celery-beat). A schedule an "
        "administrator changed in the admin is kept unless --reset is given. Run after migrate."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Put every default task back on its default schedule, and enable it.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        outcomes = schedules.install(reset=options["reset"])
        if options["verbosity"] >= 1:
            for outcome in outcomes:
                style = self.style.WARNING if outcome.action == "kept" else self.style.SUCCESS
                self.stdout.write(style(f"Schedule {outcome}"))
