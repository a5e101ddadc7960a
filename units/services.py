"""Writes to the hierarchy: reorganisations (merge, rename) and subtree path rewrites."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from portal.history import record_by
from portal.text import fold, nfc
from units.models import (
    AdministrativeUnit,
    Body,
    BodyTransfer,
    Reorganisation,
    ReorganisationKind,
    path_step,
)

if TYPE_CHECKING:
    # Who acts: the portal's user model, named through Django's own base class because
    # ``users`` sits above ``units`` (its roles are anchored on units).
    from django.contrib.auth.models import AbstractUser as User


def rewrite_subtree_paths(
    *, old_prefix: str, new_prefix: str, only_under: Sequence[str] = ()
) -> int:
    """Replace ``old_prefix`` by ``new_prefix`` in every path that starts with it: one UPDATE.

    ``only_under`` restricts the rewrite to the subtrees with those paths (all of which
    start with ``old_prefix``). Depth follows the number of steps that changed.
    """
    rows = AdministrativeUnit.objects.filter(path__startswith=old_prefix)
    if only_under:
        rows = rows.filter(reduce(or_, (Q(path__startswith=path) for path in only_under)))
    return rows.update(
        path=Concat(
            Value(new_prefix),
            Substr("path", len(old_prefix) + 1),
            output_field=models.CharField(),
        ),
        depth=F("depth") + (new_prefix.count(".") - old_prefix.count(".")),
    )


def _in_force(unit: AdministrativeUnit, day: date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= day) and (
        unit.valid_until is None or unit.valid_until >= day
    )


def _dmy(day: date) -> str:
    return date_format(day, "d/m/Y")


def _validate_merge(
    predecessors: Sequence[AdministrativeUnit],
    successor: AdministrativeUnit,
    effective_on: date,
) -> None:
    """Refuse a merge that would break the hierarchy, with every reason at once."""
    errors: dict[str, list[ValidationError]] = defaultdict(list)
    if not predecessors:
        errors["predecessors"].append(ValidationError(_("Choose at least one unit to merge.")))
    if len({unit.pk for unit in predecessors}) != len(predecessors):
        errors["predecessors"].append(ValidationError(_("A unit is listed twice.")))
    last_day = effective_on - timedelta(days=1)
    if not _in_force(successor, effective_on):
        errors["successor"].append(
            ValidationError(
                _("%(unit)s is not in force on %(day)s."),
                params={"unit": successor.name, "day": _dmy(effective_on)},
            )
        )
    for unit in predecessors:
        params = {"unit": unit.name, "successor": successor.name, "day": _dmy(effective_on)}
        if unit.pk == successor.pk:
            errors["predecessors"].append(
                ValidationError(_("%(unit)s cannot be merged into itself."), params=params)
            )
            continue
        if unit.level_id != successor.level_id:
            errors["predecessors"].append(
                ValidationError(
                    _("%(unit)s is not of the same level as %(successor)s."), params=params
                )
            )
        if unit.path.startswith(successor.path) or successor.path.startswith(unit.path):
            errors["predecessors"].append(
                ValidationError(
                    _("%(unit)s and %(successor)s are in the same branch of the hierarchy."),
                    params=params,
                )
            )
        # A predecessor lives until the day before the merge: it must be in force then,
        # and it must have begun before the merge so that its closing date is not before
        # its first day. An edition that ends on that day (the three-tier list ends
        # 30/06/2025, the reform took effect 01/07/2025) is therefore allowed.
        if (
            unit.succeeded_by_id is not None
            or not _in_force(unit, last_day)
            or (unit.valid_from is not None and unit.valid_from > last_day)
        ):
            errors["predecessors"].append(
                ValidationError(
                    _(
                        "%(unit)s cannot be merged on %(day)s: it is not in force the day "
                        "before, or it has already been merged."
                    ),
                    params=params,
                )
            )
    if errors:
        raise ValidationError(dict(errors))


def _validate_body_names(bodies: Sequence[Body], successor: AdministrativeUnit) -> None:
    """Two bodies with the same name may not end up in one unit (the registry forbids it)."""
    taken = set(
        Body.objects.filter(unit=successor, archived_at__isnull=True).values_list("name", flat=True)
    )
    clashes: list[str] = []
    for body in bodies:
        if body.name in taken:
            clashes.append(body.name)
        taken.add(body.name)
    if clashes:
        raise ValidationError(
            {
                "predecessors": ValidationError(
                    _(
                        "%(successor)s would hold two bodies with the same name: %(names)s. "
                        "Rename or archive one of them first."
                    ),
                    params={"successor": successor.name, "names": ", ".join(sorted(clashes))},
                )
            }
        )


@transaction.atomic
def unit_merge(
    *,
    predecessors: Sequence[AdministrativeUnit],
    successor: AdministrativeUnit,
    effective_on: date,
    legal_basis: str = "",
    note: str = "",
    by: User | None = None,
) -> Reorganisation:
    """Merge units into ``successor`` from ``effective_on``; the predecessors are closed.

    Bodies and in-force child units move to the successor (each body's move is recorded
    as a BodyTransfer); nothing is deleted, and what was recorded against a predecessor
    still points at it.
    """
    # Read fresh rows under lock so two merges of one unit cannot both succeed.
    ids = [unit.pk for unit in predecessors]
    locked = AdministrativeUnit.objects.select_for_update().in_bulk([*ids, successor.pk])
    successor = locked[successor.pk]
    fresh = [locked[pk] for pk in ids]
    _validate_merge(fresh, successor, effective_on)
    reason = f"merge into {successor.name} ({successor.code}) on {effective_on.isoformat()}"

    reorganisation = Reorganisation(
        kind=ReorganisationKind.MERGE,
        effective_on=effective_on,
        legal_basis=legal_basis,
        note=note,
        successor=successor,
        created_by_id=by.pk if by is not None else None,
    )
    reorganisation.full_clean()
    reorganisation.save()
    reorganisation.predecessors.set(fresh)

    _move_bodies(fresh, successor, reorganisation, by=by, reason=reason)
    _move_children(fresh, successor, effective_on, by=by, reason=reason)

    # Both fields were checked by _validate_merge (and the range by a database constraint);
    # full_clean() here would re-check every foreign key and constraint of each unit.
    for unit in fresh:
        unit.valid_until = effective_on - timedelta(days=1)
        unit.succeeded_by = successor
    bulk_update_with_history(
        fresh,
        AdministrativeUnit,
        ["valid_until", "succeeded_by"],
        default_user=by,
        default_change_reason=reason,
    )
    return reorganisation


def _move_bodies(
    predecessors: Sequence[AdministrativeUnit],
    successor: AdministrativeUnit,
    reorganisation: Reorganisation,
    *,
    by: User | None,
    reason: str,
) -> None:
    """Move the predecessors' current bodies to the successor, recording where each was."""
    bodies = list(
        Body.objects.select_for_update()
        .filter(unit__in=predecessors, archived_at__isnull=True)
        .order_by("pk")
    )
    if not bodies:
        return
    _validate_body_names(bodies, successor)
    now = timezone.now()
    transfers = []
    for body in bodies:
        transfers.append(
            BodyTransfer(
                reorganisation=reorganisation,
                body=body,
                from_unit_id=body.unit_id,
                to_unit=successor,
            )
        )
        body.unit = successor
        body.updated_at = now
    bulk_update_with_history(
        bodies, Body, ["unit", "updated_at"], default_user=by, default_change_reason=reason
    )
    # Built from rows just validated and locked; the unique constraint still guards them.
    BodyTransfer.objects.bulk_create(transfers)


