"""Drafting (whom a sender may address), who answers for a receipt, and what the user owes."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from directives.models import Directive, DirectiveState, Receipt
from directives.selectors.reach import _incoming, directives_for, receipt_open_q
from units.models import AdministrativeUnit, Body
from users import scope
from users.models import Role, RoleAssignment, User

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
