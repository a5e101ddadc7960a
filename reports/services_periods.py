"""Writes of a province's reporting calendar: which kinds of period it requires, and when.

``period_policy_set`` is the one entry point (the calendar page calls it). Only what
changed is saved, each row with its author in its history, so the history reads as the
list of decisions. The province's due dates of the periods not yet ended follow the new
rules at once; periods already ended keep theirs (their lateness has been judged).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.history import record_by
from reports.models import (
    MAX_DAYS_AFTER_END,
    PeriodKind,
    PeriodRequirement,
    ProvinceDeadlineRule,
    ProvincePeriodDeadline,
    ReportingPeriod,
)
from reports.periods import ensure_periods
from units.models import AdministrativeUnit, UnitLevel
from users import scope
from users.models import User
from users.scope import Action


def can_set_policy(user: Any, province: AdministrativeUnit) -> bool:
    """Whether ``user`` may choose the province's calendar: those who review the province
    itself, i.e. its own officers and administrators (one query)."""
    return province.parent_id is None and scope.can(user, Action.REVIEW, province)


def _check(days: Mapping[tuple[str, int], int], levels: list[UnitLevel]) -> None:
    errors: dict[str, list[Any]] = {}
    for (kind, level_id), value in days.items():
        if not 0 <= value <= MAX_DAYS_AFTER_END:
            errors.setdefault(f"days_{kind}_{level_id}", []).append(
                _("Between 0 and %(max)s days.") % {"max": MAX_DAYS_AFTER_END}
            )
    # Each level reviews the one below before reporting up: a lower level is due first.
    for kind in PeriodKind.values:
        ordered = [level for level in levels if (kind, level.pk) in days]  # top first
        for upper, lower in pairwise(ordered):
            if days[(kind, lower.pk)] > days[(kind, upper.pk)]:
                errors.setdefault(f"days_{kind}_{lower.pk}", []).append(
                    _("Due after %(upper)s: the level above would have no time to review it.")
                    % {"upper": upper.label.lower()}
                )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def period_policy_set(
    *,
    province: AdministrativeUnit,
    by: User,
    required: Collection[str],
    days: Mapping[tuple[str, int], int],
    today: date | None = None,
) -> int:
    """Set which kinds of period ``province`` requires and its deadline per kind and level.

    ``days`` maps (kind, level id) to days after the end of the period. Returns how many
    choices changed (0: nothing was saved).
    """
    if not can_set_policy(by, province):
        raise PermissionDenied
    today = today or timezone.localdate()
    required = set(required)
    unknown = required - set(PeriodKind.values)
    if unknown:
        raise ValidationError(_("Unknown kind of period."))
    if not required:
        raise ValidationError(_("Choose at least one kind of period."))
    levels = list(UnitLevel.objects.filter(pk__in={level for _k, level in days}).order_by("rank"))
    _check(days, levels)

    # Serialise two officers saving at once: the province's row is the lock.
    AdministrativeUnit.objects.select_for_update().filter(pk=province.pk).first()
    changed = 0
    have = {row.kind: row for row in PeriodRequirement.objects.filter(province=province)}
    for kind in PeriodKind.values:
        row = have.get(kind) or PeriodRequirement(province=province, kind=kind)
        if row.pk is not None and row.required == (kind in required):
            continue
        row.required = kind in required
        record_by(row, by)
        row.full_clean()
        row.save()
        changed += 1
    rules = {
        (rule.kind, rule.level_id): rule
        for rule in ProvinceDeadlineRule.objects.filter(province=province)
    }
    moved: set[tuple[str, int]] = set()
    for (kind, level_id), value in sorted(days.items()):
        rule = rules.get((kind, level_id)) or ProvinceDeadlineRule(
            province=province, kind=kind, level_id=level_id
        )
        if rule.pk is not None and rule.days_after_end == value:
            continue
        rule.days_after_end = value
        record_by(rule, by)
        rule.full_clean()
        rule.save()
        moved.add((kind, level_id))
        changed += 1
    if moved:
        _move_open_deadlines(province=province, days=days, moved=moved, today=today)
    # A kind required for the first time anywhere gets its current and next periods now.
    ensure_periods(today)
    return changed


def _move_open_deadlines(
    *,
    province: AdministrativeUnit,
    days: Mapping[tuple[str, int], int],
    moved: set[tuple[str, int]],
    today: date,
) -> None:
    """The province's due dates of the periods not yet ended, following the new rules
    (three queries whatever the number of periods)."""
    periods = list(
        ReportingPeriod.objects.filter(kind__in={kind for kind, _l in moved}, ends_on__gte=today)
    )
    existing = {
        (deadline.period_id, deadline.level_id): deadline
        for deadline in ProvincePeriodDeadline.objects.filter(province=province, period__in=periods)
    }
    update: list[ProvincePeriodDeadline] = []
    create: list[ProvincePeriodDeadline] = []
    for period in periods:
        for kind, level_id in moved:
            if kind != period.kind:
                continue
            due = period.ends_on + timedelta(days=days[(kind, level_id)])
            deadline = existing.get((period.pk, level_id))
            if deadline is None:
                create.append(
                    ProvincePeriodDeadline(
                        period=period, province=province, level_id=level_id, due_on=due
                    )
                )
            elif deadline.due_on != due:
                deadline.due_on = due
                update.append(deadline)
    ProvincePeriodDeadline.objects.bulk_update(update, ["due_on"])
    ProvincePeriodDeadline.objects.bulk_create(create, ignore_conflicts=True)
