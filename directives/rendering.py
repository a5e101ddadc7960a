"""A directive as an official letter (công văn), in the layout of Decree 30/2020/NĐ-CP,
Appendix I: DOCX for editing in Word, PDF for reading and printing.

Both formats are drawn from one ``Letter``, so they say the same thing. The text is the
directive's own, written as given: the HTML template escapes it, python-docx writes it as
text. WeasyPrint renders with a URL fetcher that refuses everything but ``data:`` URLs and
the project's own font files, so a letter never makes the server fetch anything else.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.db.models import ForeignKey
from django.template.loader import render_to_string
from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from directives.models import Directive
from portal.text import fold
from units.models import AdministrativeUnit, Body, BodyKind, UnitType
from units.naming import bare_name, in_sentence

COUNTRY = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

# Page and type of Decree 30/2020/NĐ-CP, Appendix I (A4; margins in mm; sizes in points).
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 20, 20, 30, 15
TEXT_WIDTH = 210 - MARGIN_LEFT - MARGIN_RIGHT
LEFT_COLUMN = 70  # the issuing authority, number and subject; the motto takes the rest
BODY_SIZE = 14
FONT = "Times New Roman"

# The PDF's typeface. Decree 30/2020 asks for Times New Roman; where it is not installed,
# Liberation Serif 2, which has its metrics and every Vietnamese letter, is shipped with the
# project (static/fonts/liberation-serif, SIL OFL 1.1) and loaded by @font-face, so a letter
# prints alike on every server. The system's Liberation Serif 1 (pulled in by Chromium's
# package) lacks letters such as "ệ", which would be drawn from another font mid-word:
# fontconfig resolves "Times New Roman" to it, but a face declared by @font-face comes first.
PDF_FONT_FAMILY = '"Times New Roman", "Liberation Serif", serif'
FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts" / "liberation-serif"
_FONT_FILES = (  # (weight, style, file)
    ("normal", "normal", "LiberationSerif-Regular.ttf"),
    ("bold", "normal", "LiberationSerif-Bold.ttf"),
    ("normal", "italic", "LiberationSerif-Italic.ttf"),
    ("bold", "italic", "LiberationSerif-BoldItalic.ttf"),
)
VIETNAMESE = "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư" + "".join(
    chr(code) for code in range(0x1EA0, 0x1EFA)
)

# Bodies whose name is a kind of body followed by a place: written on two lines, the kind
# above the place ("ỦY BAN NHÂN DÂN" / "HUYỆN CẨM THỦY"), as every People's Committee does.
_TWO_LINE_KINDS = {
    "uy ban nhan dan": ("ỦY BAN NHÂN DÂN", "UBND"),
    "ubnd": ("ỦY BAN NHÂN DÂN", "UBND"),
    "hoi dong nhan dan": ("HỘI ĐỒNG NHÂN DÂN", "HĐND"),
    "hdnd": ("HỘI ĐỒNG NHÂN DÂN", "HĐND"),
}
_LIST_MARK = re.compile(r"^\s*[-\u2013\u2014+\u2022*]\s*")
_END_MARK = re.compile(r"[\s;,.]+$")


@dataclass(frozen=True)
class Instruction:
    number: str  # "1."
    paragraphs: list[str]


@dataclass(frozen=True)
class Letter:
    """What an official letter shows, in reading order, ready to be laid out."""

    supervising: str  # the supervising body, upper case ("UBND TỈNH GIA LAI"), or ""
    authority: list[str]  # the issuer, upper case, one item per line
    number_line: str  # "Số: 1067/UBND-VHTT"
    subject_line: str  # "V/v …"
    place_date: str  # "Cẩm Thủy, ngày 24 tháng 4 năm 2024"
    addressees: list[str]  # "- …;" lines, or one line written after "Kính gửi:"
    addressed_inline: bool
    basis: list[str]
    body: list[str]
    instructions: list[Instruction]
    closing: list[str]
    distribution: list[str]  # "- …;" lines, the last "- Lưu: VT."
    signing: list[str]  # "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"
    signer: str
    country: str = COUNTRY
    motto: str = MOTTO
    authority_rule_mm: int = field(default=20)


# --- The parts of a letter ------------------------------------------------------------------


def vietnamese_date(value: date | None) -> str:
    """``ngày 03 tháng 11 năm 2021``: the decree pads days below 10 and months 1 and 2."""
    if value is None:
        return "ngày     tháng     năm 20.."
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"


def _upper(text: str) -> str:
    return unicodedata.normalize("NFC", text.upper())


def _split_kind(name: str) -> tuple[tuple[str, str] | None, str]:
    """``("ỦY BAN NHÂN DÂN", "UBND"), "huyện Cẩm Thủy"`` for a People's Committee's name."""
    words = name.split()
    for size in (4, 1):
        if len(words) > size and fold(" ".join(words[:size])) in _TWO_LINE_KINDS:
            return _TWO_LINE_KINDS[fold(" ".join(words[:size]))], " ".join(words[size:])
    return None, name


# The word a unit's type is written with inside a name ("Ủy ban nhân dân tỉnh Thanh Hóa").
# The two-tier list names provinces without it ("Thanh Hóa", since 01/07/2025) where the
# three-tier list wrote "Tỉnh Thanh Hóa": the header must read the same for both.
_TYPE_WORDS: dict[str, str] = {
    UnitType.CENTRAL_CITY: "thành phố",
    UnitType.PROVINCE: "tỉnh",
    UnitType.CITY: "thành phố",
    UnitType.URBAN_DISTRICT: "quận",
    UnitType.RURAL_DISTRICT: "huyện",
    UnitType.TOWN: "thị xã",
    UnitType.COMMUNE: "xã",
    UnitType.WARD: "phường",
    UnitType.TOWNSHIP: "thị trấn",
    UnitType.SPECIAL_ZONE: "đặc khu",
}


def place_in_sentence(unit: AdministrativeUnit) -> str:
    """ "tỉnh Thanh Hóa" for "Tỉnh Thanh Hóa" and for the two-tier "Thanh Hóa" alike."""
    name = " ".join(unit.name.split())
    written = in_sentence(name)
    if written != name:
        return written
    # TextChoices members are their values: the stored "tinh" finds UnitType.PROVINCE.
    word = _TYPE_WORDS.get(unit.unit_type)
    return f"{word} {name}" if word else name


def _place_with_type(rest: str, unit: AdministrativeUnit) -> str:
    """ "thanh hóa" of "UBND Thanh Hóa" becomes "tỉnh Thanh Hóa": a People's Committee's
    place always carries its type (Decree 30/2020 writes "UBND TỈNH …", never "UBND …")."""
    if fold(rest) == fold(bare_name(unit.name)):
        return place_in_sentence(unit)
    return rest


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
    """The supervising body's line and the issuer's lines of the header, upper case."""
    issuer = issuer_then(directive)
    supervising = ""
    name = " ".join(issuer.name.split())
    # Decree 30/2020 writes the superior's name above a body that belongs to one (a
    # department under its People's Committee), never above a People's Committee or Council:
    # "ỦY BAN NHÂN DÂN / XÃ CẨM NGỌC" stands alone, as letter 000 shows.
    elected = issuer.kind in (BodyKind.PEOPLES_COMMITTEE, BodyKind.PEOPLES_COUNCIL)
    superior = None if elected else issuer.supervising_body
    if superior is not None:
        kind, rest = _split_kind(" ".join(superior.name.split()))
        if kind:
            rest = _place_with_type(rest, superior.unit)
        supervising = _upper(f"{kind[1]} {rest}" if kind else rest)
        # "Phòng Văn hóa và Thông tin huyện Cẩm Thủy" under "UBND HUYỆN CẨM THỦY", and
        # "Sở Văn hóa, Thể thao và Du lịch tỉnh Thanh Hóa" under "UBND TỈNH THANH HÓA": the
        # place, with its type word, is said on the line above, as the letters do. The place
        # is tried with its type first, so that no "TỈNH" is left dangling at the end.
        bare = fold(bare_name(issuer.unit.name))
        if fold(supervising).endswith(" " + bare):
            for place in (place_in_sentence(issuer.unit), bare_name(issuer.unit.name)):
                words = place.split()
                if fold(name).endswith(" " + fold(place)) and len(name.split()) > len(words):
                    name = " ".join(name.split()[: -len(words)])
                    break
    kind, rest = _split_kind(name)
    if kind:
        rest = _place_with_type(rest, issuer.unit)
    lines = [kind[0], _upper(rest)] if kind else [_upper(name)]
    return supervising, lines


def _rule_width(lines: list[str]) -> int:
    """Two fifths of the longest line (the decree asks a third to a half), in millimetres."""
    longest = max((len(line) for line in lines), default=10)
    return max(12, min(35, round(longest * 3.0 * 0.4)))


def number_line(directive: Directive) -> str:
    # A draft's number is left blank for the clerk (văn thư) to write in when it is issued.
    number = directive.number.strip() if directive.number else "     "
    return f"Số: {number}/{directive.symbol}"


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _entries(text: str) -> list[str]:
    """List lines without their dash and final punctuation: ``- Như trên;`` → ``Như trên``."""
    entries = []
    for line in _lines(text):
        entry = _END_MARK.sub("", _LIST_MARK.sub("", line))
        if entry:
            entries.append(entry)
    return entries


def _as_list(entries: list[str]) -> list[str]:
    return [f"- {entry}{'.' if i == len(entries) - 1 else ';'}" for i, entry in enumerate(entries)]


def _addressees(directive: Directive) -> tuple[list[str], bool]:
    from directives.services import letter_addressees

    text = letter_addressees(directive)
    entries = _entries(text)
    if len(entries) == 1:
        return [f"{entries[0]}."], True
    return _as_list(entries), False


def _distribution(directive: Directive) -> list[str]:
    from directives.services import default_distribution, letter_distribution

    text = letter_distribution(directive)
    if not text.strip():
        text = default_distribution(directive)
    entries = _entries(text)
    # The file copy ("Lưu: VT, …") closes the list, whatever order it was typed in.
    kept = [entry for entry in entries if not fold(entry).startswith("luu")]
    filed = [entry for entry in entries if fold(entry).startswith("luu")] or ["Lưu: VT"]
    return _as_list(kept + filed)


def _instructions(directive: Directive) -> list[Instruction]:
    found = []
    for item in directive.instructions.all():
        paragraphs = _lines(item.text)
        if not paragraphs:
            continue
        # "1. Phổ biến …" typed with its own number is not numbered twice.
        paragraphs[0] = re.sub(rf"^{item.position}\s*[.)]\s*", "", paragraphs[0])
        found.append(Instruction(number=f"{item.position}.", paragraphs=paragraphs))
    return found


def letter_of(directive: Directive) -> Letter:
    """The letter ``directive`` makes, with the blanks of a draft left as the decree shows."""
    supervising, authority = authority_lines(directive)
    addressees, inline = _addressees(directive)
    place = directive.place.strip() or "……"
    return Letter(
        supervising=supervising,
        authority=authority,
        number_line=number_line(directive),
        subject_line=f"V/v {' '.join(directive.subject.split())}",
        place_date=f"{place}, {vietnamese_date(directive.issued_on)}",
        addressees=addressees,
        addressed_inline=inline,
        basis=_lines(directive.basis),
        body=_lines(directive.body),
        instructions=_instructions(directive),
        closing=_lines(directive.closing),
        distribution=_distribution(directive),
        signing=[_upper(line) for line in _lines(directive.signing_capacity)],
        signer=" ".join(directive.signer_name.split()),
        authority_rule_mm=_rule_width(authority),
    )


# --- DOCX ------------------------------------------------------------------------------------


def _font(run: Any, size: float, *, bold: bool = False, italic: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:cs"), FONT)
    fonts.set(qn("w:eastAsia"), FONT)


def _paragraph(
    container: Any,
    text: str = "",
    *,
    size: float = BODY_SIZE,
    bold: bool = False,
    italic: bool = False,
    align: Any = WD_ALIGN_PARAGRAPH.CENTER,
    after: float = 0,
    first: Paragraph | None = None,
) -> Paragraph:
    paragraph = first if first is not None else container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(after)
    if text:
        _font(paragraph.add_run(text), size, bold=bold, italic=italic)
    return paragraph


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


def _text_paragraph(document: Any, text: str, *, number: str = "") -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.first_line_indent = Mm(12.7)
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(6)
    _font(paragraph.add_run(f"{number} {text}" if number else text), BODY_SIZE)


def _page_numbers(section: Any) -> None:
    """Page numbers centred at the top from the second page on, as the decree asks."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
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


