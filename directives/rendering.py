"""A directive as an official letter (công văn), in the layout of Decree 30/2020/NĐ-CP,
Appendix I: DOCX for editing in Word, PDF for reading and printing.

Both formats are drawn from one ``Letter``, so they say the same thing. The layout shared
with the reports (header, motto, number, place and date, "Kính gửi", "Nơi nhận", signing
block, the page and the typeface) is ``units.documents``: this module adds what only a
letter has (the issuer as it stood on the letter's date, the subject "V/v …", the basis,
body, numbered instructions and closing). The text is the directive's own, written as given:
the HTML template escapes it, python-docx writes it as text. WeasyPrint renders with a URL
fetcher that refuses everything but ``data:`` URLs and the project's own font files, so a
letter never makes the server fetch anything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, cast

from django.db.models import ForeignKey
from django.utils import timezone

from directives.models import Directive
from units.documents import (
    FONT_DIR,
    VIETNAMESE,
    LocalOnlyFetcher,
    OfficialDocument,
    OfficialDocx,
    addressees,
    distribution,
    issuer_lines,
    list_entries,
    official_html,
    pdf_font_family,
    pdf_from_html,
    place_date,
    text_lines,
    upper,
    vietnamese_date,
)
from units.documents import number_line as document_number_line
from units.models import Body

# Re-exported: the letter's tests and callers have always found them here.
__all__ = [
    "FONT_DIR",
    "VIETNAMESE",
    "Instruction",
    "Letter",
    "LocalOnlyFetcher",
    "authority_lines",
    "issuer_then",
    "letter_html",
    "letter_of",
    "number_line",
    "pdf_font_family",
    "pdf_from_html",
    "render_docx",
    "render_pdf",
    "vietnamese_date",
]


@dataclass(frozen=True)
class Instruction:
    number: str  # "1."
    paragraphs: list[str]


@dataclass(frozen=True, kw_only=True)
class Letter(OfficialDocument):
    """What an official letter shows, in reading order, ready to be laid out: the parts
    every official document has, and the letter's own text between them."""

    basis: list[str]
    body: list[str]
    instructions: list[Instruction]
    closing: list[str]


# --- The parts of a letter ------------------------------------------------------------------


def issuer_then(directive: Directive) -> Body:
    """The issuer as it stood on the letter's date: a letter of 2024 keeps the name its
    issuer had then, even if a reorganisation has since merged and renamed that body (the
    People's Committee of Xã Cẩm Ngọc became that of Xã Cẩm Thủy on 01/07/2025)."""
    issuer = directive.issuer
    if directive.issued_on is None:
        return issuer
    history = issuer.history.all()
    zone = timezone.get_current_timezone()
    moment = timezone.make_aware(
        datetime.combine(directive.issued_on + timedelta(days=1), time.min), zone
    )
    then = history.filter(history_date__lt=moment).order_by("-history_date", "-history_id")
    row = then.first() or history.order_by("history_date", "history_id").first()
    if row is None or row.history_type == "-":
        return issuer
    body = cast(Body, row.instance)
    # The historical row holds ids only: lend it the issuer's relations already loaded where
    # they are the same, so the header of a page costs no query per relation.
    for name in ("unit", "supervising_body"):
        relation = cast("ForeignKey[Any, Any]", Body._meta.get_field(name))
        attname = relation.attname
        if relation.is_cached(issuer) and getattr(body, attname) == getattr(issuer, attname):
            relation.set_cached_value(body, relation.get_cached_value(issuer))
    return body


def authority_lines(directive: Directive) -> tuple[str, list[str]]:
    """The supervising body's line and the issuer's lines of the header, upper case, for the
    issuer as it stood on the letter's date (``units.documents.issuer_lines``)."""
    return issuer_lines(issuer_then(directive))


def number_line(directive: Directive) -> str:
    # A draft's number is left blank for the clerk (văn thư) to write in when it is issued.
    return document_number_line(directive.number, directive.symbol)


def _addressees(directive: Directive) -> tuple[list[str], bool]:
    from directives.services import letter_addressees

    return addressees(list_entries(letter_addressees(directive)))


def _distribution(directive: Directive) -> list[str]:
    from directives.services import default_distribution, letter_distribution

    text = letter_distribution(directive)
    if not text.strip():
        text = default_distribution(directive)
    return distribution(list_entries(text))


def _instructions(directive: Directive) -> list[Instruction]:
    found = []
    for item in directive.instructions.all():
        paragraphs = text_lines(item.text)
        if not paragraphs:
            continue
        # "1. Phổ biến …" typed with its own number is not numbered twice.
        paragraphs[0] = re.sub(rf"^{item.position}\s*[.)]\s*", "", paragraphs[0])
        found.append(Instruction(number=f"{item.position}.", paragraphs=paragraphs))
    return found


def letter_of(directive: Directive) -> Letter:
    """The letter ``directive`` makes, with the blanks of a draft left as the decree shows."""
    supervising, authority = authority_lines(directive)
    to, inline = _addressees(directive)
    return Letter(
        supervising=supervising,
        authority=authority,
        number_line=number_line(directive),
        subject_line=f"V/v {' '.join(directive.subject.split())}",
        place_date=place_date(directive.place.strip() or "……", directive.issued_on),
        addressees=to,
        addressed_inline=inline,
        basis=text_lines(directive.basis),
        body=text_lines(directive.body),
        instructions=_instructions(directive),
        closing=text_lines(directive.closing),
        distribution=_distribution(directive),
        signing=[upper(line) for line in text_lines(directive.signing_capacity)],
        signer=" ".join(directive.signer_name.split()),
    )


# --- DOCX and PDF ----------------------------------------------------------------------------


def render_docx(directive: Directive) -> bytes:
    """The letter as a Word document (A4, Times New Roman), ready to be edited and signed."""
    letter = letter_of(directive)
    builder = OfficialDocx()
    builder.header(letter)
    builder.addressed_to(letter)
    for text in [*letter.basis, *letter.body]:
        builder.text(text)
    for instruction in letter.instructions:
        builder.text(instruction.paragraphs[0], number=instruction.number)
        for text in instruction.paragraphs[1:]:
            builder.text(text)
    for text in letter.closing:
        builder.text(text)
    builder.signing_block(letter)
    return builder.to_bytes()


def letter_html(directive: Directive) -> str:
    """The letter as HTML for WeasyPrint; every text of the directive is escaped."""
    return official_html("directives/letter_pdf.html", letter_of(directive))


def render_pdf(directive: Directive) -> bytes:
    """The letter as a PDF (A4), the way it prints."""
    return pdf_from_html(letter_html(directive))
