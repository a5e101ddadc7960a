"""Import an official list of administrative divisions (an "edition") into the unit tree.

The importer validates the whole file first and writes nothing unless every entry is good;
then it writes set-based (a few bulk statements per level) in one transaction. It is
idempotent: a unit's natural key is (level, code, valid_from), so re-running an import
updates only what changed and two editions (three-tier until 30/06/2025, two-tier from
01/07/2025) live side by side.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from django.db import models, transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat, LPad
from simple_history.utils import bulk_update_with_history

from portal.text import fold, nfc
from units.models import (
    PATH_STEP_WIDTH,
    AdministrativeUnit,
    Reorganisation,
    UnitLevel,
    UnitType,
    path_step,
)
from units.services import rewrite_subtree_paths

if TYPE_CHECKING:
    from units.reconcile import UnitChange

DIVISIONS_DIR = Path(__file__).resolve().parent / "data" / "divisions"
EDITIONS_FILE = DIVISIONS_DIR / "editions.json"

# The file format names each level's list by a fixed key (the GSO / vietnam-provinces
# format calls every commune-level list "wards").
LIST_KEYS = {"province": "provinces", "district": "districts", "commune": "wards"}

# Official unit types, read from the name's prefix. Order matters only where one prefix
# is a prefix of another (none are today).
NAME_PREFIXES: dict[str, tuple[tuple[str, UnitType], ...]] = {
    "province": (("Thành phố ", UnitType.CENTRAL_CITY), ("Tỉnh ", UnitType.PROVINCE)),
    "district": (
        ("Quận ", UnitType.URBAN_DISTRICT),
        ("Huyện ", UnitType.RURAL_DISTRICT),
        ("Thị xã ", UnitType.TOWN),
        ("Thành phố ", UnitType.CITY),
    ),
    "commune": (
        ("Xã ", UnitType.COMMUNE),
        ("Phường ", UnitType.WARD),
        ("Thị trấn ", UnitType.TOWNSHIP),
        ("Đặc khu ", UnitType.SPECIAL_ZONE),
    ),
}

# Official unit types, read from the file's ``division_type``. The three-tier file only
# says "tỉnh"/"huyện"/"xã" (the level), so for it the name decides; the two-tier file
# says the real type.
DIVISION_TYPES: dict[str, dict[str, UnitType]] = {
    "province": {"thành phố trung ương": UnitType.CENTRAL_CITY, "tỉnh": UnitType.PROVINCE},
    "district": {
        "quận": UnitType.URBAN_DISTRICT,
        "huyện": UnitType.RURAL_DISTRICT,
        "thị xã": UnitType.TOWN,
        "thành phố": UnitType.CITY,
    },
    "commune": {
        "xã": UnitType.COMMUNE,
        "phường": UnitType.WARD,
        "thị trấn": UnitType.TOWNSHIP,
        "đặc khu": UnitType.SPECIAL_ZONE,
    },
}

TYPE_FROM_NAME = "name"
TYPE_FROM_DIVISION_TYPE = "division_type"

_CODENAME = re.compile(r"^[-a-zA-Z0-9_]*$")
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")

# Rows per bulk statement. Django lowers it further where the database needs it (SQLite's
# limit on variables per statement).
BATCH_SIZE = 1000


class DivisionsImportError(Exception):
    """The import cannot run (unknown edition, level missing from the database, …)."""


class DivisionsFileError(DivisionsImportError):
    """The file is malformed; says which entry and where in the file."""

    def __init__(
        self,
        message: str,
        *,
        source: str = "",
        entry: str = "",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.entry = entry
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}:{self.column}"
        parts = [part for part in (where, self.entry, self.message) if part]
        return ": ".join(parts)


@dataclass(frozen=True)
class Edition:
    """One published list of divisions, with the dates it is in force."""

    name: str
    path: Path
    valid_from: date | None
    valid_until: date | None
    levels: tuple[str, ...]
    unit_type_from: str
    description: str = ""
    # A corrected edition: matched to the units in the database by code and name
    # (units.reconcile), not by code alone.
    reconcile: bool = False


def parse_date(value: str | date | None) -> date | None:
    """Read a date given as dd/mm/yyyy or ISO yyyy-mm-dd (None and "" stay None)."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    from datetime import datetime

    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    raise DivisionsImportError(f"Not a date (dd/mm/yyyy or yyyy-mm-dd): {value!r}")


