"""What a run reports: one CSV row per thing touched, the summary, the decisions template."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import timedelta

from django.db.models import Q

from reorganisation.decisions import ARCHIVE, MERGE
from reorganisation.plan import Plan
from units.models import AdministrativeUnit, Body

REPORT_HEADER = [
    "section",
    "action",
    "id",
    "name",
    "from_code",
    "from_name",
    "to_code",
    "to_name",
    "note",
]


def decisions_template(plan: Plan) -> str:
    """A decisions CSV to fill in: one row per commune needing a choice, target left blank."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "old_commune_code",
            "body_id",
            "action",
            "target_code",
            "target_level",
            "old_commune_name",
            "candidates",
        ]
    )
    for row in plan.needs_choice:
        candidates = "; ".join(f"{c['code']} {c['name']}" for c in row["candidates"])
        writer.writerow([row["old_code"], "", "", "", "", row["old_name"], candidates])
    return out.getvalue()


def report_csv(rows: Iterable[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REPORT_HEADER)
    writer.writerows(rows)
    return out.getvalue()


def _report_rows(plan: Plan) -> Iterator[list[str]]:
    """Every unit, body, page, contact, rules file, user role, open letter and open report."""
    from accounts_registry.models import ContactPerson, PostingRules, SocialPage
    from directives.models import Directive, Receipt
    from reports.models import ReportState, UnitReport
    from users.models import RoleAssignment

    units = {
        u.pk: u
        for u in AdministrativeUnit.objects.filter(
            pk__in={*plan.unit_successor, *(v for v in plan.unit_successor.values() if v)}
            | {i.to_unit for i in plan.bodies.values() if i.to_unit}
        ).select_related("level")
    }
    last_day = plan.effective_on - timedelta(days=1)

    def code_name(pk: int | None) -> list[str]:
        unit = units.get(pk) if pk else None
        return [unit.code, unit.name] if unit else ["", ""]

    closing = set(plan.units_to_close)
    for pk in sorted(plan.unit_successor, key=lambda pk: units[pk].path):
        unit = units[pk]
        successor = plan.unit_successor.get(pk)
        if pk not in closing:
            action = "closed_already"
        elif unit.level.code == "district":
            action = "dissolve"
        else:
            action = "close"
        yield [
            f"unit:{unit.level.code}",
            action,
            str(pk),
            unit.name,
            unit.code,
            unit.name,
            *code_name(successor),
            f"in force until {last_day:%d/%m/%Y}",
        ]
    for kind, rows in plan.unmatched.items():
        for row in rows:
            yield [
                "unmatched",
                kind,
                "",
                row["name"],
                row["code"],
                row["name"],
                "",
                "",
                row["note"],
            ]
    for choice in plan.needs_choice:
        yield [
            "needs_choice",
            choice["reason"],
            "",
            choice["old_name"],
            choice["old_code"],
            choice["old_name"],
            "",
            "",
            f"{choice['bodies']} bodies; candidates: "
            + ", ".join(f"{c['code']} {c['name']}" for c in choice["candidates"]),
        ]
    for error in plan.errors:
        yield ["error", "", "", "", "", "", "", "", error]

    body_ids = list(plan.bodies)
    names = dict(Body.objects.filter(pk__in=body_ids).values_list("pk", "name"))
    for pk, item in sorted(plan.bodies.items()):
        target = item.to_unit
        note = item.why
        if item.action == MERGE and item.survivor:
            survivor = names.get(item.survivor) or f"#{item.survivor}"
            note = f"merged into body {item.survivor} {survivor}; {note}"
        if item.new_name:
            note = f"renamed {item.new_name}; {note}"
        yield [
            "body",
            item.action or "needs_choice",
            str(pk),
            names[pk],
            *code_name(item.from_unit),
            *code_name(target),
            note,
        ]
    action_of = {pk: item.action or "needs_choice" for pk, item in plan.bodies.items()}
    chunks = [body_ids[i : i + 20000] for i in range(0, len(body_ids), 20000)]
    for chunk in chunks:
        for pk, name, body_id, state in (
            SocialPage.objects.filter(body_id__in=chunk)
            .exclude(state="archived")
            .order_by("pk")
            .values_list("pk", "display_name", "body_id", "state")
        ):
            action = {MERGE: "transfer", ARCHIVE: "archive"}.get(action_of[body_id], "with body")
            yield ["page", action, str(pk), name, "", "", "", "", f"body {body_id}; {state}"]
        for pk, name, body_id, page_id in (
            ContactPerson.objects.filter(body_id__in=chunk, archived_at__isnull=True)
            .order_by("pk")
            .values_list("pk", "name", "body_id", "page_id")
        ):
            action = {MERGE: "transfer", ARCHIVE: "archive"}.get(action_of[body_id], "with body")
            where = f"page {page_id}" if page_id else "default contact"
            yield ["contact", action, str(pk), name, "", "", "", "", f"body {body_id}; {where}"]
        for pk, number, body_id, version in (
            PostingRules.objects.filter(body_id__in=chunk)
            .order_by("pk")
            .values_list("pk", "document_number", "body_id", "version")
        ):
            action = "transfer" if action_of[body_id] == MERGE else "with body"
            yield ["rules", action, str(pk), number, "", "", "", "", f"body {body_id}; v{version}"]

    old_ids = list(plan.unit_successor)
    merged = {pk for pk, i in plan.bodies.items() if i.action == MERGE}
    archived = {pk for pk, i in plan.bodies.items() if i.action == ARCHIVE}
    for pk, username, role, unit_id, body_id in (
        RoleAssignment.objects.filter(Q(unit_id__in=old_ids) | Q(body_id__in=body_ids))
        .order_by("pk")
        .values_list("pk", "user__username", "role", "unit_id", "body_id")
    ):
        if body_id is not None:
            if body_id in merged:
                action, note = "move", f"staff of body {body_id} → its survivor"
            elif body_id in archived:
                action, note = "flag", f"staff of body {body_id}, archived"
            else:
                action, note = "unchanged", f"staff of body {body_id}, which moves"
            yield ["role", action, str(pk), username, "", "", "", "", f"{role}; {note}"]
        else:
            successor = plan.unit_successor.get(unit_id) if unit_id else None
            action = "move" if successor else "flag"
            yield [
                "role",
                action,
                str(pk),
                username,
                *code_name(unit_id),
                *code_name(successor),
                role,
            ]

    for pk, number, symbol, subject, unit_id, body_id in (
        Receipt.objects.filter(Q(unit_id__in=old_ids) | Q(body_id__in=body_ids))
        .filter(reported_at__isnull=True, directive__state="issued")
        .order_by("pk")
        .values_list(
            "pk",
            "directive__number",
            "directive__symbol",
            "directive__subject",
            "unit_id",
            "body_id",
        )
    ):
        yield [
            "open_letter",
            "recipient",
            str(pk),
            f"{number}/{symbol} {subject}"[:200],
            *code_name(unit_id),
            "",
            "",
            f"receipt not answered; body {body_id or '-'}",
        ]
    for pk, number, symbol, subject, issuer in (
        Directive.objects.filter(
            issuer_id__in=body_ids, state="issued", receipts__reported_at__isnull=True
        )
        .distinct()
        .order_by("pk")
        .values_list("pk", "number", "symbol", "subject", "issuer_id")
    ):
        yield [
            "open_letter",
            "issuer",
            str(pk),
            f"{number}/{symbol} {subject}"[:200],
            "",
            "",
            "",
            "",
            f"issued by body {issuer} ({action_of.get(issuer, '')}); not fully answered",
        ]
    for pk, unit_id, label, state in (
        UnitReport.objects.filter(unit_id__in=old_ids)
        .exclude(state=ReportState.ACCEPTED)
        .order_by("pk")
        .values_list("pk", "unit_id", "period__label", "state")
    ):
        yield [
            "open_report",
            "unchanged",
            str(pk),
            label,
            *code_name(unit_id),
            "",
            "",
            f"{state}; reports stay on the unit they were made for",
        ]


def _summary(plan: Plan, rows: list[list[str]]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for row in rows:
        counts[f"{row[0]}:{row[1]}"] += 1
    if plan.import_result is not None:
        for level, c in plan.import_result.counts.items():
            counts[f"import:{level}:created"] += c.created
            counts[f"import:{level}:updated"] += c.updated
        counts["import:changes"] = len(plan.import_result.changes)
    counts["needs_choice:communes"] = len(plan.needs_choice)
    return dict(sorted(counts.items()))
