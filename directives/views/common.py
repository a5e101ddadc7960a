"""What the directive pages share: form errors from services, and the letter's parts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from directives import selectors, services
from directives.models import (
    Directive,
    ImplementationReport,
)
from legal.models import LegalNode
from users.models import User

PAGE_SIZE = 50

# Form fields a service's error may name under another name.
_ERROR_FIELDS = {
    "recipients": "recipient_units",
    "cited_nodes": "cited",
    "implements_paper": "paper_reference",
}


def _apply_errors(form: Any, error: ValidationError) -> None:
    """Show a service's errors on the form fields they name (or on top of the form)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            name = _ERROR_FIELDS.get(name, name)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _error_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- The letter's parts ----------------------------------------------------------------------


def letter_date(directive: Directive) -> str:
    """``Cẩm Thủy, ngày 03 tháng 11 năm 2021`` (Decree 30: a zero before days < 10 and
    months 1 and 2); a letter not yet dated keeps the blanks the signer fills in."""
    day = directive.issued_on
    if day is None:
        return f"{directive.place}, ngày     tháng     năm     "
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{directive.place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _lines(text: str) -> list[str]:
    """The entries of a "one per line" field, without the dash before and the ";" after
    (the letter writes them back in the standard way)."""
    entries = (line.strip().lstrip("-\u2013\u2022").strip() for line in text.splitlines())
    return [entry.rstrip(";.,").strip() for entry in entries if entry.rstrip(";.,").strip()]


def _paragraphs(text: str) -> list[str]:
    """A letter's text, one paragraph per line (as typed, or pasted from a Word file)."""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


@dataclass(frozen=True)
class NumberedInstruction:
    number: int
    paragraphs: list[str]


def _listed(entries: list[str]) -> list[str]:
    """``X;`` for each entry but the last, ``Y.`` for the last, as letters write lists."""
    return [f"{entry}{'.' if i == len(entries) - 1 else ';'}" for i, entry in enumerate(entries)]


def _letter(directive: Directive) -> dict[str, Any]:
    """What the letter partial needs, in a fixed number of queries."""
    # A draft shows what issuing will write from its recipients and named groups.
    addressees = services.letter_addressees(directive)
    distribution = services.letter_distribution(directive)
    # The header the PDF prints, so the preview shows what will be signed (no superior's
    # line above a People's Committee); imported here as files.py does, with WeasyPrint.
    from directives.rendering import authority_lines

    supervising, authority = authority_lines(directive)
    return {
        "directive": directive,
        "supervising": supervising,
        "authority": authority,
        "date_line": letter_date(directive),
        "addressees": _listed(_lines(addressees)),
        "distribution": _listed(_lines(distribution)),
        "signing_lines": directive.signing_capacity.splitlines(),
        "basis": _paragraphs(directive.basis),
        "body": _paragraphs(directive.body),
        "closing": _paragraphs(directive.closing),
        "instructions": [
            NumberedInstruction(item.position, _paragraphs(item.text))
            for item in directive.instructions.order_by("position")
        ],
        "cited": list(
            LegalNode.objects.filter(directives=directive)
            .select_related("library", "parent", "parent__parent")
            .order_by("library__library_id", "order")
        ),
        "attachments": list(directive.attachments.order_by("pk")),
        "paper": directive.implements_paper,
        "named_groups": selectors.named_groups(directive),
        "asked_figures": list(directive.asked_figures.order_by("position")),
    }


def _visible_reports(user: User, directive: Directive) -> QuerySet[ImplementationReport]:
    return selectors.reports_of(directive).filter(
        receipt__in=selectors.receipts_for(user).values("pk")
    )
