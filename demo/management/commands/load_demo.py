"""Load the demo: today's two-tier Tỉnh Thanh Hóa on top of its three-tier history.

The history first (once): the three-tier hierarchy, believable bodies, the registry, the real
chain of letters of 2021-2024 and the reports of Quý 2/2025, recorded as of their time; then
the reorganisation of 01/07/2025 applied from the official conversion table; then today's
country: the new communes' committees, the users of the levels that exist now, the letters
and the reports of the current year. Finally the default schedules.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from demo import hierarchy as demo
from demo import today as demo_today
from demo.letters import build_demo_directives
from demo.registry import build_demo_registry
from demo.reports import build_demo_reports
from portal.history import recorded_on

# When the history's records are dated: before the first letter of the Cẩm Thủy chain
# (24/04/2024), so that every body, page and contact of the history exists in its periods.
HISTORY_RECORDED_AT = datetime(2024, 4, 1, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


class Command(BaseCommand):
    help = (
        "Load the demo: the three-tier history (bodies, pages, the real chain of letters, the "
        "reports of Quý 2/2025), the reorganisation of 01/07/2025 applied to it, and today's "
        "two-tier Thanh Hóa with its users, letters and reports; then the default schedules. "
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
            "--history-only",
            action="store_true",
            help="Load the three-tier history only: no reorganisation, nothing of today "
            "(for a hierarchy of one's own, without the official codes).",
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
        history = None
        try:
            with transaction.atomic():
                call_command("load_legal", verbosity=verbosity)
                if not demo_today.reform_applied():
                    if not options["skip_import"]:
                        call_command("import_divisions", edition="three-tier", verbosity=verbosity)
                    # The history is recorded as of its time, so that the reports of its
                    # periods (built as of their end) find the registry as it stood then.
                    with recorded_on(HISTORY_RECORDED_AT):
                        result = demo.build_demo(reset_passwords=options["reset_passwords"])
                        pages_created = build_demo_registry()
                        directives = build_demo_directives(era="history")
                    # Part of the history too: the Sở Thông tin và Truyền thông ceased on
                    # 01/03/2025, before the last quarter of the three-tier country.
                    demo_today.close_information_departments()
                    reports = build_demo_reports()
                    history = (result, pages_created, directives, reports)
                today = letters_today = None
                if not options["history_only"]:
                    today = demo_today.build_today(reset_passwords=options["reset_passwords"])
                    letters_today = build_demo_directives(era="today")
                call_command("install_schedules", verbosity=verbosity, stdout=self.stdout)
        except demo.DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity >= 1:
            if history is not None:
                result, pages_created, directives, reports = history
                self.stdout.write(
                    f"Demo bodies: {result.bodies_created} created, {result.bodies_updated} "
                    f"updated; users: {result.users_created} created, {result.users_updated} "
                    f"updated; roles: {result.roles_created} created."
                )
                self.stdout.write(f"Demo pages: {pages_created} registered.")
                self.stdout.write(directives.summary())
                self.stdout.write(reports.summary())
            if today is not None and letters_today is not None:
                self.stdout.write(today.summary())
                self.stdout.write(letters_today.summary())
            changed = (
                history is not None
                and (
                    history[0].changed
                    or bool(history[1])
                    or history[2].changed
                    or history[3].changed
                )
            ) or any(part is not None and part.changed for part in (today, letters_today))
            if not changed:
                self.stdout.write("The demo data was already complete: nothing changed.")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo logins"))
        self.stdout.write(demo.format_logins(demo.demo_logins()))
