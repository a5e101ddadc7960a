"""Demo directives: the real letters of ``demo/data/letters`` as chains in their units.

``data/letters/demo-chain.json`` holds each letter split into the parts of a directive
(subject, addressees, basis, body, numbered instructions, closing, "Nơi nhận", signer), the
unit and body that issued it, the Code clauses it cites, the letter it implements, whom it
goes to and how some recipients answered. This module places them in the imported
three-tier hierarchy, creating the bodies a letter needs (an issuing body, the People's
Committees it is sent to) with the builders of ``demo.hierarchy``, and writes every directive
through ``directives.services``, as a user would.

Idempotent: a directive is found again by its issuer, symbol and number (or subject when
the number is blank, as on the original letters), and nothing is written for it a second
time. A letter whose units are not in the database is skipped with the letters implementing
it. Reminders are never sent here: that is the job of the scheduled task.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from demo import hierarchy as units_demo
from directives import services
from directives.models import Directive, Receipt
from legal.models import LegalNode
from portal.text import fold, nfc
from units.models import AdministrativeUnit, Body, BodyKind
from users import scope
from users.models import Role, RoleAssignment, User

LETTERS_DIR = Path(__file__).resolve().parent / "data" / "letters"
CHAIN_FILE = LETTERS_DIR / "demo-chain.json"


class DemoChainError(units_demo.DemoDataError):
    """The chain file is malformed (a missing part of a letter, an unknown key)."""


@dataclass
class DirectiveDemoResult:
    """What a build changed, and which letters it could not place."""

    created: list[str] = field(default_factory=list)  # keys of the letters issued now
    existing: list[str] = field(default_factory=list)  # keys found from an earlier run
    skipped: list[str] = field(default_factory=list)  # keys whose units are missing
    bodies_created: int = 0
    users_created: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.bodies_created or self.users_created)

    def summary(self) -> str:
        text = (
            f"Demo directives: {len(self.created)} issued, {len(self.existing)} already there; "
            f"{self.bodies_created} bodies and {self.users_created} clerks created."
        )
        if self.skipped:
            text += f" Skipped (their units are not in the database): {', '.join(self.skipped)}."
        return text


@cache
def load_chain(path: Path = CHAIN_FILE) -> dict[str, Any]:
    """The chain file, read once per process."""
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def letter_date(value: Any, today: date) -> date | None:
    """``"2024-04-24"``, ``{"days_from_today": -14}`` (illustrative letters) or null."""
    if value is None:
        return None
    if isinstance(value, dict):
        return today + timedelta(days=int(value["days_from_today"]))
    return date.fromisoformat(str(value))


def find_unit(names: Iterable[str], *, today: bool = False) -> AdministrativeUnit | None:
    """The unit at the end of a path of names (province, district, commune), or ``None``.

    The letters of the history predate the 2025 reform: a province is then taken from the
    edition with districts below it, the oldest first when both editions are imported. The
    letters of today (``today``) are placed in the units in force now (two-tier).
    """
    unit: AdministrativeUnit | None = None
    for name in names:
        candidates = AdministrativeUnit.objects.filter(search_name=fold(name))
        if today:
            candidates = candidates.filter(valid_until__isnull=True)
        if unit is None:
            candidates = candidates.filter(parent__isnull=True)
            if not today:
                candidates = candidates.filter(children__isnull=False)
        else:
            candidates = candidates.filter(parent=unit)
        unit = (
            candidates.distinct()
            .order_by(F("valid_from").asc(nulls_first=True), "pk")
            .select_related("parent", "level")
            .first()
        )
        if unit is None:
            return None
    return unit


def _lineage(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The unit's ancestors and itself, from the province down."""
    chain = [unit]
    while chain[0].parent is not None:
        chain.insert(0, chain[0].parent)
    return chain


def _today(letter: dict[str, Any]) -> bool:
    """A letter of today's (two-tier) country, rather than of the three-tier history."""
    era: str = letter.get("era", "history")
    return era == "today"


def _children(unit: AdministrativeUnit, *, today: bool = False) -> list[AdministrativeUnit]:
    children = unit.children.all()
    if today:
        children = children.filter(valid_until__isnull=True)
    return list(children.order_by("code", "pk"))


