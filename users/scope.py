"""The one place that knows what a user may see and change.

Every view, API endpoint, export and task asks this module for its querysets; nothing
filters by hand. A user's grants are read once (one query) and cached on the user object
for the rest of the request.

- Staff of a body see and edit that body's records, and see the body's unit.
- An administrative unit officer (a commune's Phòng Văn hóa - Xã hội today, a district's office in
  the three-tier history) sees and reviews everything in the unit's subtree.
- A provincial department officer sees and reviews everything in the province.
- A system administrator (role or superuser) sees and changes everything.

Nothing that has ceased may act. A role assignment is *in force* on a day when its anchor
is: an officer's unit in force, a staff member's body not archived and its unit in force.
Assignments no longer in force still let their users see what they saw (the history of an
abolished district stays readable) but no longer let them edit, review, issue or answer
letters. The same rule picks who reviews a body's submissions: the nearest officers in force
at or above its unit (``reviewers_of``), whichever level that is.
"""

from __future__ import annotations

import enum
import operator
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from functools import reduce
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from units.models import AdministrativeUnit, Body
from users.models import Role, RoleAssignment, User

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")

OFFICER_ROLES = (Role.UNIT_OFFICER, Role.PROVINCE_OFFICER)


class Action(enum.Enum):
    VIEW = "view"
    EDIT = "edit"  # change a body's own registry records
    REVIEW = "review"  # review what bodies and units below have submitted


# --- In force on a day ------------------------------------------------------------------------

_ACTING_DAY: ContextVar[date | None] = ContextVar("portal_acting_day", default=None)


def acting_day() -> date:
    """The day on which acts are judged: today, unless recording the past (``acting_on``)."""
    return _ACTING_DAY.get() or timezone.localdate()


@contextmanager
def acting_on(day: date) -> Iterator[None]:
    """Record acts done on an earlier day (the demo's history): the units, bodies and role
    assignments in force on ``day`` may act, as they could then."""
    token = _ACTING_DAY.set(day)
    try:
        yield
    finally:
        _ACTING_DAY.reset(token)


def _prefixed(prefix: str, **lookups: Any) -> dict[str, Any]:
    return {f"{prefix}{name}": value for name, value in lookups.items()}


def unit_in_force_q(day: date, prefix: str = "") -> Q:
    """Units in force on ``day``; ``prefix`` is the lookup to the unit (``"unit__"``)."""
    return (
        Q(**_prefixed(prefix, valid_from__isnull=True))
        | Q(**_prefixed(prefix, valid_from__lte=day))
    ) & (
        Q(**_prefixed(prefix, valid_until__isnull=True))
        | Q(**_prefixed(prefix, valid_until__gte=day))
    )


def body_open_q(day: date, prefix: str = "") -> Q:
    """Bodies open on ``day``: not archived by then, and their unit in force."""
    return (
        Q(**_prefixed(prefix, archived_at__isnull=True))
        | Q(**_prefixed(prefix, archived_at__date__gt=day))
    ) & unit_in_force_q(day, f"{prefix}unit__")


def assignment_in_force_q(day: date, prefix: str = "") -> Q:
    """Role assignments in force on ``day`` (their anchor has not ceased)."""
    return (
        Q(**_prefixed(prefix, role=Role.SYSTEM_ADMIN))
        | (Q(**_prefixed(prefix, role__in=OFFICER_ROLES)) & unit_in_force_q(day, f"{prefix}unit__"))
        | (Q(**_prefixed(prefix, role=Role.BODY_STAFF)) & body_open_q(day, f"{prefix}body__"))
    )


def _dates_hold(valid_from: date | None, valid_until: date | None, day: date) -> bool:
    return (valid_from is None or valid_from <= day) and (valid_until is None or valid_until >= day)


def _not_archived(archived_at: datetime | None, day: date) -> bool:
    return archived_at is None or timezone.localdate(archived_at) > day


def unit_in_force(unit: AdministrativeUnit, day: date | None = None) -> bool:
    return _dates_hold(unit.valid_from, unit.valid_until, day or acting_day())


def body_open(body: Body, day: date | None = None) -> bool:
    """Whether ``body`` may act on ``day``: not archived then, and its unit in force."""
    day = day or acting_day()
    return _not_archived(body.archived_at, day) and unit_in_force(body.unit, day)


