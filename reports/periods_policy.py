"""Which kinds of period each province requires, read set-based.

A province's choice is a row per kind in ``PeriodRequirement``; a kind without a row follows
``DEFAULT_REQUIRED_KINDS`` (quarterly, six-monthly, yearly: what the letters ask for). A
unit's province is the first step of its materialized path, so "the units whose province
requires this kind" is one condition on the path, never a query per unit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Left
from django.db.models.lookups import In
from django.utils.translation import gettext as _

from reports.models import (
    DEFAULT_REQUIRED_KINDS,
    DeadlineRule,
    PeriodKind,
    PeriodRequirement,
    ProvinceDeadlineRule,
)
from units.models import PATH_STEP_WIDTH, AdministrativeUnit, UnitLevel, path_step

# The length of a province's own path, which begins the path of every unit under it.
ROOT_LENGTH = PATH_STEP_WIDTH + 1


def province_id_of(path: str) -> int:
    """The province of a unit, read from its path (no query)."""
    return int(path[:PATH_STEP_WIDTH])


def required_kinds(province_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """For each province, the kinds of period it requires (one query)."""
    ids = sorted(set(province_ids))
    chosen: dict[int, dict[str, bool]] = defaultdict(dict)
    for province_id, kind, required in PeriodRequirement.objects.filter(
        province_id__in=ids
    ).values_list("province_id", "kind", "required"):
        chosen[province_id][kind] = required
    return {
        pk: frozenset(
            kind
            for kind in PeriodKind.values
            if chosen[pk].get(kind, kind in DEFAULT_REQUIRED_KINDS)
        )
        for pk in ids
    }


def kinds_required_on(day: date) -> list[str]:
    """The kinds some province in force on ``day`` requires, in the order of ``PeriodKind``
    (two queries); the defaults while the registry holds no province yet."""
    provinces = list(
        AdministrativeUnit.objects.in_force_on(day)
        .filter(parent__isnull=True)
        .values_list("pk", flat=True)
    )
    if not provinces:
        return list(DEFAULT_REQUIRED_KINDS)
    wanted = set().union(*required_kinds(provinces).values())
    return [kind for kind in PeriodKind.values if kind in wanted]


def requiring(kind: str, *, path: str = "path") -> Q:
    """A condition keeping what lies in a province that requires ``kind``.

    ``path`` is the lookup to the unit's path (``"unit__path"`` for reports). One query
    reads the provinces that chose differently from the default; the condition compares
    the first step of the path with theirs.
    """
    by_default = kind in DEFAULT_REQUIRED_KINDS
    differ = sorted(
        path_step(pk)
        for pk in PeriodRequirement.objects.filter(kind=kind, required=not by_default).values_list(
            "province_id", flat=True
        )
    )
    if not differ:
        # Nobody chose otherwise: everything (a default kind) or nothing (monthly).
        return Q() if by_default else Q(pk__in=[])
    condition = Q(In(Left(path, ROOT_LENGTH), differ))
    return ~condition if by_default else condition


# --- One province's calendar, for its page ------------------------------------------------


def levels_in(province: AdministrativeUnit, day: date) -> list[UnitLevel]:
    """The levels with a unit in force on ``day`` in the province, top first (one query)."""
    units = AdministrativeUnit.objects.in_force_on(day).filter(
        path__startswith=province.path, level_id=OuterRef("pk")
    )
    return list(UnitLevel.objects.filter(Exists(units)).order_by("rank"))


@dataclass(frozen=True)
class Policy:
    """What a province requires: the kinds, and the days after the end per kind and level."""

    province: AdministrativeUnit
    levels: list[UnitLevel]  # the levels of the province today, top first
    required: frozenset[str]
    days: dict[tuple[str, int], int]  # (kind, level id); the national rule where not chosen
    chosen: bool  # False: the province follows the defaults


def policy_of(province: AdministrativeUnit, day: date) -> Policy:
    """The province's calendar as its page shows it (four queries)."""
    levels = levels_in(province, day)
    level_ids = [level.pk for level in levels]
    days = {
        (kind, level_id): value
        for kind, level_id, value in DeadlineRule.objects.filter(
            level_id__in=level_ids
        ).values_list("kind", "level_id", "days_after_end")
    }
    own = ProvinceDeadlineRule.objects.filter(province=province, level_id__in=level_ids)
    days.update(
        {
            (kind, level_id): value
            for kind, level_id, value in own.values_list("kind", "level_id", "days_after_end")
        }
    )
    chosen = PeriodRequirement.objects.filter(province=province).exists()
    return Policy(
        province=province,
        levels=levels,
        required=required_kinds([province.pk])[province.pk],
        days=days,
        chosen=chosen,
    )


@dataclass(frozen=True)
class PolicyChange:
    """One line of a calendar's history: who changed what, when."""

    at: datetime
    by: Any  # the user, or None (a command, a migration)
    text: str


def policy_history(province: AdministrativeUnit, limit: int = 30) -> list[PolicyChange]:
    """The latest changes to the province's calendar, newest first (two queries).

    Each saved row is one change; the value before is read from the row's previous record
    in the same window (a change older than the window shows its new value only).
    """
    kinds = dict(PeriodKind.choices)
    requirements = list(
        PeriodRequirement.history.filter(province_id=province.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )
    rules = list(
        ProvinceDeadlineRule.history.filter(province_id=province.pk)
        .select_related("history_user", "level")
        .order_by("-history_date", "-history_id")[:limit]
    )
    changes: list[tuple[datetime, int, PolicyChange]] = []
    previous: dict[Any, Any] = {}
    for record in reversed(requirements):
        before = previous.get(record.kind)
        previous[record.kind] = record.required
        now = _("required") if record.required else _("not required")
        text = f"{kinds[record.kind]}: {now}"
        if before is not None:
            text = f"{kinds[record.kind]}: {_('required') if before else _('not required')} → {now}"
        changes.append(
            (record.history_date, 0, PolicyChange(record.history_date, record.history_user, text))
        )
    for record in reversed(rules):
        key = (record.kind, record.level_id)
        before = previous.get(key)
        previous[key] = record.days_after_end
        value = _("%(days)s days after the end") % {"days": record.days_after_end}
        if before is not None:
            value = _("%(before)s → %(days)s days after the end") % {
                "before": before,
                "days": record.days_after_end,
            }
        text = f"{kinds[record.kind]}, {record.level.label}: {value}"
        changes.append(
            (record.history_date, 1, PolicyChange(record.history_date, record.history_user, text))
        )
    changes.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [change for _at, _order, change in changes[:limit]]