def _body_specs(
    letter: dict[str, Any], unit: AdministrativeUnit, children: list[AdministrativeUnit]
) -> list[units_demo.BodySpec]:
    """The bodies a letter needs: the committees above its issuer, its issuer's own bodies,
    the People's Committees it is sent to and any body named in the file."""
    lineage = _lineage(unit)
    province = lineage[0]
    if _today(letter):
        # Today's bodies exist already (moved by the reorganisation, or the new communes'
        # committees): the letter needs only the committees that issue and receive it.
        specs = [units_demo._people_committee(province, f"ubnd:{province.pk}", None)]
        if unit.pk != province.pk:
            specs.append(
                units_demo._people_committee(unit, f"ubnd:{unit.pk}", f"ubnd:{province.pk}")
            )
        if letter["recipients"].get("peoples_committees_below"):
            specs += [
                units_demo._people_committee(child, f"ubnd:{child.pk}", f"ubnd:{unit.pk}")
                for child in children
            ]
        return specs
    specs = units_demo._province_specs(province, departments=False)
    above = f"ubnd:{province.pk}"
    for middle in lineage[1:-1]:
        specs.append(units_demo._people_committee(middle, f"ubnd:{middle.pk}", above))
        above = f"ubnd:{middle.pk}"
    if len(lineage) == 2:
        specs += units_demo._district_specs(unit, above)
    elif len(lineage) >= 3:
        specs += units_demo._commune_specs(unit, above)
    if letter["recipients"].get("peoples_committees_below"):
        specs += [
            units_demo._people_committee(child, f"ubnd:{child.pk}", f"ubnd:{unit.pk}")
            for child in children
        ]
    for extra in letter.get("extra_bodies", ()):
        specs.append(
            units_demo.BodySpec(
                key=f"{extra['key']}:{unit.pk}",
                unit=unit,
                name=extra["name"],
                short_name=extra.get("short_name", ""),
                kind=extra["kind"],
                email=units_demo._mailbox(extra["key"], unit.name),
            )
        )
    unique: dict[str, units_demo.BodySpec] = {}
    for spec in specs:
        unique.setdefault(spec.key, spec)
    return list(unique.values())


def _recipients(
    letter: dict[str, Any],
    unit: AdministrativeUnit,
    children: list[AdministrativeUnit],
    issuer: Body,
    bodies: dict[str, Body],
) -> list[Body]:
    wanted = letter["recipients"]
    chosen: list[Body] = []
    if wanted.get("peoples_committees_below"):
        chosen += [bodies[f"ubnd:{child.pk}"] for child in children]
    named = wanted.get("bodies", [])
    if named == "all":
        chosen += list(
            Body.objects.filter(unit=unit, archived_at__isnull=True)
            .exclude(pk=issuer.pk)
            .order_by("pk")
        )
    else:
        chosen += [bodies[f"{key}:{unit.pk}"] for key in named]
    return chosen


def _named_groups(
    letter: dict[str, Any],
    unit: AdministrativeUnit,
    children: list[AdministrativeUnit],
    bodies: dict[str, Body],
) -> list[services.NamedGroupSpec]:
    """The named recipient groups of a letter: members are the People's Committees below
    (``peoples_committees_below``), bodies of the file (``bodies``: their keys), or bodies
    of the letter's unit whose names begin so (``body_prefixes``); none: outside the portal."""
    found = []
    for group in letter.get("named_groups", []):
        members = group.get("members", {})
        chosen: list[Body] = []
        if members.get("peoples_committees_below"):
            chosen += [bodies[f"ubnd:{child.pk}"] for child in children]
        chosen += [bodies[f"{key}:{unit.pk}"] for key in members.get("bodies", [])]
        if members.get("body_prefixes"):
            local = list(Body.objects.filter(unit=unit, archived_at__isnull=True).order_by("pk"))
            for prefix in members["body_prefixes"]:
                wanted = fold(prefix)
                chosen += [body for body in local if fold(body.name).startswith(wanted)]
        found.append(
            services.NamedGroupSpec(
                name=group["name"],
                kind=group["kind"],
                placement=group.get("placement", "addressee"),
                bodies=chosen,
                tasks=group.get("tasks", []),
            )
        )
    return found


def _paper(letter: dict[str, Any]) -> services.PaperSpec | None:
    """The letter on paper a letter implements (``implements_paper``), if any."""
    paper = letter.get("implements_paper")
    if not paper:
        return None
    return services.PaperSpec(
        reference=paper["reference"],
        issued_on=date.fromisoformat(paper["issued_on"]),
        issuer_name=paper["issuer_name"],
        subject=paper["subject"],
    )