def editions() -> dict[str, Edition]:
    """The editions shipped with the portal, read from the manifest."""
    manifest = json.loads(EDITIONS_FILE.read_text(encoding="utf-8"))
    return {
        name: Edition(
            name=name,
            path=DIVISIONS_DIR / spec["file"],
            valid_from=parse_date(spec.get("valid_from")),
            valid_until=parse_date(spec.get("valid_until")),
            levels=tuple(spec["levels"]),
            unit_type_from=spec.get("unit_type_from", TYPE_FROM_NAME),
            description=spec.get("description", ""),
            reconcile=bool(spec.get("reconcile", False)),
        )
        for name, spec in manifest.items()
    }


def edition(name: str) -> Edition:
    known = editions()
    if name not in known:
        raise DivisionsImportError(
            f"Unknown edition {name!r}; known editions: {', '.join(sorted(known))}."
        )
    return known[name]


# --- Reading and validating -------------------------------------------------------------


@dataclass
class Entry:
    """One validated unit of the file."""

    level: str
    code: str
    name: str
    codename: str
    unit_type: str
    parent: tuple[str, str] | None  # (level, code) of the parent entry
    label: str  # provinces[37].districts[5].wards[2] "Xã Cẩm Ngọc" (code 15010)


def read_text(path: Path) -> str:
    """The decoded text of a divisions file, gzip-compressed or not."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DivisionsImportError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise DivisionsFileError(f"not a valid gzip file ({exc})", source=str(path)) from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DivisionsFileError(
            f"not UTF-8 text (byte offset {exc.start})", source=str(path)
        ) from exc


def _skip_ws(text: str, pos: int) -> int:
    match = _WHITESPACE.match(text, pos)
    return match.end() if match else pos


def locate(text: str, pointer: Sequence[str | int]) -> int:
    """Offset in ``text`` (valid JSON) of the value at ``pointer`` (list indexes and keys).

    Values that are skipped over are scanned by the C decoder, so finding any entry of a
    1 MB file takes milliseconds; it runs only when there is an error to report.
    """
    decoder = json.JSONDecoder()
    pos = _skip_ws(text, 0)
    for step in pointer:
        if isinstance(step, int):
            pos = _skip_ws(text, pos + 1)  # past "["
            for _ in range(step):
                _, pos = decoder.raw_decode(text, pos)
                pos = _skip_ws(text, _skip_ws(text, pos) + 1)  # past ","
        else:
            pos = _skip_ws(text, pos + 1)  # past "{"
            while True:
                key, pos = decoder.raw_decode(text, pos)
                pos = _skip_ws(text, _skip_ws(text, pos) + 1)  # past ":"
                if key == step:
                    break
                _, pos = decoder.raw_decode(text, pos)
                pos = _skip_ws(text, _skip_ws(text, pos) + 1)  # past ","
    return pos


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters of the decoded text) of ``offset``."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


class _Validator:
    """Walks the decoded file and turns it into entries, or fails on the first bad one."""

    def __init__(
        self,
        *,
        text: str,
        source: str,
        levels: Sequence[str],
        widths: dict[str, int],
        unit_type_from: str,
    ) -> None:
        self.text = text
        self.source = source
        self.levels = tuple(levels)
        self.widths = widths
        self.unit_type_from = unit_type_from
        self.entries: list[Entry] = []
        self.seen: dict[tuple[str, str], str] = {}

    def fail(self, message: str, pointer: Sequence[str | int], label: str = "") -> NoReturn:
        line, column = line_and_column(self.text, locate(self.text, pointer))
        raise DivisionsFileError(
            message, source=self.source, entry=label or _where(pointer), line=line, column=column
        )

    def run(self) -> list[Entry]:
        try:
            data = json.loads(self.text)
        except json.JSONDecodeError as exc:
            raise DivisionsFileError(
                f"invalid JSON: {exc.msg}", source=self.source, line=exc.lineno, column=exc.colno
            ) from exc
        if not isinstance(data, list):
            self.fail("expected a list of provinces at the top of the file", ())
        if not data:
            self.fail("the list of provinces is empty", ())
        self.walk_list(data, level_index=0, pointer=(), parent=None)
        return self.entries

    def walk_list(
        self,
        items: list[Any],
        *,
        level_index: int,
        pointer: tuple[str | int, ...],
        parent: tuple[str, str] | None,
    ) -> None:
        level = self.levels[level_index]
        for index, item in enumerate(items):
            here = (*pointer, index)
            if not isinstance(item, dict):
                self.fail(f"expected an object (a {level}), found {type(item).__name__}", here)
            entry = self.entry(item, level=level, pointer=here, parent=parent)
            child_index = level_index + 1
            child_key = (
                LIST_KEYS[self.levels[child_index]] if child_index < len(self.levels) else None
            )
            for key in set(LIST_KEYS.values()) - {child_key}:
                if key in item:
                    self.fail(
                        f"wrong nesting: a {level} may not hold {key!r} in this edition "
                        f"({' → '.join(self.levels)})",
                        (*here, key),
                        entry.label,
                    )
            if child_key is not None:
                children = item.get(child_key)
                if not isinstance(children, list):
                    self.fail(
                        f"wrong nesting: a {level} must hold a list {child_key!r} in this "
                        f"edition ({' → '.join(self.levels)})",
                        (*here, child_key) if child_key in item else here,
                        entry.label,
                    )
                self.walk_list(
                    children,
                    level_index=child_index,
                    pointer=(*here, child_key),
                    parent=(entry.level, entry.code),
                )

    def entry(
        self,
        item: dict[str, Any],
        *,
        level: str,
        pointer: tuple[str | int, ...],
        parent: tuple[str, str] | None,
    ) -> Entry:
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            self.fail(
                "missing or empty name",
                (*pointer, "name") if "name" in item else pointer,
                _where(pointer),
            )
        name = " ".join(nfc(name).split())
        raw_code = item.get("code")
        label = f'{_where(pointer)} "{name}"'
        # bool is an int in Python; "true" is not an official code.
        if not isinstance(raw_code, int) or isinstance(raw_code, bool):
            self.fail(
                f"code must be an integer, found {json.dumps(raw_code, ensure_ascii=False)}",
                (*pointer, "code") if "code" in item else pointer,
                label,
            )
        width = self.widths[level]
        if raw_code < 0 or raw_code >= 10**width:
            self.fail(
                f"code {raw_code} does not fit the {level} code width of {width} digits",
                (*pointer, "code"),
                label,
            )
        code = f"{raw_code:0{width}d}"
        label = f"{label} (code {raw_code})"
        if len(name) > AdministrativeUnit._meta.get_field("name").max_length:  # type: ignore[operator]
            self.fail("name too long", (*pointer, "name"), label)
        codename = item.get("codename", "")
        if not isinstance(codename, str) or not _CODENAME.match(codename) or len(codename) > 120:
            self.fail(f"invalid codename {codename!r}", (*pointer, "codename"), label)
        unit_type = self.unit_type(item, name=name, level=level, pointer=pointer, label=label)
        key = (level, code)
        if key in self.seen:
            self.fail(
                f"duplicate {level} code {raw_code} (first used by {self.seen[key]})",
                pointer,
                label,
            )
        self.seen[key] = label
        entry = Entry(level, code, name, codename, unit_type, parent, label)
        self.entries.append(entry)
        return entry

    def unit_type(
        self,
        item: dict[str, Any],
        *,
        name: str,
        level: str,
        pointer: tuple[str | int, ...],
        label: str,
    ) -> str:
        division_type = item.get("division_type")
        known = DIVISION_TYPES.get(level, {})
        if not isinstance(division_type, str) or division_type.strip().lower() not in known:
            self.fail(
                f"unknown division type {division_type!r} for a {level} "
                f"(expected one of: {', '.join(known)})",
                (*pointer, "division_type") if "division_type" in item else pointer,
                label,
            )
        from_type = known[division_type.strip().lower()]
        # Case-insensitive: the official list writes "Thành Phố Bắc Kạn" once.
        folded = name.casefold()
        prefix, from_name = next(
            (
                (prefix.strip(), kind)
                for prefix, kind in NAME_PREFIXES.get(level, ())
                if folded.startswith(prefix.casefold())
            ),
            ("", None),
        )
        if self.unit_type_from == TYPE_FROM_NAME:
            if from_name is None:
                prefixes = ", ".join(
                    repr(prefix.strip()) for prefix, _ in NAME_PREFIXES.get(level, ())
                )
                self.fail(
                    f"unknown name prefix for a {level} (expected one of: {prefixes})",
                    (*pointer, "name"),
                    label,
                )
            return str(from_name)
        if from_name is not None and from_name != from_type:
            self.fail(
                f"the name starts with {prefix!r} but division_type says {division_type!r}",
                (*pointer, "division_type"),
                label,
            )
        return str(from_type)


def _where(pointer: Sequence[str | int]) -> str:
    """provinces[37].districts[5].wards[2] for the pointer (37, "districts", 5, "wards", 2)."""
    out = "provinces"
    for step in pointer:
        out += f"[{step}]" if isinstance(step, int) else f".{step}"
    return out


def validate(
    text: str,
    *,
    source: str,
    levels: Sequence[str],
    widths: dict[str, int],
    unit_type_from: str,
) -> list[Entry]:
    """Check every entry of the file; return them, or raise DivisionsFileError on the first fault."""
    return _Validator(
        text=text, source=source, levels=levels, widths=widths, unit_type_from=unit_type_from
    ).run()


def detect_shape(text: str) -> tuple[tuple[str, ...], str]:
    """Levels and unit-type rule of a file given without an edition, from its first province."""
    # Only a peek: validation reports any entry that does not follow the shape.
    if re.search(r'"districts"\s*:', text):
        return ("province", "district", "commune"), TYPE_FROM_NAME
    return ("province", "commune"), TYPE_FROM_DIVISION_TYPE


# --- Writing ------------------------------------------------------------------------------


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


def import_edition(name: str, *, dry_run: bool = False, by: Any = None) -> ImportResult:
    """Import one of the editions shipped with the portal."""
    spec = edition(name)
    return import_divisions(
        path=spec.path,
        valid_from=spec.valid_from,
        valid_until=spec.valid_until,
        levels=spec.levels,
        unit_type_from=spec.unit_type_from,
        dry_run=dry_run,
        by=by,
        reconcile=spec.reconcile,
    )


def import_divisions(
    *,
    path: Path,
    valid_from: date | None,
    valid_until: date | None,
    levels: Sequence[str] | None = None,
    unit_type_from: str | None = None,
    dry_run: bool = False,
    by: Any = None,
    batch_size: int = BATCH_SIZE,
    reconcile: bool = False,
) -> ImportResult:
    """Validate the whole file, then create or update its units in one transaction.

    With ``reconcile``, units are matched by code and name (``units.reconcile``) and every
    change of code or name is reported in ``result.changes``.
    """
    if valid_from and valid_until and valid_until < valid_from:
        raise DivisionsImportError("valid_until is before valid_from.")
    text = read_text(path)
    if levels is None or unit_type_from is None:
        detected_levels, detected_rule = detect_shape(text)
        levels = levels or detected_levels
        unit_type_from = unit_type_from or detected_rule
    level_rows = {level.code: level for level in UnitLevel.objects.filter(code__in=levels)}
    missing = [code for code in levels if code not in level_rows]
    if missing:
        raise DivisionsImportError(f"Level(s) not defined in the database: {', '.join(missing)}.")
    entries = validate(
        text,
        source=str(path),
        levels=levels,
        widths={code: row.code_width for code, row in level_rows.items()},
        unit_type_from=unit_type_from,
    )
    result = ImportResult(str(path), valid_from, valid_until, dry_run)
    with transaction.atomic():
        writer = _Writer(
            entries=entries,
            levels=[level_rows[code] for code in levels],
            valid_from=valid_from,
            valid_until=valid_until,
            by=by,
            reason=f"import_divisions {path.name}",
            batch_size=batch_size,
            result=result,
        )
        if reconcile:
            from units.reconcile import ReconcilingWriter

            result.changes = ReconcilingWriter(writer).write()
        else:
            writer.write()
        if dry_run:
            transaction.set_rollback(True)
    return result


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
