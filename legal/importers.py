"""Reading and validating library files, before anything is written.

A file is checked whole — keys, ids, parents, cycles, kinds, statuses — and every fault is
reported with the id of the node or criterion at fault, so that a bad file loads nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from legal.models import CriterionLevel, LibraryContent, Measure, NodeKind, TextStatus
from portal.text import nfc

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_LIBRARY_FILE = DATA_DIR / "decision-874.json"
DEFAULT_CRITERIA_FILE = DATA_DIR / "criteria-874.json"

# Versions are ISO dates ("2026-11-23") or dotted numbers ("1.2"): both compare as integers.
_VERSION_RE = re.compile(r"\d+(?:[.-]\d+)*")
_ID_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:-]*")


class LegalImportError(ValueError):
    """A library file that cannot be loaded; ``errors`` lists every fault found."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors))


def version_key(version: str) -> tuple[int, ...]:
    """Sort key of a version: "2026-11-23" < "2027-01-05", "1.10" > "1.9"."""
    return tuple(int(part) for part in re.findall(r"\d+", version))


@dataclass(frozen=True)
class NodeData:
    ref: str
    parent: str | None
    kind: str
    number: str
    title: str
    text: str
    text_status: str
    source: str
    order: int
    depth: int
    origin: str = ""
    origin_en: str = ""


@dataclass(frozen=True)
class CriterionData:
    ref: str
    title: str
    title_en: str
    cites: tuple[str, ...]
    measure: str
    level: str
    notes: str
    order: int
    rationale: str = ""
    rationale_en: str = ""


@dataclass(frozen=True)
class LibraryFile:
    """A validated file: its header and either nodes (a text) or criteria."""

    library_id: str
    content: str
    version: str
    checksum: str
    title: str = ""
    issuer: str = ""
    issued_on: date | None = None
    in_force_from: date | None = None
    locale: str = "vi"
    notes: str = ""
    nodes: tuple[NodeData, ...] = field(default_factory=tuple)
    criteria: tuple[CriterionData, ...] = field(default_factory=tuple)

    @property
    def item_count(self) -> int:
        return len(self.nodes) + len(self.criteria)


def read_file(path: Path | str) -> LibraryFile:
    """Read and validate a library or criteria file (JSON)."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LegalImportError([f"{path}: cannot be read as JSON ({exc})"]) from exc
    return parse(raw)


def checksum(raw: Any) -> str:
    """SHA-256 of the file's content, independent of key order and spacing."""
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(nfc(canonical).encode("utf-8")).hexdigest()


def parse(raw: Any) -> LibraryFile:
    """Validate a decoded file; raise LegalImportError listing every fault."""
    if not isinstance(raw, dict):
        raise LegalImportError(["the file must hold a JSON object"])
    errors: list[str] = []
    library_id = _text(raw.get("library"))
    version = _text(raw.get("version"))
    if not library_id or not _ID_RE.fullmatch(library_id):
        errors.append("header: 'library' (an id such as 'qd874') is missing or malformed")
    if not _VERSION_RE.fullmatch(version):
        errors.append(
            f"header: 'version' {version!r} must be an ISO date (2026-11-23) or dotted numbers"
        )
    has_nodes, has_criteria = "nodes" in raw, "criteria" in raw
    if has_nodes == has_criteria:
        errors.append("header: the file must have either a 'nodes' or a 'criteria' list")
        raise LegalImportError(errors)
    issued_on = _date(raw.get("issued_on"), "issued_on", errors)
    in_force_from = _date(raw.get("in_force_from"), "in_force_from", errors)
    nodes: tuple[NodeData, ...] = ()
    criteria: tuple[CriterionData, ...] = ()
    if has_nodes:
        if not _text(raw.get("title")):
            errors.append("header: 'title' is missing")
        nodes = _parse_nodes(raw["nodes"], errors)
    else:
        criteria = _parse_criteria(raw["criteria"], errors)
    if errors:
        raise LegalImportError(errors)
    return LibraryFile(
        library_id=library_id,
        content=LibraryContent.TEXT if has_nodes else LibraryContent.CRITERIA,
        version=version,
        checksum=checksum(raw),
        title=_text(raw.get("title")),
        issuer=_text(raw.get("issuer")),
        issued_on=issued_on,
        in_force_from=in_force_from,
        locale=_text(raw.get("locale")) or "vi",
        notes=_text(raw.get("notes")),
        nodes=nodes,
        criteria=criteria,
    )


def _text(value: Any) -> str:
    return nfc(value).strip() if isinstance(value, str) else ""


def _date(value: Any, key: str, errors: list[str]) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.append(f"header: '{key}' {value!r} is not a date (yyyy-mm-dd)")
        return None


_NODE_KEYS = {"id", "parent", "kind", "text_status"}
_OPTIONAL_STRINGS = ("number", "title", "text", "source", "origin", "origin_en")


