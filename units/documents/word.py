"""The DOCX builder of official documents (python-docx): the page, type and parts of Decree
30/2020/NĐ-CP, Appendix I, for letters and reports alike. A document is opened, given its
header, its "Kính gửi", its own text and its signing block, then saved::

    builder = OfficialDocx()
    builder.header(document)
    builder.addressed_to(document)
    builder.text("…")
    builder.signing_block(document)
    data = builder.to_bytes()

Text is written as text (python-docx escapes it): whatever a user typed stays what it says.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from units.documents.layout import (
    BODY_SIZE,
    FONT,
    LEFT_COLUMN,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    TEXT_WIDTH,
    OfficialDocument,
)

CENTER = WD_ALIGN_PARAGRAPH.CENTER
LEFT = WD_ALIGN_PARAGRAPH.LEFT
COPIES_COLUMN = 80  # "Nơi nhận"; the signing block takes the rest of the line


def _font(run: Any, size: float, *, bold: bool = False, italic: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:cs"), FONT)
    fonts.set(qn("w:eastAsia"), FONT)


def _rule(cell: _Cell, width_mm: float, cell_mm: float, *, after: float = 0) -> None:
    """A short centred line: an empty paragraph's top border, narrowed by its indents."""
    paragraph = cell.add_paragraph()
    # The border goes in first: python-docx then puts spacing and indents after it, in the
    # order the schema requires (Word rejects a pPr whose children are out of order).
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in {"w:val": "single", "w:sz": "6", "w:space": "1", "w:color": "auto"}.items():
        top.set(qn(key), value)
    borders.append(top)
    paragraph._p.get_or_add_pPr().append(borders)
    indent = max(0.0, (cell_mm - width_mm) / 2)
    paragraph.paragraph_format.left_indent = Mm(indent)
    paragraph.paragraph_format.right_indent = Mm(indent)
    paragraph.paragraph_format.space_before = Pt(3)
    paragraph.paragraph_format.space_after = Pt(after)
    paragraph.paragraph_format.line_spacing = Pt(2)


