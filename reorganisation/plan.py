"""The plan (what applying a table would do) and the units it works on, loaded once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Q

from reorganisation.decisions import MERGE
from units.importers import ImportResult
from units.models import AdministrativeUnit, UnitLevel


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
