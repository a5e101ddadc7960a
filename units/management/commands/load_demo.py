"""Load the demo: the three-tier hierarchy, believable bodies, one login per role, the real
chain of directives, and the default schedules."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts_registry.demo import build_demo_registry
from directives.demo import build_demo_directives
from reports.demo import build_demo_reports
from units import demo


class Command(BaseCommand):
    help = (
        "Import the three-tier hierarchy and create demo bodies (Thanh Hóa, Lai Châu), one "
        "user per role and the real chain of directives, then install the default schedules. "
        "Idempotent: a second run changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Run even when PORTAL_ENV=production."
        )
        parser.add_argument(
            "--skip-import",
            action="store_true",
            help="Do not run import_divisions (the hierarchy is already in the database).",
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help=f"Set every demo user's password back to {demo.DEMO_PASSWORD!r}.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION and not options["force"]:
            # Demo users have a published password: never create them by accident.
            raise CommandError(
                "Refusing to load demo data with PORTAL_ENV=production (its users have a "
                "published password). Use --force if you really mean it."
            )
        verbosity = options["verbosity"]
        try:
            with transaction.atomic():
                if not options["skip_import"]:
                    call_command("import_divisions", edition="three-tier", verbosity=verbosity)
                call_command("load_legal", verbosity=verbosity)
                result = demo.build_demo(reset_passwords=options["reset_passwords"])
                pages_created = build_demo_registry()
                directives = build_demo_directives()
                reports = build_demo_reports()
                call_command("install_schedules", verbosity=verbosity, stdout=self.stdout)
        except demo.DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity >= 1:
            self.stdout.write(
                f"Demo bodies: {result.bodies_created} created, {result.bodies_updated} updated; "
                f"users: {result.users_created} created, {result.users_updated} updated; "
                f"roles: {result.roles_created} created."
            )
            self.stdout.write(f"Demo pages: {pages_created} registered.")
            self.stdout.write(directives.summary())
            self.stdout.write(reports.summary())
            if (
                not result.changed
                and not pages_created
                and not directives.changed
                and not reports.changed
            ):
                self.stdout.write("The demo data was already complete: nothing changed.")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo logins"))
        self.stdout.write(demo.format_logins(result.logins))