def _page_numbers(section: Section) -> None:
    """Page numbers centred at the top from the second page on, as the decree asks."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = CENTER
    run = paragraph.add_run()
    _font(run, 13)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)
        else:
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._element.append(instruction)


def _no_cell_margins(table: Table) -> None:
    """Cells without side padding: the national title needs the whole column at 12pt."""
    properties: Any = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "0")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")


class OfficialDocx:
    """An official document being written as DOCX: A4 portrait, the decree's margins, Times
    New Roman 14pt, page numbers centred at the top from the second page on."""

    def __init__(self) -> None:
        self.document = Document()
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(MARGIN_TOP), Mm(MARGIN_BOTTOM)
        section.left_margin, section.right_margin = Mm(MARGIN_LEFT), Mm(MARGIN_RIGHT)
        section.header_distance = Mm(10)
        normal: Any = self.document.styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(BODY_SIZE)
        _page_numbers(section)

    # --- Building blocks -------------------------------------------------------------------

    def paragraph(
        self,
        text: str = "",
        *,
        into: Any = None,
        size: float = BODY_SIZE,
        bold: bool = False,
        italic: bool = False,
        align: Any = CENTER,
        after: float = 0,
        first: Paragraph | None = None,
    ) -> Paragraph:
        """A paragraph of ``text`` in one run, added to ``into`` (a table cell; the document
        when None), or written into ``first``, a cell's empty first paragraph."""
        container = self.document if into is None else into
        paragraph: Paragraph = first if first is not None else container.add_paragraph()
        paragraph.alignment = align
        paragraph.paragraph_format.space_before = Pt(0)
        paragraph.paragraph_format.space_after = Pt(after)
        if text:
            _font(paragraph.add_run(text), size, bold=bold, italic=italic)
        return paragraph

    def text(self, text: str, *, number: str = "") -> None:
        """A paragraph of the document's own text: justified, its first line indented."""
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Mm(12.7)
        paragraph.paragraph_format.space_before = Pt(0)
        paragraph.paragraph_format.space_after = Pt(6)
        _font(paragraph.add_run(f"{number} {text}" if number else text), BODY_SIZE)

    def table(self, rows: int, cols: int) -> Table:
        """A table centred on the page, its column widths fixed (set them with ``cell``)."""
        table: Table = self.document.add_table(rows=rows, cols=cols)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        return table

    @staticmethod
    def cell(table: Table, row: int, column: int, width_mm: float) -> _Cell:
        """The cell at ``row``, ``column``, ``width_mm`` wide."""
        # Word reads the cell's width, LibreOffice the table grid's: set both.
        table.columns[column].width = Mm(width_mm)
        cell: _Cell = table.cell(row, column)
        cell.width = Mm(width_mm)
        return cell

    # --- The parts of the layout -----------------------------------------------------------

    def header(self, doc: OfficialDocument) -> None:
        """Issuer, number (and a letter's subject) | national title, motto, place and date."""
        right = TEXT_WIDTH - LEFT_COLUMN
        header = self.table(rows=2, cols=2)
        _no_cell_margins(header)
        cell = self.cell(header, 0, 0, LEFT_COLUMN)
        first: Paragraph | None = cell.paragraphs[0]
        if doc.supervising:
            self.paragraph(doc.supervising, into=cell, size=13, first=first)
            first = None
        for line in doc.authority:
            self.paragraph(line, into=cell, size=13, bold=True, first=first)
            first = None
        _rule(cell, doc.authority_rule_mm, LEFT_COLUMN)
        cell = self.cell(header, 0, 1, right)
        self.paragraph(doc.country, into=cell, size=12, bold=True, first=cell.paragraphs[0])
        self.paragraph(doc.motto, into=cell, size=13, bold=True)
        _rule(cell, 58, right)
        cell = self.cell(header, 1, 0, LEFT_COLUMN)
        after = 2 if doc.subject_line else 0
        self.paragraph(doc.number_line, into=cell, size=13, first=cell.paragraphs[0], after=after)
        if doc.subject_line:
            self.paragraph(doc.subject_line, into=cell, size=12)
        cell = self.cell(header, 1, 1, right)
        self.paragraph(doc.place_date, into=cell, size=14, italic=True, first=cell.paragraphs[0])
        self.document.add_paragraph().paragraph_format.space_after = Pt(6)

    def addressed_to(self, doc: OfficialDocument, *, after: float = 6) -> None:
        """ "Kính gửi": one addressee on the line, centred (``after`` points below it), or a
        list whose first line hangs "Kính gửi:" to its left, the rest aligned under it."""
        if doc.addressed_inline:
            paragraph = self.paragraph(after=after)
            _font(paragraph.add_run(f"Kính gửi: {doc.addressees[0]}"), BODY_SIZE)
            return
        for i, line in enumerate(doc.addressees):
            paragraph = self.paragraph(align=LEFT)
            paragraph.paragraph_format.left_indent = Mm(50)
            if i == 0:
                paragraph.paragraph_format.first_line_indent = Mm(-25)
                _font(paragraph.add_run("Kính gửi:\t"), BODY_SIZE)
                paragraph.paragraph_format.tab_stops.add_tab_stop(Mm(50))
            _font(paragraph.add_run(line), BODY_SIZE)
        self.document.paragraphs[-1].paragraph_format.space_after = Pt(12)

    def signing_block(self, doc: OfficialDocument) -> None:
        """ "Nơi nhận" (12pt bold italic, the list 11pt) | signing capacity, room for the
        signature and the seal, signer. Never alone on the last page: the paragraph above
        keeps to it and its row is not split."""
        footer = self.table(rows=1, cols=2)
        _no_cell_margins(footer)
        if self.document.paragraphs:
            self.document.paragraphs[-1].paragraph_format.keep_with_next = True
        for row in footer.rows:
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        cell = self.cell(footer, 0, 0, COPIES_COLUMN)
        paragraph = self.paragraph(
            "Nơi nhận:", into=cell, size=12, bold=True, italic=True, first=cell.paragraphs[0]
        )
        paragraph.alignment = LEFT
        paragraph.paragraph_format.space_before = Pt(6)
        for line in doc.distribution:
            self.paragraph(line, into=cell, size=11, align=LEFT)
        cell = self.cell(footer, 0, 1, TEXT_WIDTH - COPIES_COLUMN)
        opening: Paragraph = cell.paragraphs[0]
        opening.paragraph_format.space_before = Pt(6)
        first: Paragraph | None = opening
        for line in doc.signing or [""]:
            self.paragraph(line, into=cell, size=14, bold=True, first=first)
            first = None
        space = self.paragraph(into=cell)
        space.paragraph_format.space_after = Pt(72)  # room for the signature and the seal
        self.paragraph(doc.signer, into=cell, size=14, bold=True)

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()
