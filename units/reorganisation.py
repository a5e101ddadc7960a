"""The reorganisation of 01/07/2025 (or any conversion table) applied as one operation.

Input: a database holding the three-tier registry (provinces, districts, communes in force
until 30/06/2025, with their bodies, pages, contacts, rules and users), the official
conversion table old commune → new commune(s), and the two-tier edition whose codes the table
uses. ``build_plan`` reads all of it and decides, without writing, what happens to every unit
and body; ``apply_plan`` writes it in one transaction. See ``docs/reorganisation.md``.

Defaults (every one can be overridden per commune or per body by a decisions file):

* **Units.** The two-tier units are imported (``valid_from`` = the effective date, codes
  reconciled by ``units.reconcile``). Every old province, district and commune is closed the
  day before (``valid_until``). An old commune merged whole gets ``succeeded_by`` = its new
  commune; an old province gets the new province its communes went to; a district is
  dissolved (no successor); a split commune (``partly``) gets none.
* **Bodies of a commune merged whole** move to the new commune, except its People's
  Committee and People's Council: one body of each kind per commune, so they *merge* into
  one survivor (the new commune's own if it has one; else the one of the old commune whose
  name the new commune carries; else the one with most pages, then the smallest old code).
  The survivor is renamed after the new commune; the others are archived with
  ``merged_into`` = the survivor, and their pages, contact persons and rules go to it.
* **Bodies of a split or unmatched commune** are not guessed: the plan lists them as needing
  a choice, and ``apply_plan`` refuses until the decisions give a target for each commune.
* **Bodies of a district** are archived (the People's Committee and Council, the offices,
  the party and mass organisations of the district ceased with it), except public service
  units, press agencies and state enterprises (district hospitals and health centres, high
  schools, the district radio), which move to the new province.
* **Bodies of a province** move to the new province; People's Committees and Councils of
  merged provinces merge into one, as for communes.
* **Users.** Staff of a merged body are moved to the survivor; officers of an old province or
  of a commune merged whole are moved to its successor; the others (officers of districts,
  of split communes; staff of archived bodies) are flagged in the report, left as they are.
* **Reports** are never touched: a report stays on the unit it was made for.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from portal.history import JUST_BEFORE, effective_moment, keep_baseline
from portal.text import fold
from units.importers import DIVISIONS_DIR, Edition, ImportResult, edition, import_divisions
from units.models import (
    AdministrativeUnit,
    Body,
    BodyKind,
    BodyTransfer,
    PlanStatus,
    Reorganisation,
    ReorganisationKind,
    ReorganisationPlan,
    UnitLevel,
)
from units.reconcile import name_key

if TYPE_CHECKING:
    from users.models import User

MOVE = "move"
MERGE = "merge"
ARCHIVE = "archive"
ACTIONS = (MOVE, MERGE, ARCHIVE)

# One per unit: when units merge, these merge too.
ONE_PER_UNIT = (BodyKind.PEOPLES_COMMITTEE, BodyKind.PEOPLES_COUNCIL)
# Bodies of a district that live on after it: they serve the area, not the district's
# government, and the province takes them over.
DISTRICT_BODIES_TO_PROVINCE = (
    BodyKind.PUBLIC_SERVICE_UNIT,
    BodyKind.PRESS_AGENCY,
    BodyKind.STATE_ENTERPRISE,
)

BATCH = 5000


@dataclass(frozen=True)
class ConversionSpec:
    name: str
    path: Path
    edition: str  # a shipped edition (editions.json) …
    legal_basis: str = ""
    edition_file: Path | None = None  # … or a two-tier file (tests, one-off tables)


CONVERSION_TABLES = {
    "conversion-2025-07": ConversionSpec(
        name="conversion-2025-07",
        path=DIVISIONS_DIR / "vn-ward-conversion-2025-07.json.gz",
        edition="two-tier-2026-09",
        legal_basis=(
            "Nghị quyết số 202/2025/QH15 và các Nghị quyết của Ủy ban Thường vụ Quốc hội "
            "về sắp xếp đơn vị hành chính cấp xã năm 2025"
        ),
    ),
}


class ReorganisationError(Exception):
    """The plan cannot be built or applied (bad table, bad decisions, choices missing)."""


# --- The table --------------------------------------------------------------------------


@dataclass(frozen=True)
class TableEntry:
    old_code: str
    old_district_code: str
    old_province_code: str
    partly: bool
    new: tuple[tuple[str, str], ...]  # (commune code, province code)


@dataclass
class ConversionTable:
    effective_on: date
    entries: list[TableEntry]
    source: str = ""


def _widths() -> dict[str, int]:
    return dict(UnitLevel.objects.values_list("code", "code_width"))


def read_table(path: Path) -> ConversionTable:
    """The conversion table, codes zero-padded to the widths of the levels."""
    try:
        raw = path.read_bytes()
        data = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
    except (OSError, ValueError) as exc:
        raise ReorganisationError(f"Cannot read the conversion table {path}: {exc}") from exc
    widths = _widths()

    def code(value: Any, level: str) -> str:
        return f"{int(value):0{widths[level]}d}"

    try:
        entries = [
            TableEntry(
                old_code=code(row["old_code"], "commune"),
                old_district_code=code(row["old_district_code"], "district"),
                old_province_code=code(row["old_province_code"], "province"),
                partly=bool(row.get("partly")),
                new=tuple(
                    (code(new["code"], "commune"), code(new["province_code"], "province"))
                    for new in row["new"]
                ),
            )
            for row in data["entries"]
        ]
        effective_on = date.fromisoformat(data["effective_date"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ReorganisationError(f"Malformed conversion table {path}: {exc!r}") from exc
    return ConversionTable(effective_on=effective_on, entries=entries, source=path.name)


# --- Decisions --------------------------------------------------------------------------


@dataclass(frozen=True)
class BodyDecision:
    action: str
    target_code: str = ""
    target_level: str = ""


@dataclass
class Decisions:
    """Choices made by a person: a target per old commune, and per-body overrides."""

    communes: dict[str, str] = field(default_factory=dict)  # old code → new code or "archive"
    bodies: dict[int, BodyDecision] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "communes": dict(sorted(self.communes.items())),
            "bodies": {
                str(pk): {
                    "action": d.action,
                    "target_code": d.target_code,
                    "target_level": d.target_level,
                }
                for pk, d in sorted(self.bodies.items())
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Decisions:
        decisions = cls()
        errors: list[str] = []
        for old, target in (data.get("communes") or {}).items():
            decisions.communes[str(old).strip()] = str(target).strip()
        for pk, spec in (data.get("bodies") or {}).items():
            try:
                body_id = int(pk)
            except ValueError:
                errors.append(f"body id {pk!r} is not a number")
                continue
            if isinstance(spec, str):
                spec = {"action": spec}
            action = str(spec.get("action", "")).strip().lower()
            if action not in ACTIONS:
                errors.append(f"body {body_id}: action {action!r} is not one of {ACTIONS}")
                continue
            decisions.bodies[body_id] = BodyDecision(
                action=action,
                target_code=str(spec.get("target_code", "") or "").strip(),
                target_level=str(spec.get("target_level", "") or "").strip(),
            )
        if errors:
            raise ReorganisationError("Bad decisions: " + "; ".join(errors))
        return decisions


def read_decisions(path: Path) -> Decisions:
    """A decisions file: JSON (``{"communes": …, "bodies": …}``) or CSV (see the docs)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ReorganisationError(f"Cannot read the decisions file {path}: {exc}") from exc
    if path.suffix.lower() == ".json":
        try:
            return Decisions.from_json(json.loads(text))
        except ValueError as exc:
            raise ReorganisationError(f"The decisions file is not valid JSON: {exc}") from exc
    communes: dict[str, str] = {}
    bodies: dict[str, dict[str, str]] = {}
    for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        row = {key.strip(): (value or "").strip() for key, value in row.items() if key}
        body_id, old, action = row.get("body_id", ""), row.get("old_commune_code", ""), ""
        action = row.get("action", "").lower()
        target = row.get("target_code", "")
        if body_id:
            bodies[body_id] = {
                "action": action,
                "target_code": target,
                "target_level": row.get("target_level", ""),
            }
        elif old:
            if action == ARCHIVE:
                communes[old] = ARCHIVE
            elif target:
                communes[old] = target
        elif any(row.values()):
            raise ReorganisationError(f"{path}:{number}: neither old_commune_code nor body_id")
    return Decisions.from_json({"communes": communes, "bodies": bodies})


