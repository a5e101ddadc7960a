"""The "Kính gửi" and "Nơi nhận" a letter writes, from its recipients and named groups."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from directives import selectors
from directives.models import (
    Directive,
    GroupPlacement,
)
from directives.services.drafting import _letter_day
from portal.text import fold
from units.models import AdministrativeUnit, BodyKind, UnitType
from units.naming import in_sentence
from users import scope

# line ("Ủy ban nhân dân các xã, phường"); shorter lists name every recipient.
LONG_ADDRESSEE_LIST = 5

# The words for the types of unit in a collective line, in the order letters write them
# ("các huyện, thị xã, thành phố", "các xã, phường, thị trấn").
_TYPE_WORDS: tuple[tuple[str, str], ...] = (
    (UnitType.PROVINCE, "tỉnh"),
    (UnitType.CENTRAL_CITY, "thành phố"),
    (UnitType.RURAL_DISTRICT, "huyện"),
    (UnitType.URBAN_DISTRICT, "quận"),
    (UnitType.TOWN, "thị xã"),
    (UnitType.CITY, "thành phố"),
    (UnitType.COMMUNE, "xã"),
    (UnitType.WARD, "phường"),
    (UnitType.TOWNSHIP, "thị trấn"),
    (UnitType.SPECIAL_ZONE, "đặc khu"),
)

# Kinds of body that every unit has one of, named collectively by the kind's own name. A
# letter to a unit as a whole is a letter to its People's Committee.
_COLLECTIVE_NAMES: dict[str, str] = {
    BodyKind.PEOPLES_COMMITTEE: "Ủy ban nhân dân",
    BodyKind.PEOPLES_COUNCIL: "Hội đồng nhân dân",
}


@dataclass
class _Addressee:
    text: str
    kind: str  # the collective kind it may be folded into, or ""
    unit_id: int
    group: str = ""  # the collective line that replaced it, once folded


def _type_words(unit_types: Iterable[str]) -> str:
    present = set(unit_types)
    words: list[str] = []
    for unit_type, word in _TYPE_WORDS:
        if unit_type in present and word not in words:
            words.append(word)
    return ", ".join(words)


def default_addressees(directive: Directive) -> str:
    """``Kính gửi`` lines written from the recipients when the sender left them blank.

    Each recipient on a line of its own; in a long list, the People's Committees (or
    Councils) of every unit of one level in an area, as they stood on the letter's date,
    become one line: "Ủy ban nhân dân các xã, phường" for the issuer's whole area, "… các
    xã, thị trấn thuộc huyện Cẩm Thủy" for a part of it.
    """
    receipts = directive.receipts.select_related("unit", "unit__level", "body").order_by(
        "unit__path", "body__name"
    )
    named = selectors.named_groups(directive)
    entries = []
    for receipt in receipts:
        groups = [group for group in named if group.holds(receipt)]
        if groups and not any(g.placement == GroupPlacement.ADDRESSEE for g in groups):
            continue  # a member of a group written in "Nơi nhận" only
        if receipt.body_id and receipt.body:
            kind = receipt.body.kind if receipt.body.kind in _COLLECTIVE_NAMES else ""
            entry = _Addressee(receipt.body.name, kind, receipt.unit_id)
        else:
            text = f"Ủy ban nhân dân {in_sentence(receipt.unit.name)}"
            entry = _Addressee(text, BodyKind.PEOPLES_COMMITTEE, receipt.unit_id)
        # A member of a named group is written by the group's name.
        entry.group = next((g.name for g in groups if g.placement == GroupPlacement.ADDRESSEE), "")
        entries.append(entry)
    if len(entries) > LONG_ADDRESSEE_LIST:
        _fold_groups(directive, entries)
    lines: list[str] = []
    for entry in entries:
        line = entry.group or entry.text
        if line not in lines:
            lines.append(line)
    # Groups outside the portal are written for the record, after those that received it.
    outside = [g.name for g in named if g.placement == GroupPlacement.ADDRESSEE and g.outside]
    return "\n".join(_with_lines(lines, outside))


def _with_lines(lines: list[str], names: Iterable[str]) -> list[str]:
    """``lines`` and, after them, the names not already written (ignoring case and marks)."""
    written = {fold(line.strip().lstrip("-").strip().rstrip(";.,")) for line in lines}
    added = [name for name in names if fold(name) not in written]
    return [*lines, *added]


def letter_addressees(directive: Directive) -> str:
    """The "Kính gửi" lines a letter shows: as stored once issued; for a draft, as typed
    (or written from the recipients), with its named groups that are not written yet."""
    if not directive.is_draft:
        return directive.addressees
    typed = directive.addressees.strip()
    if not typed:
        return default_addressees(directive)
    names = [
        g.name for g in selectors.named_groups(directive) if g.placement == GroupPlacement.ADDRESSEE
    ]
    return "\n".join(_with_lines(typed.splitlines(), names))


def letter_distribution(directive: Directive) -> str:
    """The "Nơi nhận" lines a letter shows: as stored once issued; for a draft, as typed
    (or the default), with its named groups written in "Nơi nhận" before the file copy."""
    if not directive.is_draft:
        return directive.distribution
    typed = directive.distribution.strip()
    if not typed:
        return default_distribution(directive)
    names = [
        g.name for g in selectors.named_groups(directive) if g.placement == GroupPlacement.COPY
    ]
    lines = typed.splitlines()
    filed = [line for line in lines if fold(line.strip().lstrip("-").strip()).startswith("luu")]
    kept = [line for line in lines if line not in filed]
    return "\n".join([*_with_lines(kept, names), *filed])


def _fold_groups(directive: Directive, entries: list[_Addressee]) -> None:
    """Mark the entries that make up a complete group with the group's line (two queries)."""
    area = directive.issuer.unit
    units = list(
        AdministrativeUnit.objects.filter(
            scope.unit_in_force_q(_letter_day(directive)), path__startswith=area.path
        )
        .exclude(pk=area.pk)
        .only("pk", "path", "level_id", "unit_type", "name")
        .order_by("path")
    )
    by_path = {unit.path: unit for unit in units}
    # The groups under each unit of the area: its units of each level in force that day.
    groups: dict[int, dict[int, list[AdministrativeUnit]]] = defaultdict(dict)
    for unit in units:
        steps = unit.path.rstrip(".").split(".")[:-1]
        for depth in range(1, len(steps) + 1):
            above_path = ".".join(steps[:depth]) + "."
            above = area if above_path == area.path else by_path.get(above_path)
            if above is not None:
                groups[above.pk].setdefault(unit.level_id, []).append(unit)
    parents = [area, *units]  # the whole area first: the widest group wins
    for kind, collective in _COLLECTIVE_NAMES.items():
        pending = {entry.unit_id for entry in entries if entry.kind == kind and not entry.group}
        for parent in parents:
            for members in groups.get(parent.pk, {}).values():
                unit_ids = {unit.pk for unit in members}
                if len(unit_ids) < 2 or not unit_ids <= pending:
                    continue
                line = f"{collective} các {_type_words(unit.unit_type for unit in members)}"
                if parent.pk != area.pk:
                    line += f" thuộc {in_sentence(parent.name)}"
                for entry in entries:
                    if entry.kind == kind and entry.unit_id in unit_ids and not entry.group:
                        entry.group = line
                pending -= unit_ids


def default_distribution(directive: Directive) -> str:
    """``Nơi nhận``: the addressees ("Như trên"), the issuer's superior, and the file copy."""
    lines = ["Như trên"]
    lines += [
        g.name for g in selectors.named_groups(directive) if g.placement == GroupPlacement.COPY
    ]
    supervisor = directive.issuer.supervising_body
    if supervisor is not None:
        lines.append(f"{supervisor.short_name or supervisor.name} (b/c)")
    lines.append("Lưu: VT")
    return "\n".join(lines)
