"""Validating a divisions file: every entry checked, its unit type read, or the first fault."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from portal.text import nfc
from units.importers.editions import TYPE_FROM_DIVISION_TYPE, TYPE_FROM_NAME
from units.importers.errors import DivisionsFileError
from units.importers.reading import line_and_column, locate
from units.models import AdministrativeUnit, UnitType

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


_CODENAME = re.compile(r"^[-a-zA-Z0-9_]*$")


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
