"""The chain of letters implementing one another, the figures totalled up it, and the letter
on paper at its top."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from directives.models import (
    AskedFigure,
    Directive,
    DirectiveState,
    PaperLetter,
    Receipt,
    ReportFigure,
)
from directives.selectors.reach import directives_for, receipts_for
from directives.selectors.table import Tally, ceased_on
from users import scope

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