def _ensure_clerk(
    spec: dict[str, Any], result: DirectiveDemoResult, letter_unit: AdministrativeUnit | None = None
) -> User | None:
    """A clerk (văn thư) of a People's Committee who answers letters in the demo; or, with
    ``body``, of the body of the letter's own unit whose name begins so (a Front committee).

    Clerks have no password: they stand for the people who answered, and cannot log in.
    """
    user = User.objects.filter(username=spec["username"]).first()
    body: Body | None
    if "body" in spec:
        body = (
            _body_named(
                Body.objects.filter(unit=letter_unit, archived_at__isnull=True).order_by("pk"),
                spec["body"],
            )
            if letter_unit is not None
            else None
        )
    else:
        unit = find_unit(spec["unit"])
        body = (
            Body.objects.filter(
                unit=unit, kind=BodyKind.PEOPLES_COMMITTEE, archived_at__isnull=True
            ).first()
            if unit is not None
            else None
        )
    if body is None:
        return user
    if user is None:
        user = User(
            username=spec["username"],
            email=f"{spec['username']}@demo.example",
            full_name=nfc(spec["full_name"]),
            position=nfc(spec["position"]),
            is_active=True,
        )
        user.set_unusable_password()
        user.full_clean()
        user.save()
        result.users_created += 1
    if not RoleAssignment.objects.filter(user=user, role=Role.BODY_STAFF, body=body).exists():
        assignment = RoleAssignment(user=user, role=Role.BODY_STAFF, body=body)
        assignment.full_clean()
        assignment.save()
    return user


def _existing(letter: dict[str, Any], issuer: Body) -> Directive | None:
    """The directive an earlier run made of this letter: same issuer, symbol and number
    (and subject, when the number is blank)."""
    found = Directive.objects.filter(
        issuer=issuer, symbol=letter["symbol"], number=letter["number"]
    )
    if not letter["number"]:
        found = found.filter(subject=nfc(letter["subject"]))
    return found.order_by("pk").first()


def _fields(letter: dict[str, Any], today: date) -> dict[str, Any]:
    lines = "\n".join
    return {
        "number": letter["number"],
        "symbol": letter["symbol"],
        "place": letter["place"],
        "issued_on": letter_date(letter["issued_on"], today),
        "subject": letter["subject"],
        "addressees": lines(letter["addressees"]),
        "basis": letter["basis"],
        "body": letter["body"],
        "closing": letter["closing"],
        "distribution": lines(letter["distribution"]),
        "signing_capacity": lines(letter["signing_capacity"]),
        "signer_name": letter["signer_name"],
        "report_deadline": letter_date(letter["report_deadline"], today),
    }


def _body_named(bodies: Iterable[Body], prefix: str) -> Body | None:
    """The first of ``bodies`` whose name begins with ``prefix`` (ignoring case and marks)."""
    wanted = fold(prefix)
    return next((body for body in bodies if fold(body.name).startswith(wanted)), None)


def _answer(
    directive: Directive,
    answer: dict[str, Any],
    children: list[AdministrativeUnit],
    users: dict[str, User],
) -> None:
    """One recipient's answer: opened, acknowledged, or reported on (with figures): the
    People's Committee of a unit below (``unit``), or a body of the letter (``body``)."""
    user = users.get(answer["by"])
    if user is None:
        return
    if "body" in answer:
        receipts = list(directive.receipts.filter(body__isnull=False).select_related("body"))
        body = _body_named([r.body for r in receipts if r.body is not None], answer["body"])
        receipt = next((r for r in receipts if body is not None and r.body_id == body.pk), None)
    else:
        unit = next((c for c in children if fold(c.name) == fold(answer["unit"])), None)
        if unit is None:
            return
        receipt = Receipt.objects.filter(
            directive=directive, body__unit=unit, body__kind=BodyKind.PEOPLES_COMMITTEE
        ).first()
    if receipt is None:
        return
    action = answer["action"]
    if action == "open":
        services.receipt_open(receipt, by=user)
    elif action == "acknowledge":
        services.receipt_acknowledge(receipt, by=user)
    elif action == "report":
        services.report_submit(
            receipt,
            by=user,
            text=answer["text"],
            figures=[(label, Decimal(str(value))) for label, value in answer.get("figures", [])],
            asked={key: Decimal(str(value)) for key, value in answer.get("asked", {}).items()},
        )
    else:
        raise DemoChainError(f"Unknown answer {action!r} in {CHAIN_FILE.name}.")


