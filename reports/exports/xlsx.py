"""A report's export as an Excel workbook, written row by row.

openpyxl's write-only mode writes each sheet to a temporary file as rows arrive, so memory
stays flat whatever the size of the province. The rows are appended as plain values (one
cell object reused by openpyxl), not one styled cell object per value: only the few heading
cells carry a font, built once. Text is neutralised against formulas (``safe``) and a text
that reads like an error code ("#N/A") is forced to text, so nothing a unit typed is ever
evaluated. The workbook is then copied into the output
with every ZIP entry dated from the report (openpyxl dates them "now") and the document's
created / modified properties fixed the same way: the same report gives the same bytes,
which is how a retried export is checked.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from contextlib import closing, suppress
from typing import IO

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.xml.constants import ARC_CORE
from openpyxl.xml.functions import tostring

from accounts_registry.exports import safe
from reports.asof import as_of_line
from reports.exports.tabular import (
    SHEETS,
    Value,
    cell_text,
    fixed_moment,
    subtree_of,
    tables,
    zip_entry,
)
from reports.models import UnitReport

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
# Two heading lines and the "as of" line come first; the column headings are the fourth row.
_HEADER_ROW = 4


def _cell(sheet: WriteOnlyWorksheet, value: Value, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=cell_text(value))
    if isinstance(cell.value, str):
        # Text, always: never a formula, whatever the neutralised value looks like.
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


_ERROR_CODES = frozenset(ERROR_CODES)


def _row(sheet: WriteOnlyWorksheet, values: list[Value]) -> list[Value | WriteOnlyCell]:
    """A data row as openpyxl's write-only sheet takes it fastest: plain values.

    Numbers and empty cells go as they are; text is neutralised (``safe``), and the rare
    text openpyxl would store as an error value becomes an explicit text cell.
    """
    row: list[Value | WriteOnlyCell] = []
    for value in values:
        if isinstance(value, str):
            text = safe(str(value))
            row.append(_cell(sheet, text) if text in _ERROR_CODES else text)
        elif isinstance(value, bool):
            row.append(cell_text(value))
        else:
            row.append(value)
    return row


def _discard(book: Workbook) -> None:
    """Finish and delete the sheets' temporary files after a failure (a worker lives long)."""
    for sheet in book.worksheets:
        with suppress(Exception):
            if not sheet.closed:
                sheet.close()
            sheet._writer.cleanup()


def _write(report: UnitReport, out: IO[bytes]) -> bytes:
    """Write the workbook to ``out``; returns its document properties as they must read.

    openpyxl stamps ``modified`` with the time of saving, whatever was set: the properties
    are serialised again with the report's fixed moment, for the copy to put in their place.
    """
    book = Workbook(write_only=True)
    try:
        _fill(report, book)
    except BaseException:
        _discard(book)
        raise
    book.save(out)
    book.properties.modified = book.properties.created
    return bytes(tostring(book.properties.to_tree()))


def _fill(report: UnitReport, book: Workbook) -> None:
    tree = subtree_of(report)
    moment = fixed_moment(report)
    book.properties.created = moment
    book.properties.modified = moment
    book.properties.creator = "portal"
    book.properties.title = f"{report.unit_name} — {report.period.label}"
    heading = [
        _("Report on the implementation of the Code of Conduct on social networks"),
        f"{report.unit_name or report.unit.name} — {report.period.label}",
    ]
    as_of = as_of_line(report)
    for title, (header, rows) in zip(SHEETS, tables(tree), strict=True):
        sheet = book.create_sheet(title)
        # Rows of a province run to thousands: the column headings stay in sight while
        # scrolling and are repeated on every printed page. Write-only sheets write their
        # view with the first row, so this comes before any row is appended.
        sheet.freeze_panes = f"A{_HEADER_ROW + 1}"
        sheet.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"
        for i, _name in enumerate(header, start=1):
            # Unit names and body names are long; figures are short.
            width = 28 if i <= len(tree.levels) + 2 else 14
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.append([_cell(sheet, heading[0], _TITLE)])
        sheet.append([_cell(sheet, heading[1], _BOLD)])
        # The date the registry figures stand at, in the row left blank before the header.
        sheet.append([_cell(sheet, as_of)] if as_of else [])
        sheet.append([_cell(sheet, value, _BOLD) for value in header])
        with closing(rows):  # a failure half-way closes the database cursor at once
            for values in rows:
                sheet.append(_row(sheet, values))


def write_xlsx(report: UnitReport, fileobj: IO[bytes]) -> None:
    """Write the workbook of ``report`` (sheets "Tổng hợp", "Cơ quan", "Trang") to ``fileobj``."""
    moment = fixed_moment(report)
    with tempfile.TemporaryFile() as raw:
        # An official file: Vietnamese whatever the language of the person who asked.
        with translation.override("vi"):
            core = _write(report, raw)
        raw.seek(0)
        with (
            zipfile.ZipFile(raw) as source,
            zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as target,
        ):
            for entry in source.infolist():
                if entry.filename == ARC_CORE:
                    # Created and modified: the report's moment, never the time of saving.
                    target.writestr(zip_entry(entry.filename, moment), core)
                    continue
                with (
                    source.open(entry) as data,
                    target.open(zip_entry(entry.filename, moment), "w") as copy,
                ):
                    shutil.copyfileobj(data, copy, 1024 * 1024)