# --- The plan ---------------------------------------------------------------------------


@dataclass
class BodyPlan:
    body_id: int
    action: str
    from_unit: int
    to_unit: int | None = None
    survivor: int | None = None  # MERGE: the body it merges into
    new_name: str = ""  # set when the body is renamed (survivor, or a name clash)
    why: str = ""


@dataclass
class Plan:
    """What applying the table would do, computed from the database without writing."""

    effective_on: date
    unit_successor: dict[int, int | None] = field(default_factory=dict)  # old unit → new
    units_to_close: list[int] = field(default_factory=list)
    bodies: dict[int, BodyPlan] = field(default_factory=dict)
    needs_choice: list[dict[str, Any]] = field(default_factory=list)
    unmatched: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # old commune → new communes it contributes to (whole or partly), for the records.
    contributions: dict[int, set[int]] = field(default_factory=dict)
    import_result: ImportResult | None = None
    roles_to_move: int = 0

    @property
    def can_apply(self) -> bool:
        return not self.needs_choice and not self.errors

    @property
    def is_empty(self) -> bool:
        """Nothing to write: every unit closed, every body and role already where it goes."""
        return (
            not self.units_to_close
            and not any(item.action for item in self.bodies.values())
            and not self.roles_to_move
        )


@dataclass
class _World:
    """The units the plan works on, loaded once."""

    old: dict[int, AdministrativeUnit]
    old_by_code: dict[tuple[str, str], AdministrativeUnit]
    new_by_code: dict[tuple[str, str], AdministrativeUnit]
    new_by_pk: dict[int, AdministrativeUnit]
    level_of: dict[int, str]


