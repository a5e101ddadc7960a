"""Reading the legal library: whole texts in a fixed number of queries, searches by folded text."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from legal.models import ComplianceCriterion, LegalLibrary, LegalNode, LibraryContent
from portal.text import fold


def text_libraries() -> QuerySet[LegalLibrary]:
    return LegalLibrary.objects.filter(content=LibraryContent.TEXT).order_by("library_id")


def _criteria_prefetch() -> Prefetch[str, QuerySet[ComplianceCriterion], str]:
    return Prefetch(
        "criteria",
        queryset=ComplianceCriterion.objects.filter(retired_in_version="").order_by("order"),
    )


@dataclass
class NodeRow:
    """A node as the Code page shows it: in order, with its highlighted text."""

    node: LegalNode
    text_html: SafeString
    matches: bool
    criteria: list[ComplianceCriterion] = field(default_factory=list)


def library_rows(library: LegalLibrary, *, query: str = "") -> tuple[list[NodeRow], int]:
    """The library's nodes in force, in order; with a query, the matches and their ancestors.

    Returns the rows and the number of nodes matching the query. Three queries whatever the
    size of the text: the nodes, and the criteria citing them.
    """
    nodes = list(
        LegalNode.objects.filter(library=library, retired_in_version="")
        .prefetch_related(_criteria_prefetch())
        .order_by("order")
    )
    needle = fold(query)
    if not needle:
        return [
            NodeRow(node, _plain(node.text), True, list(node.criteria.all())) for node in nodes
        ], 0
    by_pk = {node.pk: node for node in nodes}
    matching = {node.pk for node in nodes if needle in node.search_text}
    shown = set(matching)
    for pk in matching:
        parent_id = by_pk[pk].parent_id
        while parent_id is not None and parent_id in by_pk and parent_id not in shown:
            shown.add(parent_id)
            parent_id = by_pk[parent_id].parent_id
    rows = [
        NodeRow(
            node,
            highlight(node.text, needle) if node.pk in matching else _plain(node.text),
            node.pk in matching,
            list(node.criteria.all()),
        )
        for node in nodes
        if node.pk in shown
    ]
    return rows, len(matching)


def retired_nodes(library: LegalLibrary) -> list[LegalNode]:
    """Nodes no longer in the current version that criteria still cite."""
    return list(
        LegalNode.objects.filter(library=library)
        .exclude(retired_in_version="")
        .filter(criteria__isnull=False)
        .distinct()
        .prefetch_related(_criteria_prefetch())
        .order_by("order")
    )


def criteria() -> list[ComplianceCriterion]:
    """Criteria in force, each with the nodes it cites and their parents (for "Khoản 2 Điều 4")."""
    return list(
        ComplianceCriterion.objects.filter(retired_in_version="")
        .prefetch_related(
            Prefetch(
                "cites",
                queryset=LegalNode.objects.select_related(
                    "library", "parent", "parent__parent"
                ).order_by("library_id", "order"),
            )
        )
        .order_by("order", "ref")
    )


def _plain(text: str) -> SafeString:
    return escape(text)


def _fold_char(char: str) -> str:
    # The per-character image of portal.text.fold, so that match offsets map back to the text.
    if char.isspace():
        return " "
    if char in "đĐ":
        return "d"
    decomposed = unicodedata.normalize("NFD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def highlight(text: str, needle: str) -> SafeString:
    """The text, escaped, with every accent- and case-insensitive match of needle in <mark>."""
    if not needle:
        return escape(text)
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for piece in _fold_char(char):
            folded.append(piece)
            origin.append(index)
    haystack = "".join(folded)
    spans: list[tuple[int, int]] = []
    start = haystack.find(needle)
    while start != -1:
        end = start + len(needle)
        spans.append((origin[start], origin[end - 1] + 1))
        start = haystack.find(needle, end)
    if not spans:
        return escape(text)
    parts: list[str] = []
    cursor = 0
    for begin, finish in spans:
        parts.append(escape(text[cursor:begin]))
        parts.append(f"<mark>{escape(text[begin:finish])}</mark>")
        cursor = finish
    parts.append(escape(text[cursor:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above