def _build_letter(
    letter: dict[str, Any],
    *,
    today: date,
    built: dict[str, Directive],
    clerks: dict[str, dict[str, Any]],
    nodes: dict[str, LegalNode],
    result: DirectiveDemoResult,
) -> None:
    key = letter["key"]
    parent_key = letter.get("implements")
    unit = find_unit(letter["unit"], today=_today(letter))
    if unit is None or (parent_key and parent_key not in built):
        result.skipped.append(key)
        return
    children = _children(unit, today=_today(letter))
    body_result = units_demo.DemoResult()
    bodies = units_demo._upsert_bodies(_body_specs(letter, unit, children), body_result)
    result.bodies_created += body_result.bodies_created
    issuer = bodies[f"{letter['issuer']}:{unit.pk}"]
    found = _existing(letter, issuer)
    if found is not None:
        built[key] = found
        result.existing.append(key)
        return
    # Clerks first, so that they are told of the letter when it is issued, as users would be.
    users: dict[str, User] = {}
    for name in sorted({answer["by"] for answer in letter["answers"]}):
        if name in clerks:
            user = _ensure_clerk(clerks[name], result, unit)
        else:
            user = User.objects.filter(username=name).first()
        if user is not None:
            users[name] = user
    by = User.objects.filter(username=letter["by"]).first() if letter["by"] else None
    # A letter carries a date when its issuer existed: on a hierarchy that has since ceased,
    # the illustrative letters are dated from the issuer's last day in force instead.
    if unit.valid_until is not None and unit.valid_until < today:
        today = unit.valid_until
    fields = _fields(letter, today)
    directive = services.directive_create(
        issuer=issuer,
        by=by,
        fields=fields,
        instructions=letter["instructions"],
        recipients=services.Recipients(
            bodies=_recipients(letter, unit, children, issuer, bodies),
            named=_named_groups(letter, unit, children, bodies),
        ),
        cited=[nodes[ref] for ref in letter["cites"] if ref in nodes],
        implements=built[parent_key] if parent_key else None,
        asked_figures=[
            services.FigureSpec(
                key=item["key"],
                label=item["label"],
                unit=item.get("unit", ""),
                task=item.get("task"),
            )
            for item in letter.get("asked_figures", [])
        ],
        paper=_paper(letter),
    )
    # Signed as of the letter's date, when its issuer (and its officers) were in force.
    with scope.acting_on(fields["issued_on"] or today):
        directive = services.directive_issue(directive, by=by, today=fields["issued_on"])
    # The answers are history: recorded as of the letter's date, when its recipients (and
    # the clerks anchored on them) were in force.
    with scope.acting_on(directive.issued_on or today):
        for answer in letter["answers"]:
            _answer(directive, answer, children, users)
    built[key] = directive
    result.created.append(key)


def build_demo_directives(
    *, today: date | None = None, path: Path = CHAIN_FILE, era: str = "history"
) -> DirectiveDemoResult:
    """Issue the demo letters of one era that are missing, with their answers, in one
    transaction: ``"history"`` (the real letters of 2021-2024, in the three-tier country)
    or ``"today"`` (the illustrative letters of the two-tier country, after the reform).

    Runs after ``demo.hierarchy.build_demo`` (it needs the demo users); ``today`` dates the
    illustrative letters (the real ones carry their own dates).
    """
    today = today or timezone.localdate()
    letters, clerks = _checked(load_chain(path), path)
    letters = [letter for letter in letters if letter.get("era", "history") == era]
    result = DirectiveDemoResult()
    refs = {ref for letter in letters for ref in letter["cites"]}
    with transaction.atomic():
        nodes = {node.ref: node for node in LegalNode.objects.filter(ref__in=refs)}
        built: dict[str, Directive] = {}
        for letter in letters:
            _build_letter(
                letter, today=today, built=built, clerks=clerks, nodes=nodes, result=result
            )
    return result


LETTER_KEYS = frozenset(
    {
        "key",
        "status",
        "unit",
        "issuer",
        "by",
        "number",
        "symbol",
        "place",
        "issued_on",
        "subject",
        "addressees",
        "basis",
        "body",
        "instructions",
        "closing",
        "distribution",
        "signing_capacity",
        "signer_name",
        "report_deadline",
        "cites",
        "implements",
        "recipients",
        "answers",
    }
)


def _checked(
    chain: dict[str, Any], path: Path
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The letters and clerks of the chain file, refusing a letter that lacks a part."""
    letters = chain.get("letters", [])
    clerks = {clerk["username"]: clerk for clerk in chain.get("clerks", [])}
    seen: set[str] = set()
    for position, letter in enumerate(letters):
        missing = LETTER_KEYS - set(letter)
        if missing:
            raise DemoChainError(
                f"{path.name}: letter {position} lacks {', '.join(sorted(missing))}."
            )
        if letter["implements"] and letter["implements"] not in seen:
            raise DemoChainError(
                f"{path.name}: {letter['key']} implements {letter['implements']!r}, "
                "which is not an earlier letter of the file."
            )
        seen.add(letter["key"])
    return letters, clerks