def _load_world(effective_on: date) -> _World:
    last_day = effective_on - timedelta(days=1)
    level_of = dict(UnitLevel.objects.values_list("pk", "code"))
    old_qs = AdministrativeUnit.objects.in_force_on(last_day).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lt=effective_on)
    )
    old = {unit.pk: unit for unit in old_qs}
    new = {unit.pk: unit for unit in AdministrativeUnit.objects.filter(valid_from=effective_on)}
    return _World(
        old=old,
        old_by_code={(level_of[u.level_id], u.code): u for u in old.values()},
        new_by_code={(level_of[u.level_id], u.code): u for u in new.values()},
        new_by_pk=new,
        level_of=level_of,
    )


def _base_name(name: str) -> str:
    """ "Xã Cẩm Ngọc" → "cam ngoc": the name without its unit type, for comparisons."""
    key = name_key(name)
    for prefix in (
        "thanh pho ",
        "thi tran ",
        "thi xa ",
        "tinh ",
        "huyen ",
        "quan ",
        "xa ",
        "phuong ",
        "dac khu ",
    ):
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


def rename_for(body_name: str, old_unit: AdministrativeUnit, new_unit: AdministrativeUnit) -> str:
    """The body's name with the old unit's name replaced by the new one's, if it holds it.

    "Ủy ban nhân dân xã Cẩm Ngọc" of Xã Cẩm Ngọc, merged into Xã Cẩm Thủy, becomes "Ủy ban
    nhân dân xã Cẩm Thủy"; a name that does not hold the unit's name is left as it is.
    """
    pattern = re.compile(re.escape(old_unit.name), re.IGNORECASE)
    match = pattern.search(body_name)
    if match is None:
        return body_name
    found = match.group(0)
    replacement = new_unit.name
    if found[:1].islower():
        replacement = replacement[:1].lower() + replacement[1:]
    return body_name[: match.start()] + replacement + body_name[match.end() :]


def build_plan(*, table: ConversionTable, decisions: Decisions | None = None) -> Plan:
    """Decide what happens to every old unit and to every live body on one (no writes).

    The two-tier units must already be in the database (``apply_plan`` and the dry run
    import the edition first, inside their transaction).
    """
    decisions = decisions or Decisions()
    effective_on = table.effective_on
    world = _load_world(effective_on)
    plan = Plan(effective_on=effective_on)

    # Communes: the table, row by row.
    commune_target: dict[int, int] = {}  # old commune → the one new commune its bodies go to
    entry_of: dict[int, TableEntry] = {}
    province_votes: dict[int, Counter[int]] = defaultdict(Counter)
    unknown_old: list[dict[str, str]] = []
    unknown_new: list[dict[str, str]] = []
    targeted: set[int] = set()
    for entry in table.entries:
        old = world.old_by_code.get(("commune", entry.old_code))
        news = [world.new_by_code.get(("commune", code)) for code, _ in entry.new]
        if old is None:
            unknown_old.append(
                {
                    "code": entry.old_code,
                    "name": "",
                    "note": f"district {entry.old_district_code}, province "
                    f"{entry.old_province_code}; new: " + ", ".join(code for code, _ in entry.new),
                }
            )
            continue
        if any(unit is None for unit in news):
            missing = [
                code for (code, _), unit in zip(entry.new, news, strict=True) if unit is None
            ]
            unknown_new.append(
                {"code": entry.old_code, "name": old.name, "note": "new: " + ", ".join(missing)}
            )
            continue
        found = [unit for unit in news if unit is not None]
        entry_of[old.pk] = entry
        plan.contributions[old.pk] = {unit.pk for unit in found}
        targeted.update(unit.pk for unit in found)
        for unit in found:
            if unit.parent_id is not None:
                province_votes[_province_of(old, world)].update([unit.parent_id])
        if not entry.partly and len(found) == 1:
            plan.unit_successor[old.pk] = found[0].pk
            commune_target[old.pk] = found[0].pk

    old_communes = [u for u in world.old.values() if world.level_of[u.level_id] == "commune"]
    no_entry = sorted(
        (u for u in old_communes if u.pk not in entry_of and u.succeeded_by_id is None),
        key=lambda u: u.code,
    )
    plan.unmatched = {
        "old_communes_without_entry": [
            {"code": u.code, "name": u.name, "note": _where(u, world)} for u in no_entry
        ],
        "entries_with_unknown_old_code": unknown_old,
        "entries_with_unknown_new_code": unknown_new,
        "new_communes_not_targeted": [
            {"code": u.code, "name": u.name, "note": ""}
            for u in sorted(world.new_by_pk.values(), key=lambda u: u.code)
            if world.level_of[u.level_id] == "commune" and u.pk not in targeted
        ],
    }

    # Decisions for whole communes (split, unmatched, or overriding the table).
    for old_code, target_code in decisions.communes.items():
        old = world.old_by_code.get(("commune", old_code))
        if old is None:
            plan.errors.append(f"decisions: no old commune with code {old_code}")
            continue
        if target_code == ARCHIVE:
            commune_target[old.pk] = -1
            continue
        new = world.new_by_code.get(("commune", target_code))
        if new is None:
            plan.errors.append(
                f"decisions: old commune {old_code} {old.name}: no new commune {target_code}"
            )
            continue
        commune_target[old.pk] = new.pk
        plan.contributions.setdefault(old.pk, set()).add(new.pk)

    # Provinces: the new province most of their communes went to.
    for old in world.old.values():
        level = world.level_of[old.level_id]
        if level == "province":
            votes = province_votes.get(old.pk)
            if votes:
                plan.unit_successor[old.pk] = votes.most_common(1)[0][0]
            else:
                same = world.new_by_code.get(("province", old.code))
                plan.unit_successor[old.pk] = same.pk if same else None
        elif level == "district":
            plan.unit_successor[old.pk] = None
        plan.unit_successor.setdefault(old.pk, None)
        wanted_until = effective_on - timedelta(days=1)
        successor = plan.unit_successor[old.pk]
        if (old.valid_until is None or old.valid_until > wanted_until) or (
            successor is not None and old.succeeded_by_id is None
        ):
            plan.units_to_close.append(old.pk)

    _plan_bodies(plan, world, commune_target, decisions)
    plan.needs_choice = _needs_choice(plan, world, entry_of, commune_target)
    plan.roles_to_move = _roles_to_move(plan).count()
    return plan