def _move_children(
    predecessors: Sequence[AdministrativeUnit],
    successor: AdministrativeUnit,
    effective_on: date,
    *,
    by: User | None,
    reason: str,
) -> None:
    """Re-parent the predecessors' children still in force under the successor."""
    children = list(
        AdministrativeUnit.objects.select_for_update()
        .filter(parent__in=predecessors)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=effective_on))
        .order_by("path")
    )
    if not children:
        return
    # Units of one level share a depth, so one UPDATE usually rewrites every moved subtree:
    # "<predecessor path><rest>" becomes "<successor path><rest>".
    by_prefix_length: dict[int, list[AdministrativeUnit]] = defaultdict(list)
    parents = {unit.pk: unit for unit in predecessors}
    for child in children:
        by_prefix_length[len(parents[child.parent_id].path)].append(child)  # type: ignore[index]
    for length, group in by_prefix_length.items():
        old_prefixes = {parents[child.parent_id].path for child in group}  # type: ignore[index]
        rows = AdministrativeUnit.objects.filter(
            reduce(or_, (Q(path__startswith=child.path) for child in group))
        )
        depth_delta = successor.path.count(".") - next(iter(old_prefixes)).count(".")
        rows.update(
            path=Concat(
                Value(successor.path), Substr("path", length + 1), output_field=models.CharField()
            ),
            depth=F("depth") + depth_delta,
        )
    for child in children:
        child.parent = successor
        child.path = successor.path + path_step(child.pk)
        child.depth = child.path.count(".")
    # The children's own rows get a history entry for their new parent; rows further down
    # only had their derived path rewritten above.
    bulk_update_with_history(
        children,
        AdministrativeUnit,
        ["parent", "path", "depth"],
        default_user=by,
        default_change_reason=reason,
    )


@transaction.atomic
def unit_rename(
    *,
    unit: AdministrativeUnit,
    name: str,
    effective_on: date,
    unit_type: str | None = None,
    legal_basis: str = "",
    note: str = "",
    by: User | None = None,
) -> Reorganisation:
    """Rename a unit in place, keeping the old name in its history and a RENAME record.

    A rename changes a label, not a territory: the unit keeps its identity, code, bodies,
    children and officers, so nothing needs to move and nobody loses access.
    """
    unit = AdministrativeUnit.objects.select_for_update().get(pk=unit.pk)
    name = " ".join(nfc(name).split())
    if not name:
        raise ValidationError({"name": _("Enter the new name.")})
    if name == unit.name and (unit_type is None or unit_type == unit.unit_type):
        raise ValidationError({"name": _("The new name is the same as the current one.")})
    if not _in_force(unit, effective_on):
        raise ValidationError(
            {
                "effective_on": ValidationError(
                    _("%(unit)s is not in force on %(day)s."),
                    params={"unit": unit.name, "day": _dmy(effective_on)},
                )
            }
        )
    old_name = unit.name
    reorganisation = Reorganisation(
        kind=ReorganisationKind.RENAME,
        effective_on=effective_on,
        legal_basis=legal_basis,
        note=note or f"{old_name} → {name}",
        successor=unit,
        created_by_id=by.pk if by is not None else None,
    )
    reorganisation.full_clean()
    reorganisation.save()
    reorganisation.predecessors.set([unit])
    unit.name = name
    unit.search_name = fold(name)
    if unit_type is not None:
        unit.unit_type = unit_type
    unit.full_clean()
    record_by(unit, by)
    unit._change_reason = f"rename on {effective_on.isoformat()}"  # type: ignore[attr-defined]
    unit.save(update_fields=["name", "search_name", "unit_type"])
    return reorganisation
