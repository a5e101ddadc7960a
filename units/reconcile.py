"""Import a corrected edition over the one in the database, matching units by code and name.

A corrected edition (``two-tier-2026-09``) describes the same units as the edition already
imported (``two-tier``, 2025.10.1) but 114 commune codes and 36 names differ, and some codes
moved from one commune to another (25264 was Xã Phú Riềng, it is now another commune's code).
Matching by code alone would rename one commune into another and carry its bodies, pages and
officers along; so a unit of the file is matched, level by level, to a unit of the database:

1. same code and same name (compared folded, dashes and apostrophes unified, so that
   "Thuỷ"/"Thủy" and "Chân Mây - Lăng Cô" with a hyphen or an en dash are one name): the same unit;
2. same parent and same name, when exactly one unit on each side has it: the same unit,
   whose code changed;
3. same code, different name: the same unit, renamed;
4. what is left in the file is added; what is left in the database is reported missing and
   left as it is (never closed or deleted by an import).

Codes are rewritten in two steps (every changed code first to a temporary value, then to
the new one) because one unit may take the code another gives up, and the unique constraint
on (level, code, valid_from) is checked row by row. Every change is reported by code and
name; one transaction; a second run finds everything matched in step 1 and changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Value
from django.db.models.functions import Cast, Concat

from portal.text import fold
from units.importers import DivisionsImportError
from units.models import AdministrativeUnit, Reorganisation, UnitLevel

CODE_CHANGED = "code_changed"
NAME_CHANGED = "name_changed"
ADDED = "added"
MISSING = "missing"

# En dash, em dash, hyphen, non-breaking hyphen → "-"; typographic apostrophes → "'".
_UNIFY = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
    }
)


def name_key(name: str) -> str:
    """The key two spellings of one official name share."""
    return " ".join(fold(name.translate(_UNIFY)).replace(" - ", "-").split())


@dataclass(frozen=True)
class UnitChange:
    """One difference between the database and the file, for the report."""

    level: str
    change: str  # CODE_CHANGED, NAME_CHANGED, ADDED, MISSING
    old_code: str
    old_name: str
    new_code: str
    new_name: str

    def line(self) -> str:
        if self.change == ADDED:
            return f"{self.level} added: {self.new_code} {self.new_name}"
        if self.change == MISSING:
            return f"{self.level} missing from the file: {self.old_code} {self.old_name}"
        if self.change == CODE_CHANGED:
            return (
                f"{self.level} code changed: {self.old_code} → {self.new_code} "
                f"{self.new_name}"
                + (f" (was {self.old_name})" if self.old_name != self.new_name else "")
            )
        return f"{self.level} name changed: {self.new_code} {self.old_name} → {self.new_name}"


def match_level(
    entries: list[Any],
    units: list[AdministrativeUnit],
    *,
    parent_pk: dict[int, int | None],
) -> tuple[list[tuple[Any, AdministrativeUnit | None]], list[AdministrativeUnit]]:
    """Pair the file's entries of one level with the database's units (see the module doc).

    ``parent_pk`` maps ``id(entry)`` to the primary key of the unit its parent entry was
    matched to. Returns (entry, unit or None for "added") pairs and the units left over.
    """
    left = {unit.pk: unit for unit in units}
    by_code: dict[str, list[AdministrativeUnit]] = defaultdict(list)
    for unit in units:
        by_code[unit.code].append(unit)
    pairs: dict[int, tuple[Any, AdministrativeUnit | None]] = {}

    # 1. Same code, same name.
    for entry in entries:
        key = name_key(entry.name)
        for unit in by_code.get(entry.code, ()):
            if unit.pk in left and name_key(unit.name) == key:
                pairs[id(entry)] = (entry, unit)
                del left[unit.pk]
                break

    # 2. Same parent and name, unique on both sides: the code changed.
    def name_slot(parent: int | None, name: str) -> tuple[int | None, str]:
        return (parent, name_key(name))

    entry_slots: dict[tuple[int | None, str], list[Any]] = defaultdict(list)
    for entry in entries:
        if id(entry) not in pairs:
            entry_slots[name_slot(parent_pk.get(id(entry)), entry.name)].append(entry)
    unit_slots: dict[tuple[int | None, str], list[AdministrativeUnit]] = defaultdict(list)
    for unit in left.values():
        unit_slots[name_slot(unit.parent_id, unit.name)].append(unit)
    for slot, slot_entries in entry_slots.items():
        candidates = unit_slots.get(slot, [])
        if len(slot_entries) == 1 and len(candidates) == 1:
            unit = candidates[0]
            pairs[id(slot_entries[0])] = (slot_entries[0], unit)
            del left[unit.pk]

    # 3. Same code, another name: renamed.
    for entry in entries:
        if id(entry) in pairs:
            continue
        same_code = next((u for u in by_code.get(entry.code, ()) if u.pk in left), None)
        if same_code is not None:
            pairs[id(entry)] = (entry, same_code)
            del left[same_code.pk]

    # 4. The rest of the file is new.
    ordered = [pairs.get(id(entry), (entry, None)) for entry in entries]
    return ordered, sorted(left.values(), key=lambda unit: unit.code)


class ReconcilingWriter:
    """Writes a validated edition over the units of the same levels and ``valid_from``."""

    def __init__(self, writer: Any) -> None:
        # The plain writer (units.importers.writer._Writer) owns creation, re-parenting and counts.
        self.writer = writer
        self.changes: list[UnitChange] = []

    def write(self) -> list[UnitChange]:
        w = self.writer
        existing = AdministrativeUnit.objects.filter(level__in=w.levels)
        existing = (
            existing.filter(valid_from=w.valid_from)
            if w.valid_from
            else existing.filter(valid_from__isnull=True)
        )
        units_by_level: dict[int, list[AdministrativeUnit]] = defaultdict(list)
        for unit in existing.order_by("code", "pk"):
            units_by_level[unit.level_id].append(unit)
        w.units = {}
        w.by_pk = {unit.pk: unit for group in units_by_level.values() for unit in group}
        # A unit a reorganisation closed keeps what the reorganisation left (as in a plain
        # import); a unit it created is the edition's own and may be corrected.
        closed = set(
            Reorganisation.predecessors.through.objects.filter(
                administrativeunit_id__in=w.by_pk
            ).values_list("administrativeunit_id", flat=True)
        )
        for level in w.levels:
            self.write_level(level, units_by_level.get(level.pk, []), closed)
        return self.changes

    def write_level(
        self, level: UnitLevel, units: list[AdministrativeUnit], closed: set[int]
    ) -> None:
        w = self.writer
        counts = w.counts(level.code)
        entries = [entry for entry in w.entries if entry.level == level.code]
        parent_pk = {
            id(entry): (w.units[entry.parent].pk if entry.parent else None) for entry in entries
        }
        pairs, missing = match_level(entries, units, parent_pk=parent_pk)
        for unit in missing:
            counts.not_in_file += 1
            self.changes.append(UnitChange(level.code, MISSING, unit.code, unit.name, "", ""))
            # Its children may still be in the file: they can find it under its own code.
            w.units.setdefault((level.code, unit.code), unit)

        to_create: list[AdministrativeUnit] = []
        to_update: list[AdministrativeUnit] = []
        recoded: list[AdministrativeUnit] = []
        changed_fields: set[str] = set()
        reparented: list[AdministrativeUnit] = []
        for entry, matched in pairs:
            parent = w.units[entry.parent] if entry.parent else None
            if matched is None:
                unit = AdministrativeUnit(
                    level=level,
                    parent=parent,
                    code=entry.code,
                    name=entry.name,
                    unit_type=entry.unit_type,
                    codename=entry.codename,
                    search_name=fold(entry.name),
                    valid_from=w.valid_from,
                    valid_until=w.valid_until,
                )
                to_create.append(unit)
                w.units[(entry.level, entry.code)] = unit
                self.changes.append(UnitChange(level.code, ADDED, "", "", entry.code, entry.name))
                continue
            unit = matched
            w.units[(entry.level, entry.code)] = unit
            wanted: dict[str, Any] = {
                "code": entry.code,
                "name": entry.name,
                "unit_type": entry.unit_type,
                "codename": entry.codename,
                "parent_id": parent.pk if parent else None,
            }
            if unit.succeeded_by_id is None:
                wanted["valid_until"] = w.valid_until
            diff = {key for key, value in wanted.items() if getattr(unit, key) != value}
            if not diff:
                counts.unchanged += 1
                continue
            if unit.pk in closed:
                counts.kept += 1
                continue
            if "code" in diff:
                self.changes.append(
                    UnitChange(
                        level.code, CODE_CHANGED, unit.code, unit.name, entry.code, entry.name
                    )
                )
                recoded.append(unit)
            elif "name" in diff:
                self.changes.append(
                    UnitChange(
                        level.code, NAME_CHANGED, unit.code, unit.name, entry.code, entry.name
                    )
                )
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
        taken = {unit.code for unit in missing}
        clashes = sorted(unit.code for unit in recoded if unit.code in taken)
        if clashes:
            # A unit missing from the file holds a code the file gives to another unit:
            # which of the two is right is not for an import to guess.
            raise DivisionsImportError(
                f"{level.code} code(s) {', '.join(clashes)} are held by units missing from "
                "the file and given by the file to other units; close or recode them first."
            )
        if recoded:
            # Free every code that changes hands before any unit takes its new one (one unit
            # may take the code another gives up). Not a history entry: the row's next state,
            # written below, is the one history records.
            AdministrativeUnit.objects.filter(pk__in=[unit.pk for unit in recoded]).update(
                code=Concat(Value("~"), Cast("pk", models.CharField()))
            )
        w.commit(
            to_create=to_create,
            reparented=reparented,
            to_update=to_update,
            changed_fields=changed_fields,
            counts=counts,
        )
