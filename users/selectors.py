"""Reads of units and bodies as a user sees them, for pages and the API, always through the
scoping module (``users.scope``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django.db.models import Count, F, Func, IntegerField, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from portal.search import search_words
from units.models import AdministrativeUnit, Body, UnitLevel
from users import scope
from users.models import Role, RoleAssignment, User

M = TypeVar("M", AdministrativeUnit, Body)


@dataclass(frozen=True)
class LevelCount:
    level: UnitLevel
    count: int


def unit_counts_by_level(user: User, *, in_force_on: date | None = None) -> list[LevelCount]:
    """How many units of each level the user can see, in one aggregate query."""
    units = scope.units(user)
    if in_force_on is not None:
        units = units.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=in_force_on),
            Q(valid_until__isnull=True) | Q(valid_until__gte=in_force_on),
        )
    rows = dict(
        units.order_by().values_list("level").annotate(n=Count("id")).values_list("level", "n")
    )
    return [
        LevelCount(level, rows[level.pk]) for level in UnitLevel.objects.all() if level.pk in rows
    ]


def body_count(user: User) -> int:
    return scope.bodies(user).filter(archived_at__isnull=True).count()


def role_assignments(user: User) -> QuerySet[RoleAssignment]:
    return (
        RoleAssignment.objects.filter(user=user)
        .select_related("unit", "unit__level", "body", "body__unit")
        .order_by("role", "pk")
    )


def _count(queryset: QuerySet[Any]) -> Subquery:
    """A scalar subquery counting the rows of ``queryset`` (no GROUP BY needed)."""
    return Subquery(
        queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"),
        output_field=IntegerField(),
    )


def overseen_units(user: User) -> QuerySet[AdministrativeUnit]:
    """The units an officer is anchored on, each with the size of its subtree, in one query."""
    anchor_ids = RoleAssignment.objects.filter(
        user=user, role__in=[Role.UNIT_OFFICER, Role.PROVINCE_OFFICER]
    ).values("unit_id")
    return (
        scope.units(user)
        .filter(pk__in=anchor_ids)
        .annotate(
            child_count=Coalesce(
                _count(AdministrativeUnit.objects.filter(parent=OuterRef("pk"))), 0
            ),
            subtree_body_count=Coalesce(
                _count(
                    Body.objects.filter(
                        unit__path__startswith=OuterRef("path"), archived_at__isnull=True
                    )
                ),
                0,
            ),
        )
        .order_by("path")
    )


def staff_bodies(user: User) -> QuerySet[Body]:
    """The bodies a user works for as staff (their own bodies, not those they oversee)."""
    grants = scope.grants_for(user)
    return (
        scope.bodies(user)
        .filter(pk__in=sorted(grants.body_ids))
        .select_related("supervising_body")
        .order_by("name")
    )


def _matching(queryset: QuerySet[M], query: str) -> QuerySet[M]:
    """Keep rows whose folded name contains every word of ``query``, in any order.

    Word by word, so that "ubnd cam ngoc" finds "UBND Xã Cẩm Ngọc".
    """
    for word in search_words(query):
        queryset = queryset.filter(search_name__contains=word)
    return queryset


def search_units(
    user: User, *, query: str = "", level: str = "", parent: AdministrativeUnit | None = None
) -> QuerySet[AdministrativeUnit]:
    """Units in scope whose name matches ``query`` whatever its case and diacritics."""
    units = _matching(scope.units(user).select_related("parent"), query)
    if level:
        units = units.filter(level__code=level)
    if parent is not None:
        units = units.filter(parent=parent)
    return units.order_by("path")


def search_bodies(
    user: User,
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
    bodies = _matching(bodies, query)
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


def visible_unit_ids(user: User, ids: Iterable[int | None]) -> frozenset[int]:
    """Which of ``ids`` the user may open: the others are shown as plain text, not links."""
    wanted = sorted({pk for pk in ids if pk is not None})
    if not wanted:
        return frozenset()
    return frozenset(scope.units(user).filter(pk__in=wanted).values_list("pk", flat=True))


def visible_body_ids(user: User, ids: Iterable[int | None]) -> frozenset[int]:
    """Which of ``ids`` (bodies) the user may open."""
    wanted = sorted({pk for pk in ids if pk is not None})
    if not wanted:
        return frozenset()
    return frozenset(scope.bodies(user).filter(pk__in=wanted).values_list("pk", flat=True))


def predecessors(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The units that were merged into (or renamed to) this one."""
    return list(unit.predecessors.select_related("level").order_by("name"))


def pks(objects: Iterable[Model]) -> list[int]:
    return [obj.pk for obj in objects]
