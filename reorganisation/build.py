"""``build_plan``: what happens to every old unit and live body, decided without writing."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

from reorganisation.bodies import _plan_bodies
from reorganisation.decisions import ARCHIVE, Decisions
from reorganisation.plan import (
    Plan,
    _load_world,
    _province_of,
    _roles_to_move,
    _where,
    _World,
)
from reorganisation.table import ConversionTable, TableEntry


def build_plan(*, table: ConversionTable, decisions: Decisions | None = None) -> Plan:
    """Decide what happens to every old unit and to every live body on one (no writes).

    The two-tier units must already be in the database (``run`` imports the edition first,
    inside its transaction, for a dry run as for applying).
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
