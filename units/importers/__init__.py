"""Import an official list of administrative divisions (an "edition") into the unit tree.

The importer validates the whole file first and writes nothing unless every entry is good;
then it writes set-based (a few bulk statements per level) in one transaction. It is
idempotent: a unit's natural key is (level, code, valid_from), so re-running an import
updates only what changed and two editions (three-tier until 30/06/2025, two-tier from
01/07/2025) live side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction

from units.importers.editions import DIVISIONS_DIR, Edition, edition, editions, parse_date
from units.importers.errors import DivisionsFileError, DivisionsImportError
from units.importers.reading import read_text
from units.importers.validation import detect_shape, validate
from units.importers.writer import BATCH_SIZE, ImportResult, _Writer
from units.models import UnitLevel

__all__ = [
    "DIVISIONS_DIR",
    "DivisionsFileError",
    "DivisionsImportError",
    "Edition",
    "ImportResult",
    "edition",
    "editions",
    "import_divisions",
    "import_edition",
    "parse_date",
]


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
