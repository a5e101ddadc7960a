"""Answer a person's request about their personal data, or run the retention job now.

    manage.py personal_data --find --email an@example.vn --phone "0912 345 678" --by admin
    manage.py personal_data --find --phone 0912345678 --output answer.json --by admin
    manage.py personal_data --erase --email an@example.vn --by admin
    manage.py personal_data --expire

Every answer is recorded in the audit trail (personal_data_access / personal_data_erase),
with the person's identifiers masked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from privacy import services


class Command(BaseCommand):
    help = (
        "Find (--find) or erase (--erase) every record holding a person's email or phone, "
        "or erase now what the retention periods say is kept too long (--expire)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--find", action="store_true", help="Export the person's records.")
        what.add_argument("--erase", action="store_true", help="Erase the person's data.")
        what.add_argument(
            "--expire", action="store_true", help="Run the retention job (as beat does nightly)."
        )
        parser.add_argument("--email", default="", help="The person's email address.")
        parser.add_argument("--phone", default="", help="The person's phone number.")
        parser.add_argument("--by", default="", help="Username of the administrator answering.")
        parser.add_argument("--output", default="", help="Write the --find answer to this file.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["expire"]:
            erased = services.erase_expired()
            self.stdout.write(
                f"Erased: {erased.contacts} archived contact(s), {erased.reporters} "
                f"reporter(s), {erased.contact_versions + erased.reporter_versions} "
                "historical version(s)."
            )
            return
        try:
            subject = services.Subject(email=options["email"], phone=options["phone"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        actor = self._actor(options["by"])
        if options["find"]:
            document = services.find(subject, actor=actor)
            text = json.dumps(document, ensure_ascii=False, indent=2, default=str)
            if options["output"]:
                Path(options["output"]).write_text(text + "\n", encoding="utf-8")
                self.stdout.write(f"Written to {options['output']}.")
            else:
                self.stdout.write(text)
            return
        result = services.erase(subject, actor=actor)
        self.stdout.write(
            f"Erased: {result.contacts} archived contact(s), {result.reports} report(s), "
            f"{result.contact_versions + result.report_versions} historical version(s)."
        )
        for kept in result.kept_current_contacts:
            self.stdout.write(
                f"Kept: {kept} is a body's current contact person; the body must replace or "
                "archive it first."
            )
        for username in result.kept_accounts:
            self.stdout.write(f"Kept: the account {username} (deactivate it in the admin).")

    def _actor(self, username: str) -> Any:
        if not username:
            return None
        from users.models import User

        try:
            return User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user {username!r}.") from exc