def assignment_in_force(assignment: RoleAssignment, day: date | None = None) -> bool:
    """Whether a role assignment still lets its user act on ``day`` (today by default)."""
    day = day or acting_day()
    if assignment.role == Role.SYSTEM_ADMIN:
        return True
    if assignment.role == Role.BODY_STAFF:
        return assignment.body is not None and body_open(assignment.body, day)
    return assignment.unit is not None and unit_in_force(assignment.unit, day)


# --- Grants -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grants:
    """What one user holds, read from their role assignments.

    ``subtree_paths``, ``body_ids`` and ``body_unit_ids`` come from every assignment and
    decide what the user may see; the ``acting_`` ones come from the assignments in force
    today and decide what the user may do (edit, review, issue, answer).
    """

    is_admin: bool
    subtree_paths: tuple[str, ...]  # officers: the roots of the subtrees they oversee
    body_ids: frozenset[int]  # staff: the bodies they work for
    body_unit_ids: frozenset[int]  # staff: the units of those bodies (visible, not below)
    roles: frozenset[str]
    acting_subtree_paths: tuple[str, ...] = ()
    acting_body_ids: frozenset[int] = frozenset()
    acting_body_unit_ids: frozenset[int] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (self.is_admin or self.subtree_paths or self.body_ids)

    @property
    def has_ceased_anchors(self) -> bool:
        """Some of the user's units or bodies have ceased: they may only look at their past."""
        return not self.is_admin and (
            set(self.subtree_paths) != set(self.acting_subtree_paths)
            or self.body_ids != self.acting_body_ids
        )


_CACHE_ATTR = "_portal_grants"


def grants_for(user: User) -> Grants:
    """Read (once per user object and acting day) the grants of a user."""
    today = acting_day()
    cached: tuple[date, Grants] | None = getattr(user, _CACHE_ATTR, None)
    if cached is not None and cached[0] == today:
        return cached[1]
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        grants = Grants(False, (), frozenset(), frozenset(), frozenset())
    else:
        assignments = RoleAssignment.objects.filter(user=user).values_list(
            "role",
            "unit__path",
            "body_id",
            "body__unit_id",
            "unit__valid_from",
            "unit__valid_until",
            "body__archived_at",
            "body__unit__valid_from",
            "body__unit__valid_until",
        )
        rows = [
            (
                role,
                path,
                body,
                unit,
                _not_archived(archived_at, today) and _dates_hold(b_from, b_until, today)
                if role == Role.BODY_STAFF
                else _dates_hold(u_from, u_until, today),
            )
            for role, path, body, unit, u_from, u_until, archived_at, b_from, b_until in assignments
        ]
        roles = frozenset(row[0] for row in rows)
        officer_rows = [row for row in rows if row[0] in OFFICER_ROLES and row[1]]
        staff_rows = [row for row in rows if row[0] == Role.BODY_STAFF and row[2]]
        # A unit that came into being on a date (a reorganisation's successor) carries the
        # history of the units it replaced: its officers may read their past (reports,
        # letters, registry), never act in it. One query, only for such units.
        history_paths = _predecessor_paths(
            [
                path
                for role, path, _body, _unit, unit_from, *_rest in assignments
                if role in OFFICER_ROLES and path and unit_from is not None
            ]
        )
        grants = Grants(
            is_admin=bool(user.is_superuser) or Role.SYSTEM_ADMIN in roles,
            subtree_paths=_outermost([*(row[1] for row in officer_rows), *history_paths]),
            body_ids=frozenset(row[2] for row in staff_rows),
            body_unit_ids=frozenset(row[3] for row in staff_rows if row[3]),
            roles=roles,
            acting_subtree_paths=_outermost(row[1] for row in officer_rows if row[4]),
            acting_body_ids=frozenset(row[2] for row in staff_rows if row[4]),
            acting_body_unit_ids=frozenset(row[3] for row in staff_rows if row[4] and row[3]),
        )
    setattr(user, _CACHE_ATTR, (today, grants))
    return grants


def _predecessor_paths(paths: list[str]) -> list[str]:
    """The paths of the units that the units at ``paths`` succeeded (merged whole into them,
    or contributed part of a split commune), read in one query."""
    if not paths:
        return []
    return list(
        AdministrativeUnit.objects.filter(
            Q(succeeded_by__path__in=paths) | Q(reorganisations_closed__successor__path__in=paths)
        )
        .values_list("path", flat=True)
        .distinct()
    )


