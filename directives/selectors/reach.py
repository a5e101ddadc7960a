"""Who may read, manage and answer which directive, receipt and file; the inbox and the
letters out."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from directives.models import Attachment, Directive, DirectiveState, Receipt
from portal.text import fold
from users import scope


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
