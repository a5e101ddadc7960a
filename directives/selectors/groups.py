"""The named groups of a letter, the tasks it gives each recipient, and the figures asked."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from directives.models import (
    AskedFigure,
    Directive,
    GroupPlacement,
    Instruction,
    NamedGroup,
    Receipt,
)


@dataclass
class GroupView:
    """A named group of a letter with the ids of its members in the portal."""

    pk: int
    directive_id: int
    position: int
    name: str
    kind: str
    placement: str
    task_numbers: list[int]
    unit_ids: set[int] = field(default_factory=set)
    body_ids: set[int] = field(default_factory=set)

    @property
    def outside(self) -> bool:
        """No member in the portal: written on the letter for the record, no inbox."""
        return not self.unit_ids and not self.body_ids

    @property
    def member_count(self) -> int:
        return len(self.unit_ids) + len(self.body_ids)

    @property
    def is_addressee(self) -> bool:
        return self.placement == GroupPlacement.ADDRESSEE

    def holds(self, receipt: Receipt) -> bool:
        """Whether ``receipt`` was delivered as one of this group's members: the body, or
        the unit as a whole (or its People's Committee, which answers for it)."""
        if receipt.body_id is not None:
            if receipt.body_id in self.body_ids:
                return True
            body = receipt.body
            return (
                body is not None
                and body.kind == "peoples_committee"
                and receipt.unit_id in self.unit_ids
            )
        return receipt.unit_id in self.unit_ids


def named_groups_of(directive_ids: Iterable[int]) -> dict[int, list[GroupView]]:
    """The named groups of these directives with their members, in three queries."""
    ids = list(directive_ids)
    if not ids:
        return {}
    groups = {
        group.pk: GroupView(
            pk=group.pk,
            directive_id=group.directive_id,
            position=group.position,
            name=group.name,
            kind=group.kind,
            placement=group.placement,
            task_numbers=[int(n) for n in group.task_numbers],
        )
        for group in NamedGroup.objects.filter(directive_id__in=ids).order_by(
            "directive_id", "position"
        )
    }
    if groups:
        units = NamedGroup.units.through.objects.filter(namedgroup_id__in=list(groups))
        for group_id, unit_id in units.values_list("namedgroup_id", "administrativeunit_id"):
            groups[group_id].unit_ids.add(unit_id)
        bodies = NamedGroup.bodies.through.objects.filter(namedgroup_id__in=list(groups))
        for group_id, body_id in bodies.values_list("namedgroup_id", "body_id"):
            groups[group_id].body_ids.add(body_id)
    found: dict[int, list[GroupView]] = defaultdict(list)
    for group in groups.values():
        found[group.directive_id].append(group)
    return found


def named_groups(directive: Directive) -> list[GroupView]:
    return named_groups_of([directive.pk]).get(directive.pk, [])


def task_numbers_for(receipt: Receipt, groups: list[GroupView], count: int) -> list[int]:
    """The numbers of the instructions for ``receipt``: those addressed to a group it
    belongs to, and those no group is given (they are for everyone)."""
    given = {n for group in groups for n in group.task_numbers}
    own = {n for group in groups if group.holds(receipt) for n in group.task_numbers}
    return [n for n in range(1, count + 1) if n in own or n not in given]


@dataclass(frozen=True)
class ReceiptTasks:
    """What a letter asks of one recipient: its instructions first, then the others."""

    groups: list[GroupView]  # the named groups it belongs to
    own: list[Instruction]
    others: list[Instruction]
    asked: list[AskedFigure]

    @property
    def targeted(self) -> bool:
        """Whether the letter gives different tasks to different recipients."""
        return bool(self.others)


def tasks_by_receipt(
    receipts: list[Receipt], *, targeted_only: bool = False
) -> dict[int, ReceiptTasks]:
    """For each receipt, its tasks and the figures asked of it, in five queries whatever
    the number of receipts (inbox pages, a recipient's copy). ``targeted_only``: only for
    the letters that give different tasks to different groups (one query when none does).
    """
    directive_ids = {receipt.directive_id for receipt in receipts}
    groups = named_groups_of(directive_ids)
    if targeted_only:
        directive_ids = {pk for pk, found in groups.items() if any(g.task_numbers for g in found)}
    instructions: dict[int, list[Instruction]] = defaultdict(list)
    for item in Instruction.objects.filter(directive_id__in=directive_ids).order_by(
        "directive_id", "position"
    ):
        instructions[item.directive_id].append(item)
    asked: dict[int, list[AskedFigure]] = defaultdict(list)
    for figure in AskedFigure.objects.filter(directive_id__in=directive_ids).order_by(
        "directive_id", "position"
    ):
        asked[figure.directive_id].append(figure)
    found = {}
    for receipt in receipts:
        if receipt.directive_id not in directive_ids:
            found[receipt.pk] = ReceiptTasks(groups=[], own=[], others=[], asked=[])
            continue
        letter_groups = groups.get(receipt.directive_id, [])
        items = instructions.get(receipt.directive_id, [])
        numbers = set(task_numbers_for(receipt, letter_groups, len(items)))
        found[receipt.pk] = ReceiptTasks(
            groups=[group for group in letter_groups if group.holds(receipt)],
            own=[item for item in items if item.position in numbers],
            others=[item for item in items if item.position not in numbers],
            asked=[
                figure
                for figure in asked.get(receipt.directive_id, [])
                if figure.task_number is None or figure.task_number in numbers
            ],
        )
    return found


def tasks_of(receipt: Receipt) -> ReceiptTasks:
    return tasks_by_receipt([receipt])[receipt.pk]