def _no_cell_margins(table: Any) -> None:
    """Cells without side padding: the national title needs the whole column at 12pt."""
    properties = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "0")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")


def _cell(table: Any, row: int, column: int, width_mm: float) -> _Cell:
    # Word reads the cell's width, LibreOffice the table grid's: set both.
    table.columns[column].width = Mm(width_mm)
    cell: _Cell = table.cell(row, column)
    cell.width = Mm(width_mm)
    return cell


def _keep_with_signing(document: Any, footer: Any) -> None:
    """The signing block never stands alone on the last page: its row is not split, and the
    paragraph above it keeps to it (Word moves that paragraph's last lines along)."""
    if document.paragraphs:
        document.paragraphs[-1].paragraph_format.keep_with_next = True
    for row in footer.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def render_docx(directive: Directive) -> bytes:
    """The letter as a Word document (A4, Times New Roman), ready to be edited and signed."""
    letter = letter_of(directive)
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGIN_TOP), Mm(MARGIN_BOTTOM)
    section.left_margin, section.right_margin = Mm(MARGIN_LEFT), Mm(MARGIN_RIGHT)
    section.header_distance = Mm(10)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_SIZE)
    _page_numbers(section)
    right = TEXT_WIDTH - LEFT_COLUMN

    # Header: issuing authority, number and subject | national title, motto, place and date
    header = document.add_table(rows=2, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    header.autofit = False
    _no_cell_margins(header)
    cell = _cell(header, 0, 0, LEFT_COLUMN)
    first: Paragraph | None = cell.paragraphs[0]
    if letter.supervising:
        _paragraph(cell, letter.supervising, size=13, first=first)
        first = None
    for line in letter.authority:
        _paragraph(cell, line, size=13, bold=True, first=first)
        first = None
    _rule(cell, letter.authority_rule_mm, LEFT_COLUMN)
    cell = _cell(header, 0, 1, right)
    _paragraph(cell, letter.country, size=12, bold=True, first=cell.paragraphs[0])
    _paragraph(cell, letter.motto, size=13, bold=True)
    _rule(cell, 58, right)
    cell = _cell(header, 1, 0, LEFT_COLUMN)
    _paragraph(cell, letter.number_line, size=13, first=cell.paragraphs[0], after=2)
    _paragraph(cell, letter.subject_line, size=12)
    cell = _cell(header, 1, 1, right)
    _paragraph(cell, letter.place_date, size=14, italic=True, first=cell.paragraphs[0])

    # Kính gửi
    document.add_paragraph().paragraph_format.space_after = Pt(6)
    if letter.addressed_inline:
        paragraph = _paragraph(document, after=6)
        _font(paragraph.add_run(f"Kính gửi: {letter.addressees[0]}"), BODY_SIZE)
    else:
        for i, line in enumerate(letter.addressees):
            paragraph = _paragraph(document, align=WD_ALIGN_PARAGRAPH.LEFT)
            paragraph.paragraph_format.left_indent = Mm(50)
            if i == 0:
                # "Kính gửi:" hangs to the left of the first addressee, the rest align under it.
                paragraph.paragraph_format.first_line_indent = Mm(-25)
                _font(paragraph.add_run("Kính gửi:\t"), BODY_SIZE)
                paragraph.paragraph_format.tab_stops.add_tab_stop(Mm(50))
            _font(paragraph.add_run(line), BODY_SIZE)
        document.paragraphs[-1].paragraph_format.space_after = Pt(12)

    # Basis, body, numbered instructions, closing
    for text in [*letter.basis, *letter.body]:
        _text_paragraph(document, text)
    for instruction in letter.instructions:
        _text_paragraph(document, instruction.paragraphs[0], number=instruction.number)
        for text in instruction.paragraphs[1:]:
            _text_paragraph(document, text)
    for text in letter.closing:
        _text_paragraph(document, text)

    # Footer: Nơi nhận | signing capacity, room for the signature and seal, signer
    footer = document.add_table(rows=1, cols=2)
    footer.alignment = WD_TABLE_ALIGNMENT.CENTER
    footer.autofit = False
    _no_cell_margins(footer)
    _keep_with_signing(document, footer)
    cell = _cell(footer, 0, 0, 80)
    paragraph = _paragraph(
        cell, "Nơi nhận:", size=12, bold=True, italic=True, first=cell.paragraphs[0]
    )
    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    paragraph.paragraph_format.space_before = Pt(6)
    for line in letter.distribution:
        _paragraph(cell, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    cell = _cell(footer, 0, 1, TEXT_WIDTH - 80)
    first = cell.paragraphs[0]
    first.paragraph_format.space_before = Pt(6)
    for line in letter.signing or [""]:
        _paragraph(cell, line, size=14, bold=True, first=first)
        first = None
    space = _paragraph(cell)
    space.paragraph_format.space_after = Pt(72)  # room for the signature and the seal
    _paragraph(cell, letter.signer, size=14, bold=True)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- PDF -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FontFace:
    """One style of the shipped typeface, as an @font-face rule of the PDF's CSS."""

    family: str
    weight: str
    style: str
    url: str  # file:// URL inside FONT_DIR, the only files the PDF renderer may read


def pdf_font_faces() -> list[FontFace]:
    return [
        FontFace("Liberation Serif", weight, style, (FONT_DIR / name).resolve().as_uri())
        for weight, style, name in _FONT_FILES
    ]


def pdf_font_family() -> str:
    """The CSS font-family of letters and reports: Times New Roman, else the shipped face."""
    return PDF_FONT_FAMILY


def pdf_fonts_context() -> dict[str, Any]:
    """What ``directives/letter_fonts_pdf.html`` needs, for letters and reports alike."""
    return {"font_faces": pdf_font_faces(), "font_family": pdf_font_family()}


class LocalOnlyFetcher(URLFetcher):
    """Fetches ``data:`` URLs and the shipped font files only: a letter never makes the server
    reach a network, nor read any other file of its disk."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allowed_protocols", {"data", "file"})
        super().__init__(**kwargs)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.lower().startswith("data:"):
            response: URLFetcherResponse = super().fetch(url, headers)
            return response
        font = _shipped_font(url)
        if font is None:
            raise ValueError(f"Letters load nothing from outside ({url[:60]}).")
        # Read here rather than through urllib: the path checked is the path read.
        return URLFetcherResponse(url, font.read_bytes(), {"Content-Type": "font/ttf"})


def _shipped_font(url: str) -> Path | None:
    """The file a ``file:`` URL names when it is one of the shipped fonts, else None."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    # url2pathname unquotes ("%2e%2e" is ".."); resolve() then follows ".." and symbolic
    # links, so the check is made on the file that would be read.
    path = Path(url2pathname(parts.path)).resolve()
    if path.parent != FONT_DIR.resolve() or path.suffix.lower() != ".ttf" or not path.is_file():
        return None
    return path


def letter_html(directive: Directive) -> str:
    """The letter as HTML for WeasyPrint; every text of the directive is escaped."""
    letter = letter_of(directive)
    return render_to_string(
        "directives/letter_pdf.html",
        {
            "letter": letter,
            "directive": directive,
            "margins": {
                "top": MARGIN_TOP,
                "bottom": MARGIN_BOTTOM,
                "left": MARGIN_LEFT,
                "right": MARGIN_RIGHT,
            },
            "left_column": LEFT_COLUMN,
            **pdf_fonts_context(),
        },
    )


def pdf_from_html(html: str) -> bytes:
    pdf: bytes = HTML(string=html, base_url=None, url_fetcher=LocalOnlyFetcher()).write_pdf()
    return pdf


def render_pdf(directive: Directive) -> bytes:
    """The letter as a PDF (A4), the way it prints."""
    return pdf_from_html(letter_html(directive))
