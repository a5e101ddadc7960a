"""What follows a merged body or a unit's successor: default contacts, rules, role assignments."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Max, Q

from reorganisation.plan import Plan, _roles_to_move


def _move_default_contacts(
    merged_into: dict[int, int], *, now: Any, by: Any, reason: str, model: Any
) -> None:
    """A body has one default contact: the survivor keeps its own, else takes the first.

    ``now`` is the moment the reorganisation took effect: it dates the records."""
    survivors = set(merged_into.values())
    has_default = set(
        model.objects.filter(
            body_id__in=survivors, page__isnull=True, archived_at__isnull=True
        ).values_list("body_id", flat=True)
    )
    contacts = list(
        model.objects.filter(
            body_id__in=list(merged_into), page__isnull=True, archived_at__isnull=True
        ).order_by("body_id", "pk")
    )
    for contact in contacts:
        survivor = merged_into[contact.body_id]
        if survivor in has_default:
            contact.archived_at = now
        else:
            has_default.add(survivor)
        contact.body_id = survivor
        contact.updated_at = now
    # Grouped: one UPDATE per (survivor, archived or not).
    groups: dict[tuple[int, bool], list[int]] = defaultdict(list)
    for contact in contacts:
        groups[(contact.body_id, contact.archived_at is not None)].append(contact.pk)
    for (survivor, archived), ids in groups.items():
        model.objects.filter(pk__in=ids).update(
            body_id=survivor, updated_at=now, **({"archived_at": now} if archived else {})
        )
    model.history.bulk_history_create(
        contacts, update=True, default_user=by, default_change_reason=reason, default_date=now
    )


def _move_rules(merged_into: dict[int, int], *, now: Any, by: Any, reason: str, model: Any) -> None:
    """Rules versions follow the survivor, numbered after its own; one stays current."""
    rules = list(model.objects.filter(body_id__in=list(merged_into)).order_by("body_id", "version"))
    if not rules:
        return
    survivors = set(merged_into.values())
    top = dict(
        model.objects.filter(body_id__in=survivors)
        .values_list("body_id")
        .annotate(top=Max("version"))
        .order_by()
    )
    has_current = set(
        model.objects.filter(body_id__in=survivors, superseded_at__isnull=True).values_list(
            "body_id", flat=True
        )
    )
    # Newest first, so that the newest current one of a merged body is the one kept current.
    for rule in sorted(rules, key=lambda r: (r.issued_on, r.version), reverse=True):
        survivor = merged_into[rule.body_id]
        if rule.superseded_at is None:
            if survivor in has_current:
                rule.superseded_at = now
            else:
                has_current.add(survivor)
    # Take the rows out of the way of the (body, version) constraint, then renumber.
    model.objects.filter(pk__in=[r.pk for r in rules]).update(version=0, superseded_at=now)
    for rule in sorted(rules, key=lambda r: (r.issued_on, r.version)):
        survivor = merged_into[rule.body_id]
        top[survivor] = top.get(survivor, 0) + 1
        rule.body_id, rule.version = survivor, top[survivor]
    for rule in rules:
        # Few rows (one or two per merged body): one UPDATE each is fine here.
        model.objects.filter(pk=rule.pk).update(
            body_id=rule.body_id, version=rule.version, superseded_at=rule.superseded_at
        )
    model.history.bulk_history_create(
        rules, update=True, default_user=by, default_change_reason=reason, default_date=now
    )


def _move_roles(
    plan: Plan, merged_into: dict[int, int], *, by: Any, reason: str, model: Any
) -> None:
    from users.models import Role

    moves: list[Any] = []
    duplicates: list[Any] = []
    rows = list(_roles_to_move(plan).order_by("pk"))
    existing = set(
        model.objects.filter(
            Q(body_id__in=set(merged_into.values()))
            | Q(unit_id__in={s for s in plan.unit_successor.values() if s is not None})
        ).values_list("user_id", "role", "unit_id", "body_id")
    )
    for row in rows:
        if row.body_id is not None:
            row.body_id = merged_into[row.body_id]
        elif row.unit_id is not None and row.role in (Role.UNIT_OFFICER, Role.PROVINCE_OFFICER):
            row.unit_id = plan.unit_successor[row.unit_id]
        else:
            continue
        key = (row.user_id, row.role, row.unit_id, row.body_id)
        if key in existing:
            duplicates.append(row)
        else:
            existing.add(key)
            moves.append(row)
    for row in moves:
        model.objects.filter(pk=row.pk).update(unit_id=row.unit_id, body_id=row.body_id)
    model.history.bulk_history_create(
        moves, update=True, default_user=by, default_change_reason=reason
    )
    for row in duplicates:
        # The user already holds the same role on the successor: the old one goes (with
        # a history record of the deletion).
        model.objects.get(pk=row.pk).delete()
