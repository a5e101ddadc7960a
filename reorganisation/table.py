"""The conversion tables shipped (old commune → new communes), read into codes of the levels."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from units.importers import DIVISIONS_DIR
from units.models import UnitLevel


@dataclass(frozen=True)
class ConversionSpec:
    name: str
    path: Path
    edition: str  # a shipped edition (editions.json) …
    legal_basis: str = ""
    edition_file: Path | None = None  # … or a two-tier file (tests, one-off tables)


CONVERSION_TABLES = {
    "conversion-2025-07": ConversionSpec(
        name="conversion-2025-07",
        path=DIVISIONS_DIR / "vn-ward-conversion-2025-07.json.gz",
        edition="two-tier-2026-09",
        legal_basis=(
            "Nghị quyết số 202/2025/QH15 và các Nghị quyết của Ủy ban Thường vụ Quốc hội "
            "về sắp xếp đơn vị hành chính cấp xã năm 2025"
        ),
    ),
}


class ReorganisationError(Exception):
    """The plan cannot be built or applied (bad table, bad decisions, choices missing)."""


@dataclass(frozen=True)
class TableEntry:
    old_code: str
    old_district_code: str
    old_province_code: str
    partly: bool
    new: tuple[tuple[str, str], ...]  # (commune code, province code)


@dataclass
class ConversionTable:
    effective_on: date
    entries: list[TableEntry]
    source: str = ""


def _widths() -> dict[str, int]:
    return dict(UnitLevel.objects.values_list("code", "code_width"))


def read_table(path: Path) -> ConversionTable:
    """The conversion table, codes zero-padded to the widths of the levels."""
    try:
        raw = path.read_bytes()
        data = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
    except (OSError, ValueError) as exc:
        raise ReorganisationError(f"Cannot read the conversion table {path}: {exc}") from exc
    widths = _widths()

    def code(value: Any, level: str) -> str:
        return f"{int(value):0{widths[level]}d}"

    try:
        entries = [
            TableEntry(
                old_code=code(row["old_code"], "commune"),
                old_district_code=code(row["old_district_code"], "district"),
                old_province_code=code(row["old_province_code"], "province"),
                partly=bool(row.get("partly")),
                new=tuple(
                    (code(new["code"], "commune"), code(new["province_code"], "province"))
                    for new in row["new"]
                ),
            )
            for row in data["entries"]
        ]
        effective_on = date.fromisoformat(data["effective_date"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ReorganisationError(f"Malformed conversion table {path}: {exc!r}") from exc
    return ConversionTable(effective_on=effective_on, entries=entries, source=path.name)
