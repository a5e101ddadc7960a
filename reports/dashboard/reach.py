"""Where the dashboard looks: a unit's subtree, a unit alone, or a user's whole scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

from units.models import AdministrativeUnit
from users import scope

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Reach:
    """The part of the hierarchy shown: a unit's subtree, a unit alone, or the whole scope."""

    user: Any
    unit: AdministrativeUnit | None  # None: everything in the user's scope
    subtree: bool  # False: the unit alone (staff of one of its bodies)

    def within(self, queryset: QuerySet[M], path: str) -> QuerySet[M]:
        """Restrict ``queryset`` to the reach; ``path`` is the lookup to the unit's path."""
        if self.unit is None:
            return scope.restrict(self.user, queryset, unit_path=path)
        if self.subtree:
            return queryset.filter(**{f"{path}__startswith": self.unit.path})
        return queryset.filter(**{path: self.unit.path})

    def children(self, queryset: QuerySet[M], prefix: str = "") -> QuerySet[M]:
        """Restrict ``queryset`` to the units directly below (``prefix``: lookup to the unit)."""
        if self.unit is None:
            grants = scope.grants_for(self.user)
            if grants.is_admin:
                return queryset.filter(**{f"{prefix}parent__isnull": True})
            return queryset.filter(**{f"{prefix}path__in": list(grants.subtree_paths)})
        if self.subtree:
            return queryset.filter(**{f"{prefix}parent": self.unit})
        return queryset.none()


def default_unit(user: Any) -> AdministrativeUnit | None:
    """The unit a user lands on: their one anchor, their body's unit, or None (all scope)."""
    grants = scope.grants_for(user)
    if grants.is_admin or len(grants.subtree_paths) > 1:
        return None
    units = scope.units(user).order_by("depth", "path")
    if grants.subtree_paths:
        unit = units.filter(path=grants.subtree_paths[0]).first()
    else:
        unit = units.filter(pk__in=sorted(grants.body_unit_ids)).first()
    if unit is None:
        raise Http404
    return unit


def reach_of(user: Any, unit: AdministrativeUnit | None) -> Reach:
    """The reach of ``unit`` for ``user``, or 404 if the unit is outside their scope.

    Read from the grants (already loaded), so it costs no query; views fetch the unit
    through ``scope.get_unit_or_404`` before, this guards direct callers.
    """
    grants = scope.grants_for(user)
    if unit is None:
        if grants.is_admin or grants.subtree_paths:
            return Reach(user, None, True)
        raise Http404
    if grants.is_admin or any(unit.path.startswith(path) for path in grants.subtree_paths):
        return Reach(user, unit, True)
    if unit.pk in grants.body_unit_ids:
        return Reach(user, unit, False)
    raise Http404
