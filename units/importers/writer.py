"""Writing validated entries: units created and updated set-based, a few statements per level."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat, LPad
from simple_history.utils import bulk_update_with_history

from portal.text import fold
from units.importers.validation import Entry
from units.models import PATH_STEP_WIDTH, AdministrativeUnit, Reorganisation, UnitLevel, path_step
from units.services import rewrite_subtree_paths
from units.signals import units_bulk_written

if TYPE_CHECKING:
    from units.reconcile import UnitChange


# Rows per bulk statement. Django lowers it further where the database needs it (SQLite's
# limit on variables per statement).
BATCH_SIZE = 1000


@dataclass
class LevelCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # differs from the file, but a reorganisation changed it: left as it is
    not_in_file: int = 0  # in the database for this edition, not in the file: left as it is


@dataclass
class ImportResult:
    source: str
    valid_from: date | None
    valid_until: date | None
    dry_run: bool
    counts: dict[str, LevelCounts] = field(default_factory=dict)
    # Reconciling imports only: every unit whose code or name changed, added or missing.
    changes: list[UnitChange] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(c.created + c.updated for c in self.counts.values())


# The fields the file decides for an existing unit.
_DESCRIPTIVE = ("name", "unit_type", "codename")


class _Writer:
    """Creates and updates the units of validated entries, a few statements per level."""

    def __init__(
        self,
        *,
        entries: list[Entry],
        levels: list[UnitLevel],
        valid_from: date | None,
        valid_until: date | None,
        by: Any,
        reason: str,
        batch_size: int,
        result: ImportResult,
    ) -> None:
        self.entries = entries
        self.levels = levels
        self.valid_from = valid_from
        self.valid_until = valid_until
        self.by = by
        self.reason = reason
        self.batch_size = batch_size
        self.result = result

    def write(self) -> None:
        level_by_id = {level.pk: level.code for level in self.levels}
        existing = AdministrativeUnit.objects.filter(level__in=self.levels)
        existing = (
            existing.filter(valid_from=self.valid_from)
            if self.valid_from
            else existing.filter(valid_from__isnull=True)
        )
        self.units: dict[tuple[str, str], AdministrativeUnit] = {
            (level_by_id[unit.level_id], unit.code): unit for unit in existing
        }
        self.by_pk = {unit.pk: unit for unit in self.units.values()}
        # Units a reorganisation closed or received: what it did wins over the file.
        self.reorganised = set(
            Reorganisation.predecessors.through.objects.filter(
                administrativeunit_id__in=self.by_pk
            ).values_list("administrativeunit_id", flat=True)
        ) | set(
            Reorganisation.objects.filter(successor_id__in=self.by_pk).values_list(
                "successor_id", flat=True
            )
        )
        in_file: set[tuple[str, str]] = set()
        for level in self.levels:
            level_entries = [entry for entry in self.entries if entry.level == level.code]
            in_file.update((entry.level, entry.code) for entry in level_entries)
            self.write_level(level, level_entries)
        for key in self.units.keys() - in_file:
            self.counts(key[0]).not_in_file += 1

    def counts(self, level: str) -> LevelCounts:
        return self.result.counts.setdefault(level, LevelCounts())

    def write_level(self, level: UnitLevel, entries: Iterable[Entry]) -> None:
        counts = self.counts(level.code)
        to_create: list[AdministrativeUnit] = []
        to_update: list[AdministrativeUnit] = []
        changed_fields: set[str] = set()
        reparented: list[AdministrativeUnit] = []
        for entry in entries:
            parent = self.units[entry.parent] if entry.parent else None
            unit = self.units.get((entry.level, entry.code))
            if unit is None:
                unit = AdministrativeUnit(
                    level=level,
                    parent=parent,
                    code=entry.code,
                    name=entry.name,
                    unit_type=entry.unit_type,
                    codename=entry.codename,
                    search_name=fold(entry.name),
                    valid_from=self.valid_from,
                    valid_until=self.valid_until,
                )
                self.units[(entry.level, entry.code)] = unit
                to_create.append(unit)
                continue
            wanted: dict[str, Any] = {
                "name": entry.name,
                "unit_type": entry.unit_type,
                "codename": entry.codename,
                "parent_id": parent.pk if parent else None,
            }
            if unit.succeeded_by_id is None:
                wanted["valid_until"] = self.valid_until
            diff = {key for key, value in wanted.items() if getattr(unit, key) != value}
            if not diff:
                counts.unchanged += 1
                continue
            moved_by_reorganisation = (
                "parent_id" in diff
                and unit.parent_id is not None
                and parent is not None
                and parent.pk in self.reorganised
            )
            if unit.pk in self.reorganised or moved_by_reorganisation:
                counts.kept += 1
                continue
            for key in diff - {"parent_id"}:
                setattr(unit, key, wanted[key])
            if "name" in diff:
                unit.search_name = fold(unit.name)
                diff.add("search_name")
            if "parent_id" in diff:
                unit.parent = parent
                reparented.append(unit)
                diff.discard("parent_id")
                diff.add("parent")
            changed_fields |= diff
            to_update.append(unit)
            counts.updated += 1
        self.commit(
            to_create=to_create,
            reparented=reparented,
            to_update=to_update,
            changed_fields=changed_fields,
            counts=counts,
        )

    def commit(
        self,
        *,
        to_create: list[AdministrativeUnit],
        reparented: list[AdministrativeUnit],
        to_update: list[AdministrativeUnit],
        changed_fields: set[str],
        counts: LevelCounts,
    ) -> None:
        """Write one level's changes: new units, then moves (new paths), then the updates,
        with history."""
        if to_create or reparented or to_update:
            units_bulk_written.send(sender=type(self))
        if to_create:
            self.create(to_create)
            counts.created += len(to_create)
        for unit in reparented:
            self.reparent(unit)
        if reparented:
            changed_fields |= {"path", "depth"}
        if to_update:
            bulk_update_with_history(
                to_update,
                AdministrativeUnit,
                sorted(changed_fields),
                batch_size=self.batch_size,
                default_user=self.by,
                default_change_reason=self.reason,
            )

    def create(self, units: list[AdministrativeUnit]) -> None:
        # bulk_create bypasses save(): the path needs the new primary keys, so it is filled
        # in by one UPDATE per level (each new row copies its parent's path and appends its
        # own step), and the history rows are written last so they hold the path. Django's
        # bulk_update builds a CASE per row and took ~7 s of a 10 s import; this takes ms.
        AdministrativeUnit.objects.bulk_create(units, batch_size=self.batch_size)
        parents = AdministrativeUnit.objects.filter(pk=OuterRef("parent_id"))
        pks = [unit.pk for unit in units]
        AdministrativeUnit.objects.filter(pk__gte=min(pks), pk__lte=max(pks), path="").update(
            path=Concat(
                Coalesce(Subquery(parents.values("path")[:1]), Value("")),
                LPad(Cast("pk", models.CharField()), PATH_STEP_WIDTH, Value("0")),
                Value("."),
                output_field=models.CharField(),
            ),
            depth=Coalesce(Subquery(parents.values("depth")[:1]), 0) + 1,
        )
        for unit in units:
            # The same rule in Python, for the history rows and the next level's parents.
            unit.path = (unit.parent.path if unit.parent else "") + path_step(unit.pk)
            unit.depth = unit.path.count(".")
            self.by_pk[unit.pk] = unit
        AdministrativeUnit.history.bulk_history_create(
            units,
            batch_size=self.batch_size,
            default_user=self.by,
            default_change_reason=self.reason,
        )

    def reparent(self, unit: AdministrativeUnit) -> None:
        """Move an existing unit (and what is below it) under the parent the file names."""
        old_prefix = unit.path
        new_prefix = (unit.parent.path if unit.parent else "") + path_step(unit.pk)
        rewrite_subtree_paths(old_prefix=old_prefix, new_prefix=new_prefix)
        # Keep the loaded units in step with the database (their history rows copy them).
        for other in self.by_pk.values():
            if other.path.startswith(old_prefix):
                other.path = new_prefix + other.path[len(old_prefix) :]
                other.depth = other.path.count(".")