def _outermost(paths: Iterable[str]) -> tuple[str, ...]:
    """Keep only paths that are not inside another one, so the SQL stays short."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(outer) for outer in kept):
            kept.append(path)
    return tuple(kept)


def _or(conditions: list[Q]) -> Q | None:
    return reduce(operator.or_, conditions) if conditions else None


def restrict(
    user: User,
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
    # Seeing follows every assignment; acting (review, edit) only those still in force.
    paths = grants.subtree_paths if action is Action.VIEW else grants.acting_subtree_paths
    body_ids = grants.body_ids if action is Action.VIEW else grants.acting_body_ids
    conditions: list[Q] = []
    if action in (Action.VIEW, Action.REVIEW):
        conditions += [Q(**{f"{unit_path}__startswith": path}) for path in paths]
    if body is not None and action in (Action.VIEW, Action.EDIT) and body_ids:
        conditions.append(Q(**{f"{body}__in": sorted(body_ids)}))
    condition = _or(conditions)
    return queryset.filter(condition) if condition is not None else queryset.none()


def own_units_q(user: User, prefix: str = "") -> Q:
    """The units a user acts *for* (not over): an officer's own unit, a staff member's body's
    unit, while in force. Their own reports are the ones they fill in and submit; the units
    they only look back on (a dissolved district, a predecessor) are not among them."""
    grants = grants_for(user)
    conditions = [Q(**{f"{prefix}path__in": list(grants.acting_subtree_paths)})]
    if grants.acting_body_unit_ids:
        conditions.append(Q(**{f"{prefix}pk__in": sorted(grants.acting_body_unit_ids)}))
    return reduce(operator.or_, conditions)


def units(user: User, action: Action = Action.VIEW) -> QuerySet[AdministrativeUnit]:
    """The units a user may see (or review): their subtrees, and the units of their bodies."""
    queryset = restrict(user, AdministrativeUnit.objects.all(), unit_path="path", action=action)
    grants = grants_for(user)
    if action is Action.VIEW and grants.body_unit_ids and not grants.is_admin:
        queryset = queryset | AdministrativeUnit.objects.filter(pk__in=sorted(grants.body_unit_ids))
    return queryset.select_related("level")


def bodies(user: User, action: Action = Action.VIEW) -> QuerySet[Body]:
    """The bodies a user may see, edit or review."""
    return restrict(
        user, Body.objects.all(), unit_path="unit__path", body="pk", action=action
    ).select_related("unit", "unit__level")


def get_unit_or_404(
    user: User, pk: int | str | None, action: Action = Action.VIEW
) -> AdministrativeUnit:
    """The unit ``pk`` if ``user`` may reach it (for ``action``), else 404: ``pk`` comes from
    the request as it is (None, text that is not a number)."""
    if pk is None:
        raise Http404
    try:
        return units(user, action).get(pk=pk)
    except (AdministrativeUnit.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_body_or_404(user: User, pk: int | str | None, action: Action = Action.VIEW) -> Body:
    """The body ``pk`` if ``user`` may reach it (for ``action``), else 404 (as for units)."""
    if pk is None:
        raise Http404
    try:
        return bodies(user, action).get(pk=pk)
    except (Body.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def can(user: User, action: Action, obj: AdministrativeUnit | Body) -> bool:
    """Whether ``user`` may perform ``action`` on a unit or body (one query at most)."""
    if isinstance(obj, AdministrativeUnit):
        return units(user, action).filter(pk=obj.pk).exists()
    return bodies(user, action).filter(pk=obj.pk).exists()


def issuing_bodies(user: User) -> QuerySet[Body]:
    """The bodies a user may issue letters (directives) for.

    Staff issue for the bodies they work for; an officer issues for the bodies of the unit
    they are anchored on (the district's People's Committee, say), not for the units below
    it: a district officer never signs for a commune. Only assignments in force count, and
    only bodies open today: a unit that has ceased issues nothing. (An administrator may
    still record an old letter of a closed body; the services check its date.)
    """
    grants = grants_for(user)
    queryset = Body.objects.filter(archived_at__isnull=True).select_related("unit", "unit__level")
    if grants.is_admin:
        return queryset
    queryset = queryset.filter(body_open_q(acting_day()))
    conditions: list[Q] = []
    if grants.acting_subtree_paths:
        conditions.append(Q(unit__path__in=list(grants.acting_subtree_paths)))
    if grants.acting_body_ids:
        conditions.append(Q(pk__in=sorted(grants.acting_body_ids)))
    condition = _or(conditions)
    return queryset.filter(condition) if condition is not None else queryset.none()


def may_issue_for(user: User, body: Body) -> bool:
    """Whether ``user`` may issue letters for ``body``: the rule of ``issuing_bodies`` on a
    body already loaded with its unit, without a query (the directives' workflow asks it on
    the locked letter's issuer)."""
    if body.archived_at is not None:
        return False
    grants = grants_for(user)
    if grants.is_admin:
        return True
    if not body_open(body, acting_day()):
        return False
    return body.unit.path in grants.acting_subtree_paths or body.pk in grants.acting_body_ids


def addressed_to(
    user: User, queryset: QuerySet[M], *, unit: str = "unit", body: str = "body"
) -> QuerySet[M]:
    """Restrict things addressed to a unit or to one body to those the user answers for.

    ``unit`` and ``body`` name the lookups to the addressee (the unit is always set; the body
    only when one body is addressed). An officer answers for what is addressed to the unit
    they are anchored on or to a body of it; staff answer for what is addressed to their
    body, or to their body's unit as a whole. Only assignments in force count: whoever is
    anchored on a unit or body that has ceased receives nothing any more.
    """
    grants = grants_for(user)
    if grants.is_admin:
        return queryset
    conditions: list[Q] = []
    if grants.acting_subtree_paths:
        conditions.append(Q(**{f"{unit}__path__in": list(grants.acting_subtree_paths)}))
    if grants.acting_body_ids:
        conditions.append(Q(**{f"{body}__in": sorted(grants.acting_body_ids)}))
        conditions.append(
            Q(**{f"{body}__isnull": True, f"{unit}__in": sorted(grants.acting_body_unit_ids)})
        )
    condition = _or(conditions)
    return queryset.filter(condition) if condition is not None else queryset.none()


# --- Reviewers: the nearest officers above, whichever level --------------------------------------


def _prefixes(path: str) -> list[str]:
    """The paths of a unit and of each of its ancestors: "1.", "1.7.", "1.7.42."."""
    steps = [step for step in path.split(".") if step]
    return [".".join(steps[: i + 1]) + "." for i in range(len(steps))]


def officers_above_q(paths: Iterable[str], day: date, prefix: str = "") -> Q:
    """Officer assignments in force on ``day`` anchored at or above any of ``paths``.

    For RoleAssignment querysets (``prefix`` leads to the assignment); pick the nearest
    ones from the result with ``nearest``.
    """
    every = sorted({above for path in paths for above in _prefixes(path)})
    return Q(**_prefixed(prefix, role__in=OFFICER_ROLES, unit__path__in=every)) & unit_in_force_q(
        day, f"{prefix}unit__"
    )


def nearest(path: str, anchored: Iterable[tuple[str, T]]) -> list[T]:
    """Of ``(anchor path, item)`` pairs, the items anchored on the deepest unit at or above
    ``path``: the officers of the level just above a body, whichever that level is."""
    found: list[T] = []
    best = -1
    for anchor, item in anchored:
        if not path.startswith(anchor):
            continue
        depth = anchor.count(".")
        if depth > best:
            best, found = depth, [item]
        elif depth == best:
            found.append(item)
    return found


def reviewers_of(
    units: Iterable[AdministrativeUnit], *, day: date | None = None
) -> dict[int, list[User]]:
    """For each unit, the active users who review what its bodies submit, in one query.

    They are the officers in force on ``day`` anchored on the nearest unit at or above it
    that has any: the commune's own culture and society office (Phòng Văn hóa - Xã hội) for
    a two-tier commune that has one, the district's office in three-tier history, else the
    province's department.
    """
    units = list(units)
    if not units:
        return {}
    day = day or acting_day()
    assignments = list(
        RoleAssignment.objects.filter(
            officers_above_q([unit.path for unit in units], day), user__is_active=True
        )
        .select_related("user", "unit")
        .order_by("user_id")
    )
    anchored = [(a.unit.path, a.user) for a in assignments if a.unit is not None]
    found: dict[int, list[User]] = defaultdict(list)
    for unit in units:
        people = {user.pk: user for user in nearest(unit.path, anchored)}
        found[unit.pk] = [people[pk] for pk in sorted(people)]
    return dict(found)
