"""The editions shipped with the portal (the manifest), and the dates they are read with."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from units.importers.errors import DivisionsImportError

# The shipped files sit in the app, one level above this package.
DIVISIONS_DIR = Path(__file__).resolve().parent.parent / "data" / "divisions"
EDITIONS_FILE = DIVISIONS_DIR / "editions.json"


TYPE_FROM_NAME = "name"
TYPE_FROM_DIVISION_TYPE = "division_type"


_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


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
            # A calendar date, not a moment: no time zone applies.
            return datetime.strptime(value.strip(), fmt).date()  # noqa: DTZ007
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
