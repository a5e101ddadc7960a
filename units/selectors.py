"""Reads of units and bodies for pages and the API, always through the scoping module."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from portal.text import fold
from units.models import AdministrativeUnit, Body, UnitLevel
from users import scope
from users.models import RoleAssignment


@dataclass(frozen=True)
class LevelCount:
    level: UnitLevel
    count: int


def unit_counts_by_level(user: Any) -> list[LevelCount]:
    """How many units of each level the user can see, in one aggregate query."""
    rows = dict(
        scope.units(user)
        .order_by()
        .values_list("level")
        .annotate(n=Count("id"))
        .values_list("level", "n")
    )
    return [
        LevelCount(level, rows[level.pk]) for level in UnitLevel.objects.all() if level.pk in rows
    ]


def body_count(user: Any) -> int:
    return scope.bodies(user).filter(archived_at__isnull=True).count()


def role_assignments(user: Any) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(user=user).select_related(
        "unit", "unit__level", "body", "body__unit"
    )


def search_units(
    user: Any, *, query: str = "", level: str = "", parent: AdministrativeUnit | None = None
) -> QuerySet[AdministrativeUnit]:
    """Units in scope whose name matches ``query`` whatever its case and diacritics."""
    units = scope.units(user).select_related("parent")
    if query.strip():
        units = units.filter(search_name__contains=fold(query))
    if level:
        units = units.filter(level__code=level)
    if parent is not None:
        units = units.filter(parent=parent)
    return units.order_by("path")


def search_bodies(
    user: Any,
    *,
    query: str = "",
    kind: str = "",
    unit: AdministrativeUnit | None = None,
    include_archived: bool = False,
) -> QuerySet[Body]:
    """Bodies in scope whose name matches ``query`` whatever its case and diacritics."""
    bodies = scope.bodies(user)
    if not include_archived:
        bodies = bodies.filter(archived_at__isnull=True)
    if query.strip():
        bodies = bodies.filter(search_name__contains=fold(query))
    if kind:
        bodies = bodies.filter(kind=kind)
    if unit is not None:
        bodies = bodies.filter(unit=unit)
    return bodies.order_by("unit__path", "name")


def ancestors(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The unit's ancestors, top first, read in one query from its path."""
    ids = unit.ancestor_ids()
    by_id = AdministrativeUnit.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]
