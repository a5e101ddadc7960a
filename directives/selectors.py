"""Reads of directives for a user, all through ``users.scope``.

Who sees what:
- the issuing side (staff of the issuing body, officers over its unit) sees the directive,
  drafts included, and every receipt of it;
- a recipient sees the issued directive and its own receipt; an officer also sees the
  receipts of the units below them, so a province follows the whole chain;
- the directive is managed (edited while a draft, issued, reminders sent) by those who may
  issue for its issuing body (``scope.issuing_bodies``);
- a receipt is answered (acknowledged, reported on) by those it is addressed to
  (``scope.addressed_to``), while its recipient has not ceased (``receipt_open_q``).

Dates: only units in force and bodies open on a letter's date may be addressed, and only
those whose role assignments are in force are told or may act (``users.scope``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from directives.models import (
    AskedFigure,
    Attachment,
    Directive,
    DirectiveState,
    GroupPlacement,
    ImplementationReport,
    Instruction,
    NamedGroup,
    PaperLetter,
    Receipt,
    ReportFigure,
)
from portal.text import fold
from units.models import AdministrativeUnit, Body
from users import scope
from users.models import Role, RoleAssignment, User


def _issuer_side(user: Any) -> QuerySet[Directive]:
    return scope.restrict(
        user, Directive.objects.all(), unit_path="issuer__unit__path", body="issuer"
    )


def receipts_in_reach(user: Any) -> QuerySet[Receipt]:
    """Receipts addressed to the user, or to units and bodies in the user's subtree."""
    below = scope.restrict(user, Receipt.objects.all(), unit_path="unit__path", body="body")
    addressed = scope.addressed_to(user, Receipt.objects.all())
    return Receipt.objects.filter(Q(pk__in=below.values("pk")) | Q(pk__in=addressed.values("pk")))


def directives_for(user: Any) -> QuerySet[Directive]:
    """Every directive the user may read."""
    received = receipts_in_reach(user).filter(directive__state=DirectiveState.ISSUED)
    return Directive.objects.filter(
        Q(pk__in=_issuer_side(user).values("pk")) | Q(pk__in=received.values("directive_id"))
    ).select_related(
        "issuer", "issuer__unit", "implements", "implements__issuer", "implements_paper"
    )


def manageable(user: Any) -> QuerySet[Directive]:
    """Directives the user may edit, issue and send reminders for."""
    return Directive.objects.filter(issuer__in=scope.issuing_bodies(user)).select_related(
        "issuer", "issuer__unit"
    )


def can_manage(user: Any, directive: Directive) -> bool:
    return scope.issuing_bodies(user).filter(pk=directive.issuer_id).exists()


