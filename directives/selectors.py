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
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from directives.models import (
    Attachment,
    Directive,
    DirectiveState,
    ImplementationReport,
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
    ).select_related("issuer", "issuer__unit", "implements", "implements__issuer")


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
    """The tree of directives implementing ``directive``, with each one's tally and late
    recipients; one query per level of the tree plus one for all receipts."""
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
    for item in every[1:]:
        if item.implements_id in nodes:
            nodes[item.implements_id].children.append(nodes[item.pk])
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
