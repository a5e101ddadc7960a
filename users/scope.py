"""The one place that knows what a user may see and change.

Every view, API endpoint, export and task asks this module for its querysets; nothing
filters by hand. A user's grants are read once (one query) and cached on the user object
for the rest of the request.

- Staff of a body see and edit that body's records, and see the body's unit.
- A culture office officer of a unit sees and reviews everything in the unit's subtree.
- A provincial department officer sees and reviews everything in the province.
- A system administrator (role or superuser) sees and changes everything.
"""

from __future__ import annotations

import enum
import operator
from dataclasses import dataclass
from functools import reduce
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from units.models import AdministrativeUnit, Body
from users.models import Role, RoleAssignment

M = TypeVar("M", bound=models.Model)


class Action(enum.Enum):
    VIEW = "view"
    EDIT = "edit"  # change a body's own registry records
    REVIEW = "review"  # review what bodies and units below have submitted


@dataclass(frozen=True)
class Grants:
    """What one user holds, read from their role assignments."""

    is_admin: bool
    subtree_paths: tuple[str, ...]  # officers: the roots of the subtrees they oversee
    body_ids: frozenset[int]  # staff: the bodies they work for
    body_unit_ids: frozenset[int]  # staff: the units of those bodies (visible, not below)
    roles: frozenset[str]

    @property
    def is_empty(self) -> bool:
        return not (self.is_admin or self.subtree_paths or self.body_ids)


_CACHE_ATTR = "_portal_grants"


def grants_for(user: Any) -> Grants:
    """Read (once per user object) the grants of a user."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        grants = Grants(False, (), frozenset(), frozenset(), frozenset())
    else:
        rows = list(
            RoleAssignment.objects.filter(user=user).values_list(
                "role", "unit__path", "body_id", "body__unit_id"
            )
        )
        roles = frozenset(role for role, *_ in rows)
        grants = Grants(
            is_admin=bool(user.is_superuser) or Role.SYSTEM_ADMIN in roles,
            subtree_paths=_outermost(
                path
                for role, path, _body, _unit in rows
                if role in (Role.UNIT_OFFICER, Role.PROVINCE_OFFICER) and path
            ),
            body_ids=frozenset(body for role, _p, body, _u in rows if role == Role.BODY_STAFF),
            body_unit_ids=frozenset(u for role, _p, _b, u in rows if role == Role.BODY_STAFF and u),
            roles=roles,
        )
    setattr(user, _CACHE_ATTR, grants)
    return grants


def forget(user: Any) -> None:
    """Drop the cached grants, after the user's roles changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _outermost(paths: Any) -> tuple[str, ...]:
    """Keep only paths that are not inside another one, so the SQL stays short."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(outer) for outer in kept):
            kept.append(path)
    return tuple(kept)


def _or(conditions: list[Q]) -> Q | None:
    return reduce(operator.or_, conditions) if conditions else None


def restrict(
    user: Any,
    queryset: QuerySet[M],
    *,
    unit_path: str,
    body: str | None = None,
    action: Action = Action.VIEW,
) -> QuerySet[M]:
    """Restrict any queryset to what ``user`` may reach.

    ``unit_path`` names the lookup from the model to the path of its administrative unit
    (``"path"`` for units, ``"unit__path"`` for bodies, ``"body__unit__path"`` for a body's
    records); ``body`` names the lookup to the owning body, if the model has one.
    """
    grants = grants_for(user)
    if grants.is_admin:
        return queryset
    conditions: list[Q] = []
    if action in (Action.VIEW, Action.REVIEW):
        conditions += [Q(**{f"{unit_path}__startswith": path}) for path in grants.subtree_paths]
    if body is not None and action in (Action.VIEW, Action.EDIT) and grants.body_ids:
        conditions.append(Q(**{f"{body}__in": sorted(grants.body_ids)}))
    condition = _or(conditions)
    return queryset.filter(condition) if condition is not None else queryset.none()


def units(user: Any, action: Action = Action.VIEW) -> QuerySet[AdministrativeUnit]:
    """The units a user may see (or review): their subtrees, and the units of their bodies."""
    queryset = restrict(user, AdministrativeUnit.objects.all(), unit_path="path", action=action)
    grants = grants_for(user)
    if action is Action.VIEW and grants.body_unit_ids and not grants.is_admin:
        queryset = queryset | AdministrativeUnit.objects.filter(pk__in=sorted(grants.body_unit_ids))
    return queryset.select_related("level")


def bodies(user: Any, action: Action = Action.VIEW) -> QuerySet[Body]:
    """The bodies a user may see, edit or review."""
    return restrict(
        user, Body.objects.all(), unit_path="unit__path", body="pk", action=action
    ).select_related("unit", "unit__level")


def get_unit_or_404(user: Any, pk: Any, action: Action = Action.VIEW) -> AdministrativeUnit:
    try:
        return units(user, action).get(pk=pk)
    except (AdministrativeUnit.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_body_or_404(user: Any, pk: Any, action: Action = Action.VIEW) -> Body:
    try:
        return bodies(user, action).get(pk=pk)
    except (Body.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def can(user: Any, action: Action, obj: AdministrativeUnit | Body) -> bool:
    """Whether ``user`` may perform ``action`` on a unit or body (one query at most)."""
    if isinstance(obj, AdministrativeUnit):
        return units(user, action).filter(pk=obj.pk).exists()
    return bodies(user, action).filter(pk=obj.pk).exists()


def issuing_bodies(user: Any) -> QuerySet[Body]:
    """The bodies a user may issue letters (directives) for.

    Staff issue for the bodies they work for; an officer issues for the bodies of the unit
    they are anchored on (the district's People's Committee, say), not for the units below
    it: a district officer never signs for a commune.
    """
    grants = grants_for(user)
    queryset = Body.objects.filter(archived_at__isnull=True).select_related("unit", "unit__level")
    if grants.is_admin:
        return queryset
    conditions: list[Q] = []
    if grants.subtree_paths:
        conditions.append(Q(unit__path__in=list(grants.subtree_paths)))
    if grants.body_ids:
        conditions.append(Q(pk__in=sorted(grants.body_ids)))
    condition = _or(conditions)
    return queryset.filter(condition) if condition is not None else queryset.none()


def addressed_to(
    user: Any, queryset: QuerySet[M], *, unit: str = "unit", body: str = "body"
) -> QuerySet[M]:
    """Restrict things addressed to a unit or to one body to those the user answers for.

    ``unit`` and ``body`` name the lookups to the addressee (the unit is always set; the body
    only when one body is addressed). An officer answers for what is addressed to the unit
    they are anchored on or to a body of it; staff answer for what is addressed to their
    body, or to their body's unit as a whole.
    """
    grants = grants_for(user)
    if grants.is_admin:
        return queryset
    conditions: list[Q] = []
    if grants.subtree_paths:
        conditions.append(Q(**{f"{unit}__path__in": list(grants.subtree_paths)}))
    if grants.body_ids:
        conditions.append(Q(**{f"{body}__in": sorted(grants.body_ids)}))
        conditions.append(
            Q(**{f"{body}__isnull": True, f"{unit}__in": sorted(grants.body_unit_ids)})
        )
    condition = _or(conditions)
    return queryset.filter(condition) if condition is not None else queryset.none()