def _parse_nodes(items: Any, errors: list[str]) -> tuple[NodeData, ...]:
    if not isinstance(items, list) or not items:
        errors.append("'nodes' must be a non-empty list")
        return ()
    parents: dict[str, str | None] = {}
    checked: list[dict[str, Any]] = []
    for position, item in enumerate(items, start=1):
        where = f"node #{position}"
        if not isinstance(item, dict):
            errors.append(f"{where}: must be an object")
            continue
        ref = _text(item.get("id"))
        where = f"node {ref!r}" if ref else where
        missing = sorted(_NODE_KEYS - set(item))
        if missing:
            errors.append(f"{where}: missing key(s) {', '.join(missing)}")
            continue
        if not _ID_RE.fullmatch(ref):
            errors.append(f"{where}: 'id' is missing or malformed")
            continue
        if ref in parents:
            errors.append(f"{where}: duplicate id")
            continue
        if item["kind"] not in NodeKind.values:
            errors.append(
                f"{where}: kind {item['kind']!r} is not one of {', '.join(NodeKind.values)}"
            )
        if item["text_status"] not in TextStatus.values:
            errors.append(
                f"{where}: text_status {item['text_status']!r} is not one of "
                f"{', '.join(TextStatus.values)}"
            )
        for key in _OPTIONAL_STRINGS:
            if item.get(key) is not None and not isinstance(item[key], str):
                errors.append(f"{where}: '{key}' must be a string or null")
        parent = item["parent"]
        if parent is not None and not isinstance(parent, str):
            errors.append(f"{where}: 'parent' must be an id or null")
            parent = None
        parents[ref] = parent
        checked.append(item)
    for ref, parent in parents.items():
        if parent is not None and parent not in parents:
            errors.append(f"node {ref!r}: parent {parent!r} is not in the file")
    depths = _depths(parents, errors)
    return tuple(
        NodeData(
            ref=_text(item["id"]),
            parent=item["parent"],
            kind=item["kind"],
            number=_text(item.get("number")),
            title=_text(item.get("title")),
            text=_text(item.get("text")),
            text_status=item["text_status"],
            source=_text(item.get("source")),
            order=order,
            depth=depths.get(_text(item["id"]), 0),
            origin=_text(item.get("origin")),
            origin_en=_text(item.get("origin_en")),
        )
        for order, item in enumerate(checked, start=1)
    )


def _depths(parents: dict[str, str | None], errors: list[str]) -> dict[str, int]:
    """Depth of every node from its root; a cycle is reported once, by one of its ids."""
    depths: dict[str, int] = {}
    in_cycle: set[str] = set()
    for start in parents:
        chain: list[str] = []
        ref: str | None = start
        while ref is not None and ref in parents and ref not in depths:
            if ref in chain:
                if ref not in in_cycle:
                    cycle = chain[chain.index(ref) :]
                    in_cycle.update(cycle)
                    errors.append(f"node {ref!r}: parents form a cycle ({' → '.join(cycle)})")
                break
            chain.append(ref)
            ref = parents[ref]
        base = depths.get(ref, -1) if ref is not None else -1
        for offset, item in enumerate(reversed(chain), start=1):
            depths[item] = base + offset
    return depths


_CRITERION_KEYS = {"id", "title", "cites", "measure", "level"}


def _parse_criteria(items: Any, errors: list[str]) -> tuple[CriterionData, ...]:
    if not isinstance(items, list) or not items:
        errors.append("'criteria' must be a non-empty list")
        return ()
    seen: set[str] = set()
    result: list[CriterionData] = []
    for position, item in enumerate(items, start=1):
        where = f"criterion #{position}"
        if not isinstance(item, dict):
            errors.append(f"{where}: must be an object")
            continue
        ref = _text(item.get("id"))
        where = f"criterion {ref!r}" if ref else where
        missing = sorted(_CRITERION_KEYS - set(item))
        if missing:
            errors.append(f"{where}: missing key(s) {', '.join(missing)}")
            continue
        if not re.fullmatch(r"[a-z0-9_-]+", ref):
            errors.append(f"{where}: 'id' must be lower-case letters, digits, _ or -")
            continue
        if ref in seen:
            errors.append(f"{where}: duplicate id")
            continue
        seen.add(ref)
        if not _text(item["title"]):
            errors.append(f"{where}: 'title' is empty")
        if item["measure"] not in Measure.values:
            errors.append(
                f"{where}: measure {item['measure']!r} is not one of {', '.join(Measure.values)}"
            )
        if item["level"] not in CriterionLevel.values:
            errors.append(
                f"{where}: level {item['level']!r} is not one of {', '.join(CriterionLevel.values)}"
            )
        for key in ("title_en", "notes", "rationale", "rationale_en"):
            if item.get(key) is not None and not isinstance(item[key], str):
                errors.append(f"{where}: '{key}' must be a string or null")
        cites = item["cites"]
        if not isinstance(cites, list) or not all(isinstance(c, str) for c in cites):
            errors.append(f"{where}: 'cites' must be a list of node ids")
            cites = []
        result.append(
            CriterionData(
                ref=ref,
                title=_text(item["title"]),
                title_en=_text(item.get("title_en")),
                cites=tuple(dict.fromkeys(cites)),
                measure=item["measure"],
                level=item["level"],
                notes=_text(item.get("notes")),
                order=position,
                rationale=_text(item.get("rationale")),
                rationale_en=_text(item.get("rationale_en")),
            )
        )
    return tuple(result)
