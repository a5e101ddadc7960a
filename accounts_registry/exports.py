"""The page list as a spreadsheet (XLSX, streamed) or CSV, with bounded queries.

The rows come from an already scoped and filtered queryset (the list's own filters), are
read with ``.iterator()`` and annotated in SQL (contact, rules); the unit chain is resolved
one query per chunk. Every text cell is neutralised against formula injection: a value a
body typed ("=HYPERLINK(...)") must never run in an officer's Excel.
"""

from __future__ import annotations

import csv
import io
import itertools
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from accounts_registry.models import ContactPerson, PostingRules, SocialPage, Spokesperson
from accounts_registry.selectors.pages import gaps_of, page_rows
from units.models import AdministrativeUnit

CHUNK_SIZE = 500
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

COLUMNS: tuple[Any, ...] = (
    _("Body"),
    _("Administrative units"),
    _("Platform"),
    _("Displayed name"),
    _("Address (URL)"),
    _("Permanent id"),
    _("State"),
    _("Verified by the platform"),
    _("Verified since"),
    _("Unit responsible for posting"),
    _("Contact person"),
    _("Contact phone"),
    _("Spokesperson"),
    _("Spokesperson's phone"),
    _("Posting rules"),
    _("Gaps"),
    _("Approved at"),
    _("Last confirmed"),
)


def safe(value: str) -> str:
    """A text cell that a spreadsheet will show, never evaluate."""
    if value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _effective_contact(field: str) -> Subquery:
    # The page's own contact wins over the body's default one (page first: nulls last).
    return Subquery(
        ContactPerson.objects.filter(
            Q(page=OuterRef("pk")) | Q(page__isnull=True),
            body=OuterRef("body"),
            archived_at__isnull=True,
        )
        .order_by(F("page").asc(nulls_last=True), "pk")
        .values(field)[:1]
    )


def _spokesperson(field: str) -> Subquery:
    # The body's current spokesperson (Decree 09/2017/NĐ-CP), beside the contact person.
    return Subquery(
        Spokesperson.objects.filter(body=OuterRef("body"), archived_at__isnull=True)
        .order_by("pk")
        .values(field)[:1]
    )


def export_rows(pages: QuerySet[SocialPage]) -> QuerySet[SocialPage]:
    """The filtered pages with everything a row of the export shows, in SQL."""
    return page_rows(pages).annotate(
        contact_name=_effective_contact("name"),
        contact_phone=_effective_contact("phone"),
        spokesperson_name=_spokesperson("name"),
        spokesperson_phone=_spokesperson("phone"),
        rules_number=Subquery(
            PostingRules.objects.filter(body=OuterRef("body"), superseded_at__isnull=True)
            .order_by("-version")
            .values("document_number")[:1]
        ),
    )


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return value.strftime("%d/%m/%Y")


def _unit_chains(pages: list[SocialPage], names: dict[int, str]) -> None:
    """Fill ``names`` with the units on the paths of ``pages`` (one query, if any missing)."""
    wanted = {
        int(step)
        for page in pages
        for step in page.body.unit.path.split(".")
        if step and int(step) not in names
    }
    if wanted:
        names.update(AdministrativeUnit.objects.filter(pk__in=wanted).values_list("pk", "name"))


def rows(pages: QuerySet[SocialPage]) -> Iterator[list[str]]:
    """The export's data rows (header excluded), as neutralised strings."""
    names: dict[int, str] = {}
    stream = export_rows(pages).iterator(chunk_size=CHUNK_SIZE)
    yes, no = str(_("yes")), str(_("no"))
    while chunk := list(itertools.islice(stream, CHUNK_SIZE)):
        _unit_chains(chunk, names)
        for page in chunk:
            chain = " / ".join(
                names.get(int(step), "") for step in page.body.unit.path.split(".") if step
            )
            values = [
                page.body.name,
                chain,
                str(page.platform.label),
                page.display_name,
                page.url,
                page.permanent_id,
                str(page.get_state_display()),
                yes if page.is_platform_verified else no,
                _day(page.platform_verified_on),
                page.responsible_unit,
                getattr(page, "contact_name", None) or "",
                getattr(page, "contact_phone", None) or "",
                getattr(page, "spokesperson_name", None) or "",
                getattr(page, "spokesperson_phone", None) or "",
                getattr(page, "rules_number", None) or "",
                "; ".join(str(label) for _code, label in gaps_of(page)),
                _day(page.approved_at),
                _day(page.confirmed_at),
            ]
            yield [safe(value) for value in values]


def header() -> list[str]:
    return [str(title) for title in COLUMNS]


def write_csv(pages: QuerySet[SocialPage]) -> Iterable[bytes]:
    """CSV in UTF-8 with a byte-order mark, so Excel shows Vietnamese correctly."""
    buffer = io.StringIO()
    # Every field quoted: a name with a comma or a semicolon stays one cell whether the
    # reader splits on "," or, like Excel in Vietnamese, on ";".
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)

    def line(values: list[str]) -> bytes:
        writer.writerow(values)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode("utf-8")

    yield "\ufeff".encode()
    yield line(header())
    for values in rows(pages):
        yield line(values)


def write_xlsx(pages: QuerySet[SocialPage]) -> tempfile.SpooledTemporaryFile[bytes]:
    """An XLSX written row by row (openpyxl write-only), returned as a rewound file."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Trang")
    # The headings stay in sight while scrolling and print on every page. Write-only sheets
    # write their view with the first row, so this comes before any row is appended.
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    bold = Font(bold=True)
    head = []
    for title in header():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    for values in rows(pages):
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            # Text, always: neither a formula nor a number that loses its leading zeros.
            cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    # Handed to FileResponse, which closes it when the response is sent.
    out: tempfile.SpooledTemporaryFile[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115
        max_size=8 * 1024 * 1024
    )
    book.save(out)
    out.seek(0)
    return out