def get_directive_or_404(user: Any, pk: Any) -> Directive:
    try:
        return directives_for(user).get(pk=pk)
    except (Directive.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_managed_or_404(user: Any, pk: Any) -> Directive:
    try:
        return manageable(user).get(pk=pk)
    except (Directive.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def receipts_for(user: Any) -> QuerySet[Receipt]:
    """Receipts the user may read: all of a directive they issue or oversee (drafts
    included), else their own once issued."""
    issuer_side = _issuer_side(user).values("pk")
    return Receipt.objects.filter(
        Q(directive__in=issuer_side)
        | Q(pk__in=receipts_in_reach(user).values("pk"), directive__state=DirectiveState.ISSUED)
    )


def _own_issuers_q(user: Any, prefix: str = "") -> Q | None:
    """The letters issued by the bodies the user acts for (``prefix`` leads to the
    directive): those of the unit an officer is anchored on, a staff member's own body.
    None when the user acts for no body. (An administrator acts for no recipient: see
    ``_incoming``.)"""
    grants = scope.grants_for(user)
    conditions: list[Q] = []
    if grants.acting_subtree_paths:
        conditions.append(
            Q(**{f"{prefix}issuer__unit__path__in": list(grants.acting_subtree_paths)})
        )
    if grants.acting_body_ids:
        conditions.append(Q(**{f"{prefix}issuer_id__in": sorted(grants.acting_body_ids)}))
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined


def _incoming(user: Any) -> QuerySet[Receipt]:
    """Issued letters addressed to what the user answers for, issued by someone else.

    A district's People's Committee writing to its own culture office is a letter *out* for
    the district's officer, who acts for both: it is not in their inbox, and they owe
    nothing on it (the office's staff do, and find it in theirs).
    """
    if scope.grants_for(user).is_admin:
        # An administrator may read every letter ("All directives") but answers none.
        return Receipt.objects.none()
    addressed = scope.addressed_to(
        user, Receipt.objects.filter(directive__state=DirectiveState.ISSUED)
    )
    own = _own_issuers_q(user, "directive__")
    return addressed.exclude(own) if own is not None else addressed


def inbox_for(user: Any) -> QuerySet[Receipt]:
    """Issued directives addressed to what the user answers for, by someone else, newest
    first."""
    return (
        _incoming(user)
        .select_related("directive", "directive__issuer", "directive__issuer__unit", "unit", "body")
        .annotate(report_count=Count("reports"))
        .order_by("-directive__issued_on", "-delivered_at", "-pk")
    )


def outgoing_for(user: Any) -> QuerySet[Directive]:
    """The letters the user's side wrote: issued (or drafted) by the bodies the user issues
    for, or by the user; with, per letter, its recipients, those who reported and those
    late (whose recipient has not ceased). Newest first; one query per page."""
    grants = scope.grants_for(user)
    mine = Q(created_by=user) | Q(issued_by=user)
    if grants.subtree_paths:
        # Seeing, not acting: the letters of an abolished district stay in its history.
        mine |= Q(issuer__unit__path__in=list(grants.subtree_paths))
    if grants.body_ids:
        mine |= Q(issuer_id__in=sorted(grants.body_ids))
    today = scope.acting_day()
    late = Q(receipts__reported_at__isnull=True, report_deadline__lt=today) & receipt_open_q(
        today, "receipts__"
    )
    return (
        Directive.objects.filter(mine)
        .exclude(state=DirectiveState.ARCHIVED)
        .select_related("issuer", "issuer__unit", "implements", "implements__issuer")
        .annotate(
            recipient_count=Count("receipts", distinct=True),
            reported_count=Count(
                "receipts", filter=Q(receipts__reported_at__isnull=False), distinct=True
            ),
            late_count=Count("receipts", filter=late, distinct=True),
        )
        .order_by("-issued_on", "-created_at", "-pk")
    )


def receipt_open_q(day: date, prefix: str = "") -> Q:
    """Receipts whose recipient has not ceased on ``day``, so they can still be answered.

    A receipt addressed to one body follows that body (it may have moved to a new unit in
    a reorganisation and go on working); one addressed to a unit as a whole needs the unit.
    """
    body_receipt = Q(**{f"{prefix}body__isnull": False}) & scope.body_open_q(day, f"{prefix}body__")
    unit_receipt = Q(**{f"{prefix}body__isnull": True}) & scope.unit_in_force_q(
        day, f"{prefix}unit__"
    )
    return body_receipt | unit_receipt


def recipient_ceased(receipt: Receipt, day: date | None = None) -> bool:
    """Whether the recipient of ``receipt`` has ceased (closed unit, archived body)."""
    day = day or scope.acting_day()
    if receipt.body_id and receipt.body is not None:
        return not scope.body_open(receipt.body, day)
    return not scope.unit_in_force(receipt.unit, day)


def answerable(user: Any, receipt: Receipt) -> bool:
    """Whether ``user`` may acknowledge and report on ``receipt`` (not once it ceased)."""
    return (
        scope.addressed_to(user, Receipt.objects.filter(pk=receipt.pk))
        .filter(receipt_open_q(scope.acting_day()))
        .exists()
    )


def get_receipt_or_404(user: Any, pk: Any) -> Receipt:
    try:
        return (
            receipts_for(user)
            .select_related("directive", "directive__issuer", "unit", "unit__level", "body")
            .get(pk=pk)
        )
    except (Receipt.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_answerable_or_404(user: Any, pk: Any) -> Receipt:
    try:
        return (
            scope.addressed_to(user, Receipt.objects.filter(directive__state=DirectiveState.ISSUED))
            .select_related("directive", "directive__issuer", "unit", "body")
            .get(pk=pk)
        )
    except (Receipt.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_attachment_or_404(user: Any, pk: Any) -> Attachment:
    """A file of a directive or report the user may read."""
    visible = Attachment.objects.filter(
        Q(directive__in=directives_for(user).values("pk"))
        | Q(report__receipt__in=receipts_for(user).values("pk"))
    )
    try:
        return visible.get(pk=pk)
    except (Attachment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def filter_directives(
    queryset: QuerySet[Directive], *, q: str = "", state: str = "", issuer: Any = None
) -> QuerySet[Directive]:
    if state:
        queryset = queryset.filter(state=state)
    if issuer:
        queryset = queryset.filter(issuer_id=issuer)
    if q:
        folded = fold(q)
        queryset = queryset.filter(search_text__contains=folded)
    return queryset


# --- The sender's table -------------------------------------------------------------------


def ceased_on(receipt: Receipt, day: date | None = None) -> date | None:
    """The day the recipient of ``receipt`` ceased, if it had by ``day`` (today): a body
    archived, or the unit it belonged to (or the unit addressed) no longer in force after
    its last day. None while it can still answer. No query when the body's unit is loaded.
    """
    day = day or scope.acting_day()
    if receipt.body_id and receipt.body is not None:
        body = receipt.body
        if scope.body_open(body, day):
            return None
        ends = [body.unit.valid_until] if body.unit.valid_until else []
        if body.archived_at is not None:
            ends.append(timezone.localdate(body.archived_at))
        ended = [end for end in ends if end <= day]
        return min(ended) if ended else None
    unit = receipt.unit
    if scope.unit_in_force(unit, day) or unit.valid_until is None:
        return None
    return unit.valid_until if unit.valid_until < day else None


@dataclass(frozen=True)
class ReceiptRow:
    """One line of a directive's table of recipients."""

    receipt: Receipt
    report_count: int
    last_reminder_at: Any
    implementations: list[Directive]
    # The day the recipient ceased (a unit abolished, a body archived): it can no longer
    # answer, so it is not late, and nobody is left to remind.
    ceased_on: date | None = None

    @property
    def overdue(self) -> bool:
        return self.ceased_on is None and self.receipt.is_overdue()

    @property
    def awaited(self) -> bool:
        """Still expected to answer: not reported, and not ceased."""
        return self.ceased_on is None and self.receipt.reported_at is None


def receipt_rows(directive: Directive, today: date | None = None) -> list[ReceiptRow]:
    """Every recipient of ``directive`` with its state, in a fixed number of queries (3)."""
    today = today or scope.acting_day()
    receipts = list(
        directive.receipts.select_related("unit", "unit__level", "body", "body__unit", "directive")
        .annotate(
            report_count=Count("reports", distinct=True), last_reminder_at=Max("reminders__sent_at")
        )
        .order_by("unit__path", "body__name", "pk")
    )
    implementations = implementations_by_issuer(directive)
    rows = []
    for receipt in receipts:
        found = [
            child
            for child in implementations
            if child.issuer_id == receipt.body_id
            or (receipt.body_id is None and child.issuer.unit_id == receipt.unit_id)
        ]
        rows.append(
            ReceiptRow(
                receipt=receipt,
                report_count=receipt.report_count,
                last_reminder_at=receipt.last_reminder_at,
                implementations=found,
                ceased_on=ceased_on(receipt, today),
            )
        )
    return rows


def implementations_by_issuer(directive: Directive) -> list[Directive]:
    return list(
        Directive.objects.filter(implements=directive, state=DirectiveState.ISSUED)
        .select_related("issuer", "issuer__unit")
        .order_by("issued_on", "pk")
    )


@dataclass(frozen=True)
class Tally:
    total: int
    opened: int
    acknowledged: int
    reported: int
    overdue: int  # late and still able to answer
    ceased: int = 0  # recipients that ceased before reporting: neither late nor awaited


def tally(rows: list[ReceiptRow]) -> Tally:
    return Tally(
        total=len(rows),
        opened=sum(1 for row in rows if row.receipt.read_at),
        acknowledged=sum(1 for row in rows if row.receipt.acknowledged_at),
        reported=sum(1 for row in rows if row.receipt.reported_at),
        overdue=sum(1 for row in rows if row.overdue),
        ceased=sum(1 for row in rows if row.ceased_on and not row.receipt.reported_at),
    )


def reports_of(directive: Directive) -> QuerySet[ImplementationReport]:
    return (
        ImplementationReport.objects.filter(receipt__directive=directive)
        .select_related("receipt", "receipt__unit", "receipt__body", "submitted_by")
        .prefetch_related(
            Prefetch("figures", queryset=ReportFigure.objects.order_by("position")),
            Prefetch("attachments", queryset=Attachment.objects.order_by("pk")),
        )
        .order_by("submitted_at", "pk")
    )


# --- The chain ------------------------------------------------------------------------------

# Province → district → commune → village: a chain is never deeper than the hierarchy.
MAX_CHAIN_DEPTH = 6


@dataclass
class ChainNode:
    directive: Directive
    tally: Tally | None
    children: list[ChainNode]
    late: list[Receipt]
    # The figures the letter asks, totalled over its recipients and the letters below.
    figures: list[FigureTotal] = field(default_factory=list)


def ancestors_of(user: Any, directive: Directive) -> list[Directive]:
    """The directives this one implements, nearest first, as far as the user may read."""
    visible = directives_for(user)
    found: list[Directive] = []
    current = directive
    for _ in range(MAX_CHAIN_DEPTH):
        if current.implements_id is None:
            break
        parent = visible.filter(pk=current.implements_id).first()
        if parent is None:
            break
        found.append(parent)
        current = parent
    return found


def chain_below(user: Any, directive: Directive, today: date | None = None) -> ChainNode:
    """The tree of directives implementing ``directive``, with each one's tally, late
    recipients and figures totalled up; one query per level of the tree, one for all
    receipts and two for the figures."""
    today = today or timezone.localdate()
    visible = directives_for(user).filter(state=DirectiveState.ISSUED)
    levels: list[list[Directive]] = [[directive]]
    for _ in range(MAX_CHAIN_DEPTH):
        ids = [d.pk for d in levels[-1]]
        below = list(visible.filter(implements_id__in=ids).order_by("issuer__unit__path", "pk"))
        if not below:
            break
        levels.append(below)
    every = [d for level in levels for d in level]
    receipts_by_directive: dict[int, list[Receipt]] = defaultdict(list)
    receipts = (
        receipts_for(user)
        .filter(directive__in=[d.pk for d in every])
        .select_related("unit", "body", "body__unit", "directive")
        .order_by("unit__path", "pk")
    )
    for receipt in receipts:
        receipts_by_directive[receipt.directive_id].append(receipt)
    nodes: dict[int, ChainNode] = {}
    for item in every:
        own = receipts_by_directive.get(item.pk, [])
        # A recipient that has ceased cannot answer: it is not late.
        late = [r for r in own if r.is_overdue(today) and ceased_on(r, today) is None]
        nodes[item.pk] = ChainNode(
            directive=item,
            tally=Tally(
                total=len(own),
                opened=sum(1 for r in own if r.read_at),
                acknowledged=sum(1 for r in own if r.acknowledged_at),
                reported=sum(1 for r in own if r.reported_at),
                overdue=len(late),
            )
            if item.is_issued
            else None,
            children=[],
            late=late,
        )
    children: dict[int, list[Directive]] = defaultdict(list)
    for item in every[1:]:
        if item.implements_id in nodes:
            nodes[item.implements_id].children.append(nodes[item.pk])
            children[item.implements_id].append(item)
    for pk, rows in figure_totals(every, receipts_by_directive, children).items():
        nodes[pk].figures = rows
    return nodes[directive.pk]


# --- Drafting: what a sender may choose -----------------------------------------------------


def recipient_units(issuer: Body, day: date | None = None) -> QuerySet[AdministrativeUnit]:
    """Units a directive of ``issuer`` may be addressed to: those below its unit in force on
    ``day`` (the letter's date; today by default)."""
    day = day or timezone.localdate()
    return (
        AdministrativeUnit.objects.filter(
            scope.unit_in_force_q(day), path__startswith=issuer.unit.path
        )
        .exclude(pk=issuer.unit_id)
        .select_related("level", "parent")
        .order_by("path")
    )


def recipient_bodies(issuer: Body, day: date | None = None) -> QuerySet[Body]:
    """Bodies a directive of ``issuer`` may be addressed to: those in its subtree open on
    ``day`` (not archived, their unit in force)."""
    day = day or timezone.localdate()
    return (
        Body.objects.filter(scope.body_open_q(day), unit__path__startswith=issuer.unit.path)
        .exclude(pk=issuer.pk)
        .select_related("unit", "unit__level")
        .order_by("unit__path", "name")
    )


def ceased_recipients(directive: Directive, day: date) -> list[str]:
    """Names of the recipients of ``directive`` not in force (or archived) on ``day``."""
    receipts = directive.receipts.exclude(receipt_open_q(day)).select_related("unit", "body")
    return [receipt.recipient_name for receipt in receipts.order_by("unit__path", "body__name")]


def implementable(user: Any) -> QuerySet[Directive]:
    """Issued directives a user may cite as the one a new directive implements."""
    return directives_for(user).filter(state=DirectiveState.ISSUED)


# --- Who answers for a receipt, who issued a directive ---------------------------------------


def handlers_of(receipts: list[Receipt], day: date | None = None) -> dict[int, list[User]]:
    """The active users who answer for each receipt, in one query.

    Officers anchored on the receipt's unit, staff of the addressed body, and for a letter
    addressed to a unit as a whole, staff of that unit's bodies; only assignments in force
    on ``day`` (today), so nobody anchored on a unit that has ceased is told.
    """
    if not receipts:
        return {}
    unit_ids = {r.unit_id for r in receipts}
    body_ids = {r.body_id for r in receipts if r.body_id}
    whole_unit_ids = {r.unit_id for r in receipts if not r.body_id}
    assignments = RoleAssignment.objects.filter(
        Q(role__in=scope.OFFICER_ROLES, unit_id__in=unit_ids)
        | Q(role=Role.BODY_STAFF, body_id__in=body_ids)
        | Q(role=Role.BODY_STAFF, body__unit_id__in=whole_unit_ids),
        scope.assignment_in_force_q(day or scope.acting_day()),
        user__is_active=True,
    ).select_related("user", "body")
    by_unit: dict[int, set[User]] = defaultdict(set)
    by_body: dict[int, set[User]] = defaultdict(set)
    staff_by_unit: dict[int, set[User]] = defaultdict(set)
    for assignment in assignments:
        if assignment.role == Role.BODY_STAFF and assignment.body is not None:
            by_body[assignment.body_id].add(assignment.user)  # type: ignore[index]
            staff_by_unit[assignment.body.unit_id].add(assignment.user)
        elif assignment.unit_id is not None:
            by_unit[assignment.unit_id].add(assignment.user)
    result: dict[int, list[User]] = {}
    for receipt in receipts:
        users = set(by_unit[receipt.unit_id])
        users |= by_body[receipt.body_id] if receipt.body_id else staff_by_unit[receipt.unit_id]
        result[receipt.pk] = sorted(users, key=lambda u: u.pk)
    return result


def issuer_people(directive: Directive) -> list[User]:
    """Active users on the issuing side, with assignments in force today: staff of the
    issuer, officers of its unit."""
    assignments = RoleAssignment.objects.filter(
        Q(role=Role.BODY_STAFF, body_id=directive.issuer_id)
        | Q(role__in=scope.OFFICER_ROLES, unit_id=directive.issuer.unit_id),
        scope.assignment_in_force_q(scope.acting_day()),
        user__is_active=True,
    ).select_related("user")
    return sorted({a.user for a in assignments}, key=lambda u: u.pk)


def unanswered(directive: Directive, day: date | None = None) -> QuerySet[Receipt]:
    """Receipts of an issued directive not yet reported on, whose recipient has not ceased
    (nobody is left to remind at a unit that no longer exists)."""
    return directive.receipts.filter(
        receipt_open_q(day or scope.acting_day()), reported_at__isnull=True
    )


def inbox_counts(user: Any) -> dict[str, int]:
    """What the user owes on the letters in their inbox (one query).

    ``owed``: letters still waiting for the user's answer (a report back, or an
    implementing letter), acknowledged or not; ``unacknowledged``: of those, the ones not
    acknowledged yet; ``overdue``: of those, the ones past their deadline. Letters the
    user's own bodies sent, and letters to a recipient that has ceased (nobody can answer
    them any more), owe nothing.
    """
    today = scope.acting_day()
    totals = (
        _incoming(user)
        .filter(receipt_open_q(today), reported_at__isnull=True)
        .aggregate(
            owed=Count("pk"),
            unacknowledged=Count("pk", filter=Q(acknowledged_at__isnull=True)),
            overdue=Count("pk", filter=Q(directive__report_deadline__lt=today)),
        )
    )
    return {key: value or 0 for key, value in totals.items()}


# --- Named groups, tasks per recipient, figures asked ----------------------------------------


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


# --- Figures totalled up a chain --------------------------------------------------------------


@dataclass
class FigureTotal:
    """One figure asked by a letter of a chain, totalled over its recipients.

    ``reported`` adds the figures its recipients reported themselves (their own: a commune's
    own pages); ``total`` adds to it, for a recipient that passed the ask on with its own
    letter asking the same figure (same key), that letter's total: the chain below it.
    """

    key: str
    label: str
    unit: str
    reported: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    reporting: int = 0  # recipients who reported it themselves
    rolled_up: int = 0  # recipients whose own letter's total is added


def figure_totals(
    nodes: list[Directive], receipts: dict[int, list[Receipt]], children: dict[int, list[Directive]]
) -> dict[int, list[FigureTotal]]:
    """The totals of the figures each letter of a chain asks, bottom up, in two queries:
    the figures asked, and the figures reported on the receipts given (those the reader
    may see). A recipient's latest report of a figure counts; an earlier one is replaced."""
    ids = [node.pk for node in nodes]
    asked: dict[int, list[AskedFigure]] = defaultdict(list)
    for figure in AskedFigure.objects.filter(directive_id__in=ids).order_by(
        "directive_id", "position"
    ):
        asked[figure.directive_id].append(figure)
    if not asked:
        return {}
    receipt_ids = [r.pk for own in receipts.values() for r in own]
    values: dict[tuple[int, str], Decimal] = {}
    for receipt_id, key, value in (
        ReportFigure.objects.filter(report__receipt_id__in=receipt_ids)
        .exclude(key="")
        .order_by("report__submitted_at", "report_id", "position")
        .values_list("report__receipt_id", "key", "value")
    ):
        values[(receipt_id, key)] = value
    totals: dict[int, list[FigureTotal]] = {}

    def total_of(node: Directive, depth: int = 0) -> list[FigureTotal]:
        if node.pk in totals:
            return totals[node.pk]
        below = {child.pk: child for child in children.get(node.pk, [])}
        rows = []
        for figure in asked.get(node.pk, []):
            row = FigureTotal(figure.key, figure.label, figure.unit)
            for receipt in receipts.get(node.pk, []):
                value = values.get((receipt.pk, figure.key))
                if value is not None:
                    row.reported += value
                    row.total += value
                    row.reporting += 1
                if depth >= MAX_CHAIN_DEPTH:
                    continue
                passed_on = False
                for child in below.values():
                    if not _answers(child, receipt):
                        continue
                    child_rows = {t.key: t for t in total_of(child, depth + 1)}
                    if figure.key in child_rows:
                        row.total += child_rows[figure.key].total
                        passed_on = True
                row.rolled_up += passed_on
            rows.append(row)
        totals[node.pk] = rows
        return rows

    for node in nodes:
        total_of(node)
    return totals


def _answers(child: Directive, receipt: Receipt) -> bool:
    """Whether ``child`` (an implementing letter) answers ``receipt`` of its parent."""
    if receipt.body_id is not None:
        return child.issuer_id == receipt.body_id
    return child.issuer.unit_id == receipt.unit_id


# --- Letters on paper --------------------------------------------------------------------------


def get_paper_scan_or_404(user: Any, pk: Any) -> PaperLetter:
    """A letter on paper whose scan the user may read: one cited by a letter they may read,
    or recorded by a body they issue letters for."""
    visible = PaperLetter.objects.filter(
        Q(implementations__in=directives_for(user).values("pk"))
        | Q(recorded_by_body__in=scope.issuing_bodies(user).values("pk"))
    ).exclude(scan="")
    try:
        return visible.distinct().get(pk=pk)
    except (PaperLetter.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def paper_root(
    user: Any, directive: Directive, ancestors: list[Directive] | None = None
) -> PaperLetter | None:
    """The letter on paper at the top of the chain the user can see from ``directive``
    (``ancestors``: ``ancestors_of(user, directive)``, when the caller has them)."""
    above = ancestors_of(user, directive) if ancestors is None else ancestors
    top = above[-1] if above else directive
    if top.implements_paper_id is None:
        return None
    return PaperLetter.objects.filter(pk=top.implements_paper_id).first()