def _roles_to_move(plan: Plan) -> Any:
    """Role assignments that follow a merged body or a unit with one successor."""
    from users.models import Role, RoleAssignment

    merged = [pk for pk, item in plan.bodies.items() if item.action == MERGE and item.survivor]
    with_successor = [pk for pk, successor in plan.unit_successor.items() if successor]
    return RoleAssignment.objects.filter(
        Q(body_id__in=merged)
        | Q(unit_id__in=with_successor, role__in=[Role.UNIT_OFFICER, Role.PROVINCE_OFFICER])
    )


def _province_of(unit: AdministrativeUnit, world: _World) -> int:
    return int(unit.path.split(".")[0])


def _where(unit: AdministrativeUnit, world: _World) -> str:
    names = []
    for pk in unit.ancestor_ids():
        ancestor = world.old.get(pk)
        if ancestor is not None:
            names.append(ancestor.name)
    return ", ".join(reversed(names))


def _needs_choice(
    plan: Plan, world: _World, entry_of: dict[int, TableEntry], commune_target: dict[int, int]
) -> list[dict[str, Any]]:
    """Old communes with live bodies and no target: split, or matched by no row."""
    waiting = Counter(
        b.from_unit for b in plan.bodies.values() if b.action == "" and b.to_unit is None
    )
    out = []
    for old_pk, count in sorted(waiting.items(), key=lambda item: world.old[item[0]].code):
        old = world.old[old_pk]
        entry = entry_of.get(old_pk)
        candidates = [
            world.new_by_code[("commune", code)] for code, _ in (entry.new if entry else ())
        ]
        out.append(
            {
                "old_code": old.code,
                "old_name": old.name,
                "where": _where(old, world),
                "reason": "split" if entry is not None else "no entry in the table",
                "bodies": count,
                "candidates": [{"code": u.code, "name": u.name} for u in candidates],
            }
        )
    return out


def _plan_bodies(
    plan: Plan,
    world: _World,
    commune_target: dict[int, int],
    decisions: Decisions,
) -> None:
    bodies = list(
        Body.objects.filter(unit_id__in=list(world.old), archived_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "unit_id", "kind", "name")
    )
    page_counts = dict(
        Body.objects.filter(unit_id__in=list(world.old), archived_at__isnull=True)
        .filter(pages__archived_at__isnull=True, pages__isnull=False)
        .values_list("pk")
        .annotate(n=Count("pages"))
        .order_by()
    )
    level_name = {pk: world.level_of[u.level_id] for pk, u in world.old.items()}
    # (target unit, kind) → candidates for one-per-unit bodies.
    merging: dict[tuple[int, str], list[tuple[int, int, str]]] = defaultdict(list)
    for body_id, unit_id, kind, name in bodies:
        level = level_name[unit_id]
        override = decisions.bodies.get(body_id)
        item = BodyPlan(body_id=body_id, action="", from_unit=unit_id)
        plan.bodies[body_id] = item
        if override is not None:
            _apply_override(plan, world, item, override, level)
            if item.action == MERGE and item.survivor is None and item.to_unit is not None:
                merging[(item.to_unit, kind)].append((body_id, unit_id, name))
            continue
        if level == "commune":
            target = commune_target.get(unit_id)
            if target is None:
                continue  # needs a choice
            if target == -1:
                item.action, item.why = ARCHIVE, "commune archived by decision"
                continue
            item.to_unit = target
        elif level == "district":
            if kind in DISTRICT_BODIES_TO_PROVINCE:
                province = plan.unit_successor.get(_province_of(world.old[unit_id], world))
                if province is None:
                    continue
                item.to_unit = province
                item.why = "district body serving the area: to the province"
            else:
                item.action, item.why = ARCHIVE, "ceased with the district"
                continue
        else:  # province
            target = plan.unit_successor.get(unit_id)
            if target is None:
                continue
            item.to_unit = target
        if kind in ONE_PER_UNIT:
            item.action = MERGE
            merging[(item.to_unit, kind)].append((body_id, unit_id, name))
        else:
            item.action = MOVE

    _choose_survivors(plan, world, merging, page_counts)
    _settle_names(plan, world)


