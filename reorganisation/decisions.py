"""Choices a person makes: a target per old commune, per-body overrides (JSON or CSV)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reorganisation.table import ReorganisationError

MOVE = "move"
MERGE = "merge"
ARCHIVE = "archive"
ACTIONS = (MOVE, MERGE, ARCHIVE)


@dataclass(frozen=True)
class BodyDecision:
    action: str
    target_code: str = ""
    target_level: str = ""


@dataclass
class Decisions:
    """Choices made by a person: a target per old commune, and per-body overrides."""

    communes: dict[str, str] = field(default_factory=dict)  # old code → new code or "archive"
    bodies: dict[int, BodyDecision] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "communes": dict(sorted(self.communes.items())),
            "bodies": {
                str(pk): {
                    "action": d.action,
                    "target_code": d.target_code,
                    "target_level": d.target_level,
                }
                for pk, d in sorted(self.bodies.items())
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Decisions:
        decisions = cls()
        errors: list[str] = []
        for old, target in (data.get("communes") or {}).items():
            decisions.communes[str(old).strip()] = str(target).strip()
        for pk, spec in (data.get("bodies") or {}).items():
            try:
                body_id = int(pk)
            except ValueError:
                errors.append(f"body id {pk!r} is not a number")
                continue
            if isinstance(spec, str):
                spec = {"action": spec}
            action = str(spec.get("action", "")).strip().lower()
            if action not in ACTIONS:
                errors.append(f"body {body_id}: action {action!r} is not one of {ACTIONS}")
                continue
            decisions.bodies[body_id] = BodyDecision(
                action=action,
                target_code=str(spec.get("target_code", "") or "").strip(),
                target_level=str(spec.get("target_level", "") or "").strip(),
            )
        if errors:
            raise ReorganisationError("Bad decisions: " + "; ".join(errors))
        return decisions


def read_decisions(path: Path) -> Decisions:
    """A decisions file: JSON (``{"communes": …, "bodies": …}``) or CSV (see the docs)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ReorganisationError(f"Cannot read the decisions file {path}: {exc}") from exc
    if path.suffix.lower() == ".json":
        try:
            return Decisions.from_json(json.loads(text))
        except ValueError as exc:
            raise ReorganisationError(f"The decisions file is not valid JSON: {exc}") from exc
    communes: dict[str, str] = {}
    bodies: dict[str, dict[str, str]] = {}
    for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        row = {key.strip(): (value or "").strip() for key, value in row.items() if key}
        body_id, old, action = row.get("body_id", ""), row.get("old_commune_code", ""), ""
        action = row.get("action", "").lower()
        target = row.get("target_code", "")
        if body_id:
            bodies[body_id] = {
                "action": action,
                "target_code": target,
                "target_level": row.get("target_level", ""),
            }
        elif old:
            if action == ARCHIVE:
                communes[old] = ARCHIVE
            elif target:
                communes[old] = target
        elif any(row.values()):
            raise ReorganisationError(f"{path}:{number}: neither old_commune_code nor body_id")
    return Decisions.from_json({"communes": communes, "bodies": bodies})
