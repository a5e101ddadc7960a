"""What the plan does with each live body: move, merge into one survivor, archive, rename."""

from __future__ import annotations

import re
from collections import defaultdict

from django.db.models import Count

from reorganisation.decisions import ARCHIVE, MERGE, MOVE, BodyDecision, Decisions
from reorganisation.plan import BodyPlan, Plan, _province_of, _World
from units.models import AdministrativeUnit, Body, BodyKind
from units.reconcile import name_key

# One per unit: when units merge, these merge too.
ONE_PER_UNIT = (BodyKind.PEOPLES_COMMITTEE, BodyKind.PEOPLES_COUNCIL)
# Bodies of a district that live on after it: they serve the area, not the district's
# government, and the province takes them over.
DISTRICT_BODIES_TO_PROVINCE = (
    BodyKind.PUBLIC_SERVICE_UNIT,
    BodyKind.PRESS_AGENCY,
    BodyKind.STATE_ENTERPRISE,
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