def _apply_override(
    plan: Plan, world: _World, item: BodyPlan, override: BodyDecision, level: str
) -> None:
    item.why = "decision"
    if override.action == ARCHIVE:
        item.action = ARCHIVE
        return
    target_level = override.target_level or ("commune" if level == "commune" else "province")
    target = world.new_by_code.get((target_level, override.target_code))
    if target is None:
        plan.errors.append(
            f"decisions: body {item.body_id}: no new {target_level} {override.target_code!r}"
        )
        item.action = ""
        return
    item.action, item.to_unit = override.action, target.pk


def _choose_survivors(
    plan: Plan,
    world: _World,
    merging: dict[tuple[int, str], list[tuple[int, int, str]]],
    page_counts: dict[int, int],
) -> None:
    if not merging:
        return
    # Bodies the new units already have, of the kinds that merge: they survive.
    existing: dict[tuple[int, str], int] = {}
    for pk, unit_id, kind in (
        Body.objects.filter(
            unit_id__in={unit for unit, _ in merging},
            kind__in=ONE_PER_UNIT,
            archived_at__isnull=True,
        )
        .order_by("-pk")
        .values_list("pk", "unit_id", "kind")
    ):
        existing[(unit_id, kind)] = pk
    for (target, kind), candidates in merging.items():
        new_unit = world.new_by_pk[target]
        survivor = existing.get((target, kind))
        if survivor is None:
            base = _base_name(new_unit.name)

            def rank(
                candidate: tuple[int, int, str], base: str = base
            ) -> tuple[int, int, str, int]:
                body_id, unit_id, _ = candidate
                old = world.old[unit_id]
                return (
                    0 if _base_name(old.name) == base else 1,
                    -page_counts.get(body_id, 0),
                    old.code,
                    body_id,
                )

            chosen = min(candidates, key=rank)
            survivor = chosen[0]
            item = plan.bodies[survivor]
            item.action = MOVE
            item.why = "survivor of the merge"
            renamed = rename_for(chosen[2], world.old[chosen[1]], new_unit)
            if renamed != chosen[2]:
                item.new_name = renamed
        for body_id, _, _ in candidates:
            if body_id != survivor:
                item = plan.bodies[body_id]
                item.action, item.survivor = MERGE, survivor
                item.why = item.why or "one per unit"


def _settle_names(plan: Plan, world: _World) -> None:
    """Two live bodies may not share a name in one unit: suffix the newcomer's old unit."""
    incoming: dict[int, list[BodyPlan]] = defaultdict(list)
    for item in plan.bodies.values():
        if item.action == MOVE and item.to_unit is not None:
            incoming[item.to_unit].append(item)
    if not incoming:
        return
    names = dict(
        Body.objects.filter(pk__in=[i.body_id for g in incoming.values() for i in g]).values_list(
            "pk", "name"
        )
    )
    taken: dict[int, set[str]] = defaultdict(set)
    for unit_id, name in Body.objects.filter(
        unit_id__in=list(incoming), archived_at__isnull=True
    ).values_list("unit_id", "name"):
        taken[unit_id].add(name)
    for unit_id, items in incoming.items():
        for item in sorted(items, key=lambda i: (i.new_name == "", i.body_id)):
            name = item.new_name or names[item.body_id]
            if name in taken[unit_id]:
                name = f"{name} ({world.old[item.from_unit].name})"
                if name in taken[unit_id]:
                    name = f"{name} #{item.body_id}"
                item.new_name = name
                item.why = (item.why + "; " if item.why else "") + "renamed: name taken"
            taken[unit_id].add(name)


# --- Applying ---------------------------------------------------------------------------


@dataclass
class Outcome:
    plan: Plan
    applied: bool
    summary: dict[str, int]
    report_rows: list[list[str]]
    seconds: float = 0.0
    refused: str = ""  # why applying was refused (choices missing, bad decisions)


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


def run(
    *,
    table: ConversionTable,
    edition_spec: Edition,
    decisions: Decisions | None = None,
    dry_run: bool,
    by: User | None = None,
    plan_row: ReorganisationPlan | None = None,
    table_name: str = "",
) -> tuple[Outcome, ReorganisationPlan | None]:
    """Import the edition, build the plan, and apply it (or, in a dry run, roll back).

    A dry run stores a draft ``ReorganisationPlan`` (summary, communes needing a choice,
    unmatched rows, the report); applying stores it as applied, in the same transaction as
    the changes. Applying refuses (storing the draft) while
    communes need a choice or decisions name unknown codes (``outcome.refused`` says why).
    When there is nothing left to
    do (a second run), nothing is written at all and no plan is returned.
    """
    started = time.perf_counter()
    decisions = decisions or Decisions()
    with transaction.atomic():
        imported = import_divisions(
            path=edition_spec.path,
            valid_from=edition_spec.valid_from,
            valid_until=edition_spec.valid_until,
            levels=edition_spec.levels,
            unit_type_from=edition_spec.unit_type_from,
            reconcile=True,
            by=by,
        )
        plan = build_plan(table=table, decisions=decisions)
        plan.import_result = imported
        rows = list(_report_rows(plan))
        outcome = Outcome(plan=plan, applied=False, summary=_summary(plan, rows), report_rows=rows)
        nothing_to_do = plan.is_empty and imported.changed == 0
        if dry_run or not plan.can_apply or nothing_to_do:
            transaction.set_rollback(True)
        else:
            plan_row = plan_row or ReorganisationPlan(
                table=table_name or table.source, effective_on=table.effective_on, created_by=by
            )
            plan_row.decisions = decisions.as_json()
            plan_row.full_clean(exclude=["report_csv_gz"])
            plan_row.save()
            _apply(plan, by=by, plan_row=plan_row, legal_basis=_legal_basis(table_name))
            outcome.applied = True
            outcome.seconds = time.perf_counter() - started
            _store(plan_row, outcome, status=PlanStatus.APPLIED, by=by)
    if outcome.applied:
        return outcome, plan_row
    outcome.seconds = time.perf_counter() - started
    if nothing_to_do and not dry_run:
        return outcome, None
    plan_row = plan_row or ReorganisationPlan(
        table=table_name or table.source, effective_on=table.effective_on, created_by=by
    )
    plan_row.decisions = decisions.as_json()
    _store(plan_row, outcome, status=PlanStatus.DRAFT, by=None)
    if not dry_run:
        outcome.refused = (
            f"Not applied: {len(plan.needs_choice)} old communes need a choice and "
            f"{len(plan.errors)} decisions are wrong (plan {plan_row.pk}, stored as a draft). "
            "Give a decisions file (see docs/reorganisation.md)."
        )
    return outcome, plan_row


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


def _legal_basis(table_name: str) -> str:
    spec = CONVERSION_TABLES.get(table_name)
    return spec.legal_basis if spec else ""


def _store(row: ReorganisationPlan, outcome: Outcome, *, status: str, by: User | None) -> None:
    row.status = status
    row.summary = outcome.summary
    row.needs_choice = outcome.plan.needs_choice
    row.unmatched = outcome.plan.unmatched
    row.report_csv_gz = gzip.compress(report_csv(outcome.report_rows).encode("utf-8"))
    row.seconds = round(outcome.seconds, 2)
    if status == PlanStatus.APPLIED:
        row.applied_at = timezone.now()
        row.applied_by = by
    row.full_clean(exclude=["report_csv_gz"])
    row.save()


def report_csv(rows: Iterable[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REPORT_HEADER)
    writer.writerows(rows)
    return out.getvalue()


def _apply(plan: Plan, *, by: User | None, plan_row: ReorganisationPlan, legal_basis: str) -> None:
    from accounts_registry.models import ContactPerson, PostingRules, SocialPage
    from accounts_registry.transfers import pages_archive, pages_transfer
    from users.models import RoleAssignment

    effective_on = plan.effective_on
    last_day = effective_on - timedelta(days=1)
    now = timezone.now()
    reason = f"reorganisation {effective_on.isoformat()} (plan {plan_row.pk})"
    # The change is written today but took effect on effective_on: its history records (and
    # the archive dates it sets) are dated then, and the state it replaces is put on record
    # just before, for rows that had no history (bulk-loaded), so that a past period rebuilt
    # later (reports.asof) sees the registry as it stood on its last day.
    at = effective_moment(effective_on)
    before = at - JUST_BEFORE
    items = plan.bodies
    archived_ids = [pk for pk, i in items.items() if i.action == ARCHIVE]
    merged_ids = [pk for pk, i in items.items() if i.action == MERGE and i.survivor is not None]
    keep_baseline(
        AdministrativeUnit.objects.filter(pk__in=plan.units_to_close), on=before, reason=reason
    )
    keep_baseline(Body.objects.filter(pk__in=list(items)), on=before, reason=reason)
    for held in (SocialPage, ContactPerson, PostingRules):
        keep_baseline(
            held.objects.filter(body_id__in=archived_ids + merged_ids), on=before, reason=reason
        )

    # 1. Close the old units (one UPDATE per successor), with history.
    closing = list(AdministrativeUnit.objects.filter(pk__in=plan.units_to_close))
    by_successor: dict[int | None, list[int]] = defaultdict(list)
    for unit in closing:
        if unit.valid_until is None or unit.valid_until > last_day:
            unit.valid_until = last_day
        successor = plan.unit_successor.get(unit.pk)
        if unit.succeeded_by_id is None and successor is not None:
            unit.succeeded_by_id = successor
        by_successor[unit.succeeded_by_id].append(unit.pk)
    for successor, ids in by_successor.items():
        AdministrativeUnit.objects.filter(pk__in=ids).update(
            valid_until=last_day, succeeded_by_id=successor
        )
    AdministrativeUnit.history.bulk_history_create(
        closing,
        update=True,
        default_user=by,
        default_change_reason=reason,
        default_date=at,
        batch_size=BATCH,
    )

    # 2. One MERGE record per new unit that receives old ones (provinces and communes).
    predecessors: dict[int, set[int]] = defaultdict(set)
    for old, new in plan.unit_successor.items():
        if new is not None:
            predecessors[new].add(old)
    for old, news in plan.contributions.items():
        for new in news:
            predecessors[new].add(old)
    for item in plan.bodies.values():
        if item.to_unit is not None:
            predecessors[item.to_unit]
    records = {
        r.successor_id: r
        for r in Reorganisation.objects.filter(
            effective_on=effective_on,
            successor_id__in=list(predecessors),
            kind=ReorganisationKind.MERGE,
        )
    }
    fresh = [
        Reorganisation(
            kind=ReorganisationKind.MERGE,
            effective_on=effective_on,
            legal_basis=legal_basis[:255],
            note=reason,
            successor_id=new,
            created_by=by,
            plan=plan_row,
        )
        for new in sorted(predecessors)
        if new not in records
    ]
    for record in Reorganisation.objects.bulk_create(fresh, batch_size=BATCH):
        records[record.successor_id] = record
    through = Reorganisation.predecessors.through
    linked = set(
        through.objects.filter(reorganisation_id__in=[r.pk for r in records.values()]).values_list(
            "reorganisation_id", "administrativeunit_id"
        )
    )
    through.objects.bulk_create(
        [
            through(reorganisation_id=records[new].pk, administrativeunit_id=old)
            for new, olds in predecessors.items()
            for old in sorted(olds)
            if (records[new].pk, old) not in linked
        ],
        batch_size=BATCH,
    )

    # 3. Bodies: archive and merge first (frees names), then rename, then move.
    bodies = {b.pk: b for b in Body.objects.filter(pk__in=list(items))}
    changed: list[Body] = []
    merged_by_survivor: dict[int, list[int]] = defaultdict(list)
    for pk, item in items.items():
        if item.action == MERGE and item.survivor is not None:
            merged_by_survivor[item.survivor].append(pk)
    # Archived as of the day the old order ended (the body lived until then).
    Body.objects.filter(pk__in=archived_ids).update(archived_at=at, updated_at=now)
    for survivor, ids in merged_by_survivor.items():
        Body.objects.filter(pk__in=ids).update(
            archived_at=at, updated_at=now, merged_into_id=survivor
        )
    for pk in archived_ids:
        bodies[pk].archived_at = at
    for survivor, ids in merged_by_survivor.items():
        for pk in ids:
            bodies[pk].archived_at, bodies[pk].merged_into_id = at, survivor
    renamed = [bodies[pk] for pk, i in items.items() if i.new_name]
    for body in renamed:
        body.name = items[body.pk].new_name
        body.search_name = fold(body.name + " " + body.short_name)
    if renamed:
        Body.objects.bulk_update(renamed, ["name", "search_name"], batch_size=1000)
    moving: dict[int, list[int]] = defaultdict(list)
    transfers: list[BodyTransfer] = []
    for pk, item in items.items():
        if item.action == MOVE and item.to_unit is not None:
            moving[item.to_unit].append(pk)
            transfers.append(
                BodyTransfer(
                    reorganisation=records[item.to_unit],
                    body_id=pk,
                    from_unit_id=item.from_unit,
                    to_unit_id=item.to_unit,
                )
            )
            bodies[pk].unit_id = item.to_unit
    for target, ids in moving.items():
        Body.objects.filter(pk__in=ids).update(unit_id=target, updated_at=now)
    for pk, item in items.items():
        if item.action in ACTIONS:
            bodies[pk].updated_at = now
            changed.append(bodies[pk])
    Body.history.bulk_history_create(
        changed,
        update=True,
        default_user=by,
        default_change_reason=reason,
        default_date=at,
        batch_size=BATCH,
    )
    BodyTransfer.objects.bulk_create(transfers, batch_size=BATCH)

    # 4. What merged bodies held goes to their survivor: pages, contacts, rules.
    merged_into = {pk: s for s, ids in merged_by_survivor.items() for pk in ids}
    if merged_into:
        pages = list(
            SocialPage.objects.filter(body_id__in=list(merged_into))
            .exclude(state="archived")
            .select_related("body")
        )
        pages_transfer(
            pages=pages,
            to_bodies={p.pk: bodies[merged_into[p.body_id]] for p in pages},
            by=by,
            reason=reason,
            on=at,
        )
        _move_default_contacts(merged_into, now=at, by=by, reason=reason, model=ContactPerson)
        _move_rules(merged_into, now=at, by=by, reason=reason, model=PostingRules)

    # 5. What archived bodies held is archived with them (pages, default contacts).
    if archived_ids:
        pages = list(
            SocialPage.objects.filter(body_id__in=archived_ids)
            .exclude(state="archived")
            .select_related("body")
        )
        pages_archive(pages=pages, by=by, reason=reason, on=at)
        contacts = list(
            ContactPerson.objects.filter(body_id__in=archived_ids, archived_at__isnull=True)
        )
        ContactPerson.objects.filter(pk__in=[c.pk for c in contacts]).update(
            archived_at=at, updated_at=now
        )
        for contact in contacts:
            contact.archived_at, contact.updated_at = at, now
        ContactPerson.history.bulk_history_create(
            contacts, update=True, default_user=by, default_change_reason=reason, default_date=at
        )

    # 6. Users: staff of merged bodies, officers of units with one successor.
    _move_roles(plan, merged_into, by=by, reason=reason, model=RoleAssignment)


def _move_default_contacts(
    merged_into: dict[int, int], *, now: Any, by: Any, reason: str, model: Any
) -> None:
    """A body has one default contact: the survivor keeps its own, else takes the first.

    ``now`` is the moment the reorganisation took effect: it dates the records."""
    survivors = set(merged_into.values())
    has_default = set(
        model.objects.filter(
            body_id__in=survivors, page__isnull=True, archived_at__isnull=True
        ).values_list("body_id", flat=True)
    )
    contacts = list(
        model.objects.filter(
            body_id__in=list(merged_into), page__isnull=True, archived_at__isnull=True
        ).order_by("body_id", "pk")
    )
    for contact in contacts:
        survivor = merged_into[contact.body_id]
        if survivor in has_default:
            contact.archived_at = now
        else:
            has_default.add(survivor)
        contact.body_id = survivor
        contact.updated_at = now
    # Grouped: one UPDATE per (survivor, archived or not).
    groups: dict[tuple[int, bool], list[int]] = defaultdict(list)
    for contact in contacts:
        groups[(contact.body_id, contact.archived_at is not None)].append(contact.pk)
    for (survivor, archived), ids in groups.items():
        model.objects.filter(pk__in=ids).update(
            body_id=survivor, updated_at=now, **({"archived_at": now} if archived else {})
        )
    model.history.bulk_history_create(
        contacts, update=True, default_user=by, default_change_reason=reason, default_date=now
    )


def _move_rules(merged_into: dict[int, int], *, now: Any, by: Any, reason: str, model: Any) -> None:
    """Rules versions follow the survivor, numbered after its own; one stays current."""
    rules = list(model.objects.filter(body_id__in=list(merged_into)).order_by("body_id", "version"))
    if not rules:
        return
    survivors = set(merged_into.values())
    top = dict(
        model.objects.filter(body_id__in=survivors)
        .values_list("body_id")
        .annotate(top=Max("version"))
        .order_by()
    )
    has_current = set(
        model.objects.filter(body_id__in=survivors, superseded_at__isnull=True).values_list(
            "body_id", flat=True
        )
    )
    # Newest first, so that the newest current one of a merged body is the one kept current.
    for rule in sorted(rules, key=lambda r: (r.issued_on, r.version), reverse=True):
        survivor = merged_into[rule.body_id]
        if rule.superseded_at is None:
            if survivor in has_current:
                rule.superseded_at = now
            else:
                has_current.add(survivor)
    # Take the rows out of the way of the (body, version) constraint, then renumber.
    model.objects.filter(pk__in=[r.pk for r in rules]).update(version=0, superseded_at=now)
    for rule in sorted(rules, key=lambda r: (r.issued_on, r.version)):
        survivor = merged_into[rule.body_id]
        top[survivor] = top.get(survivor, 0) + 1
        rule.body_id, rule.version = survivor, top[survivor]
    for rule in rules:
        # Few rows (one or two per merged body): one UPDATE each is fine here.
        model.objects.filter(pk=rule.pk).update(
            body_id=rule.body_id, version=rule.version, superseded_at=rule.superseded_at
        )
    model.history.bulk_history_create(
        rules, update=True, default_user=by, default_change_reason=reason, default_date=now
    )


def _move_roles(
    plan: Plan, merged_into: dict[int, int], *, by: Any, reason: str, model: Any
) -> None:
    from users.models import Role

    moves: list[Any] = []
    duplicates: list[Any] = []
    rows = list(_roles_to_move(plan).order_by("pk"))
    existing = set(
        model.objects.filter(
            Q(body_id__in=set(merged_into.values()))
            | Q(unit_id__in={s for s in plan.unit_successor.values() if s is not None})
        ).values_list("user_id", "role", "unit_id", "body_id")
    )
    for row in rows:
        if row.body_id is not None:
            row.body_id = merged_into[row.body_id]
        elif row.unit_id is not None and row.role in (Role.UNIT_OFFICER, Role.PROVINCE_OFFICER):
            row.unit_id = plan.unit_successor[row.unit_id]
        else:
            continue
        key = (row.user_id, row.role, row.unit_id, row.body_id)
        if key in existing:
            duplicates.append(row)
        else:
            existing.add(key)
            moves.append(row)
    for row in moves:
        model.objects.filter(pk=row.pk).update(unit_id=row.unit_id, body_id=row.body_id)
    model.history.bulk_history_create(
        moves, update=True, default_user=by, default_change_reason=reason
    )
    for row in duplicates:
        # The user already holds the same role on the successor: the old one goes (with
        # a history record of the deletion).
        model.objects.get(pk=row.pk).delete()


# --- The report -------------------------------------------------------------------------


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


def load(
    *,
    table_name: str = "conversion-2025-07",
    table_file: Path | None = None,
    edition_name: str = "",
) -> tuple[ConversionTable, Edition]:
    """The table and the edition to apply, by name (shipped) or from files."""
    spec = CONVERSION_TABLES.get(table_name)
    if table_file is None:
        if spec is None:
            raise ReorganisationError(
                f"Unknown table {table_name!r}; known: {', '.join(CONVERSION_TABLES)}."
            )
        table_file = spec.path
    table = read_table(table_file)
    if spec is not None and spec.edition_file is not None and not edition_name:
        return table, Edition(
            name=spec.edition,
            path=spec.edition_file,
            valid_from=table.effective_on,
            valid_until=None,
            levels=("province", "commune"),
            unit_type_from="division_type",
            reconcile=True,
        )
    return table, edition(edition_name or (spec.edition if spec else "two-tier-2026-09"))
