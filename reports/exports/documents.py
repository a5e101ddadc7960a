"""A report as an official report (báo cáo) in the layout of Decree 30/2020/NĐ-CP: DOCX and PDF.

Both are drawn from one ``OfficialReport`` so they say the same thing. The layout is the
one of ``directives.rendering`` (header, national motto, number, place and date, "Nơi nhận",
signing block), whose helpers are reused here; the text is the report's own, frozen at its
build: python-docx writes it as text, the HTML template escapes it, and WeasyPrint renders
with the directives' fetcher that refuses every URL but ``data:`` and the shipped fonts.
"""

from __future__ import annotations

import functools
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import capfirst
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from directives import rendering
from directives.models import Directive
from legal.models import ComplianceCriterion
from portal.text import fold
from reports.asof import as_of_line, issuing_committee
from reports.exports.tabular import CHUNK_SIZE, subtree_of
from reports.models import (
    FIGURE_CRITERIA,
    TOTAL_FIELDS,
    ReportChildRow,
    ReportState,
    UnitReport,
)
from units.models import AdministrativeUnit, Body, BodyKind
from units.naming import bare_name, in_sentence

CRITERIA_FILE = Path(__file__).resolve().parents[2] / "legal" / "data" / "criteria-874.json"
TITLE = "BÁO CÁO"
SUBJECT = "Kết quả thực hiện Bộ Quy tắc ứng xử trên mạng xã hội"
# The ministry a province reports to since the 2025 merger of ministries.
MINISTRY = "Bộ Văn hóa, Thể thao và Du lịch"
# Completeness and denominators first, then the figures of each criterion.
GENERAL_FIELDS = ("bodies", "units_reporting", "units_missing")
# The columns of the table of units below (the full set is in the spreadsheet).
UNIT_FIGURES = (
    "bodies",
    "pages_registered",
    "pages_verified",
    "bodies_with_contact",
    "bodies_with_rules",
    "incidents_opened",
)


@dataclass(frozen=True)
class Figure:
    criterion: str  # the criterion's title, "" for the general figures
    label: str
    value: str


@dataclass(frozen=True)
class UnitLine:
    depth: int  # 1 for the units directly below
    name: str
    state: str
    on_time: str
    figures: list[str]


@dataclass(frozen=True)
class OfficialReport:
    """What the report says, in reading order, ready to be laid out."""

    supervising: str
    authority: list[str]
    authority_rule_mm: int
    number_line: str
    place_date: str
    subject: str
    addressee: str
    figures: list[Figure]
    declarations: list[tuple[str, str]]
    declaration_note: list[str]
    unit_headers: list[str]
    units: list[UnitLine]
    missing_reason: list[str]
    achievements: list[str]
    difficulties: list[str]
    proposals: list[str]
    # "Số liệu theo sổ đăng ký tại ngày dd/mm/yyyy": the date the registry figures stand at.
    as_of: str = ""
    distribution: list[str] = field(default_factory=lambda: ["- Như trên;", "- Lưu: VT."])
    signing: list[str] = field(default_factory=lambda: ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"])
    signer: str = ""
    country: str = rendering.COUNTRY
    motto: str = rendering.MOTTO


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _label(model: Any, name: str) -> str:
    return str(capfirst(str(model._meta.get_field(name).verbose_name)))


def _number(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return f"{value:,}".replace(",", ".")


def _yes_no(value: bool | None) -> str:
    return "—" if value is None else ("Có" if value else "Không")


def _issuer(report: UnitReport) -> tuple[str, list[str]]:
    """The header's supervising line and issuer lines: the unit's People's Committee as it
    stood at the report's date (``asof.issuing_committee``), never one that came into the
    unit by a merger."""
    unit = report.unit
    body = issuing_committee(
        unit,
        ends_on=report.period.ends_on,
        built_at=report.built_at,
        name=report.unit_name or unit.name,
    )
    if body is None:
        return "", ["ỦY BAN NHÂN DÂN", rendering._upper(report.unit_name or unit.name)]
    # The directives' header reads only the issuer of the letter it is given.
    return rendering.authority_lines(Directive(issuer=body))


def _addressee(unit: AdministrativeUnit) -> str:
    """The level above: its culture office when it has one, else its People's Committee."""
    parent = unit.parent
    if parent is None:
        return MINISTRY
    bodies = list(
        Body.objects.filter(
            unit=parent, kind__in=[BodyKind.DEPARTMENT, BodyKind.PEOPLES_COMMITTEE]
        ).order_by("pk")
    )
    for body in bodies:
        if body.kind == BodyKind.DEPARTMENT and "van hoa" in fold(body.name):
            return body.name
    for body in bodies:
        if body.kind == BodyKind.PEOPLES_COMMITTEE:
            return body.name
    return f"Ủy ban nhân dân {in_sentence(parent.name)}"


@functools.cache
def _shipped_criteria() -> list[tuple[str, str]]:
    """(ref, title) of the criteria file shipped with the project, in its order."""
    data = json.loads(CRITERIA_FILE.read_text(encoding="utf-8"))
    return [(item["id"], item["title"]) for item in data["criteria"]]


def _criteria() -> list[tuple[str, str]]:
    """The criteria as loaded (``load_legal``), else as shipped: titles for section I."""
    loaded = list(ComplianceCriterion.objects.order_by("order", "ref").values_list("ref", "title"))
    return loaded or _shipped_criteria()


def _figures(report: UnitReport) -> list[Figure]:
    totals = report.totals or {}
    found = [
        Figure("Chung" if i == 0 else "", _label(ReportChildRow, name), _number(totals.get(name)))
        for i, name in enumerate(GENERAL_FIELDS)
    ]
    for ref, title in _criteria():
        names = [name for name in TOTAL_FIELDS if FIGURE_CRITERIA.get(name) == ref]
        for i, name in enumerate(names):
            # The criterion is named once, on the first of its figures.
            found.append(
                Figure(
                    title if i == 0 else "",
                    _label(ReportChildRow, name),
                    _number(totals.get(name)),
                )
            )
    return found


def _declarations(report: UnitReport) -> list[tuple[str, str]]:
    found = []
    for name in ("info_consistent", "security_measures"):
        found.append((_label(UnitReport, name), _yes_no(getattr(report, name))))
    for name in (
        "impersonation_scans",
        "fake_pages_found",
        "fake_pages_reported",
        "fake_pages_taken_down",
        "dissemination_sessions",
        "participants",
        "positive_posts",
        "comments_answered",
    ):
        found.append((_label(UnitReport, name), _number(getattr(report, name))))
    return found


def _units(report: UnitReport) -> list[UnitLine]:
    tree = subtree_of(report)
    states = dict(ReportState.choices)
    rows = ReportChildRow.objects.filter(report_id__in=tree.report_ids).order_by("child_path", "pk")
    return [
        UnitLine(
            depth=len(tree.chains.get(row.report_id, ())),
            name=row.child_name,
            state=str(states.get(row.child_state, "Chưa có báo cáo")),
            on_time=_yes_no(row.on_time) if row.submitted else "—",
            figures=[_number(getattr(row, name)) for name in UNIT_FIGURES],
        )
        for row in rows.iterator(chunk_size=CHUNK_SIZE)
    ]


def official_report(report: UnitReport) -> OfficialReport:
    """What the official report of ``report`` says, in Vietnamese whatever the UI language."""
    with translation.override("vi"):
        unit = report.unit
        supervising, authority = _issuer(report)
        submitted = timezone.localdate(report.submitted_at) if report.submitted_at else None
        label = report.period.label
        return OfficialReport(
            supervising=supervising,
            authority=authority,
            authority_rule_mm=rendering._rule_width(authority),
            number_line="Số:      /BC-UBND",
            place_date=f"{bare_name(report.unit_name or unit.name)}, {rendering.vietnamese_date(submitted)}",
            subject=f"{SUBJECT} {label[:1].lower()}{label[1:]}",
            addressee=_addressee(unit),
            figures=_figures(report),
            declarations=_declarations(report),
            declaration_note=_lines(report.declaration_note),
            unit_headers=[_label(ReportChildRow, name) for name in UNIT_FIGURES],
            units=_units(report),
            missing_reason=_lines(report.missing_children_reason),
            as_of=as_of_line(report),
            achievements=_lines(report.achievements),
            difficulties=_lines(report.difficulties),
            proposals=_lines(report.proposals),
        )


# --- DOCX ------------------------------------------------------------------------------------


def _heading(document: Any, text: str) -> None:
    paragraph = rendering._paragraph(
        document, text, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, after=6
    )
    paragraph.paragraph_format.first_line_indent = Mm(12.7)


def _table(document: Any, header: list[str], rows: list[list[str]], widths: list[float]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for i, text in enumerate(header):
        cell = rendering._cell(table, 0, i, widths[i])
        rendering._paragraph(cell, text, size=11, bold=True, first=cell.paragraphs[0])
    for values in rows:
        cells = table.add_row().cells
        for i, text in enumerate(values):
            cells[i].width = Mm(widths[i])
            align = WD_ALIGN_PARAGRAPH.LEFT if i == 1 else WD_ALIGN_PARAGRAPH.CENTER
            rendering._paragraph(cells[i], text, size=11, align=align, first=cells[i].paragraphs[0])
    document.add_paragraph().paragraph_format.space_after = Pt(6)


def _texts(document: Any, lines: list[str], empty: str = "Không có.") -> None:
    for text in lines or [empty]:
        rendering._text_paragraph(document, text)


def render_docx(report: UnitReport) -> bytes:
    """The report as a Word document (A4, Times New Roman), ready to be signed."""
    doc = official_report(report)
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = (
        Mm(rendering.MARGIN_TOP),
        Mm(rendering.MARGIN_BOTTOM),
    )
    section.left_margin, section.right_margin = (
        Mm(rendering.MARGIN_LEFT),
        Mm(rendering.MARGIN_RIGHT),
    )
    section.header_distance = Mm(10)
    normal = document.styles["Normal"]
    normal.font.name = rendering.FONT
    normal.font.size = Pt(rendering.BODY_SIZE)
    rendering._page_numbers(section)
    left, right = rendering.LEFT_COLUMN, rendering.TEXT_WIDTH - rendering.LEFT_COLUMN

    header = document.add_table(rows=2, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    header.autofit = False
    rendering._no_cell_margins(header)
    cell = rendering._cell(header, 0, 0, left)
    first: Paragraph | None = cell.paragraphs[0]
    if doc.supervising:
        rendering._paragraph(cell, doc.supervising, size=13, first=first)
        first = None
    for line in doc.authority:
        rendering._paragraph(cell, line, size=13, bold=True, first=first)
        first = None
    rendering._rule(cell, doc.authority_rule_mm, left)
    cell = rendering._cell(header, 0, 1, right)
    rendering._paragraph(cell, doc.country, size=12, bold=True, first=cell.paragraphs[0])
    rendering._paragraph(cell, doc.motto, size=13, bold=True)
    rendering._rule(cell, 58, right)
    cell = rendering._cell(header, 1, 0, left)
    rendering._paragraph(cell, doc.number_line, size=13, first=cell.paragraphs[0])
    cell = rendering._cell(header, 1, 1, right)
    rendering._paragraph(cell, doc.place_date, size=14, italic=True, first=cell.paragraphs[0])

    document.add_paragraph().paragraph_format.space_after = Pt(6)
    rendering._paragraph(document, TITLE, bold=True)
    rendering._paragraph(document, doc.subject, bold=True, after=6)
    rendering._paragraph(document, f"Kính gửi: {doc.addressee}.", after=12)
    if doc.as_of:
        rendering._paragraph(document, f"({doc.as_of})", italic=True, after=6)

    _heading(document, "I. TÌNH HÌNH THỰC HIỆN")
    _table(
        document,
        ["STT", "Tiêu chí", "Chỉ tiêu", "Số liệu"],
        [
            [str(i), figure.criterion, figure.label, figure.value]
            for i, figure in enumerate(doc.figures, start=1)
        ],
        [12, 70, 62, 21],
    )
    _heading(document, "II. NỘI DUNG ĐƠN VỊ KÊ KHAI")
    _table(
        document,
        ["STT", "Nội dung", "Kết quả"],
        [[str(i), label, value] for i, (label, value) in enumerate(doc.declarations, start=1)],
        [12, 123, 30],
    )
    if doc.declaration_note:
        _texts(document, doc.declaration_note)
    _heading(document, "III. TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ CẤP DƯỚI")
    if doc.units:
        _table(
            document,
            ["STT", "Đơn vị", "Trạng thái", "Đúng hạn", *doc.unit_headers],
            [
                [
                    str(i),
                    "  " * (line.depth - 1) + line.name,
                    line.state,
                    line.on_time,
                    *line.figures,
                ]
                for i, line in enumerate(doc.units, start=1)
            ],
            [10, 35, 22, 14, *([14] * len(doc.unit_headers))],
        )
    else:
        _texts(document, [], empty="Không có đơn vị cấp dưới.")
    if doc.missing_reason:
        _texts(
            document, [f"Lý do chưa đủ báo cáo: {doc.missing_reason[0]}", *doc.missing_reason[1:]]
        )
    _heading(document, "IV. ĐÁNH GIÁ CHUNG, KHÓ KHĂN VÀ ĐỀ XUẤT")
    _heading(document, "1. Kết quả đạt được")
    _texts(document, doc.achievements)
    _heading(document, "2. Khó khăn, vướng mắc")
    _texts(document, doc.difficulties)
    _heading(document, "3. Đề xuất, kiến nghị")
    _texts(document, doc.proposals)

    footer = document.add_table(rows=1, cols=2)
    footer.alignment = WD_TABLE_ALIGNMENT.CENTER
    footer.autofit = False
    rendering._no_cell_margins(footer)
    rendering._keep_with_signing(document, footer)
    cell = rendering._cell(footer, 0, 0, 80)
    paragraph = rendering._paragraph(
        cell, "Nơi nhận:", size=12, bold=True, italic=True, first=cell.paragraphs[0]
    )
    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    paragraph.paragraph_format.space_before = Pt(6)
    for line in doc.distribution:
        rendering._paragraph(cell, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    cell = rendering._cell(footer, 0, 1, rendering.TEXT_WIDTH - 80)
    first = cell.paragraphs[0]
    first.paragraph_format.space_before = Pt(6)
    for line in doc.signing:
        rendering._paragraph(cell, line, size=14, bold=True, first=first)
        first = None
    space = rendering._paragraph(cell)
    space.paragraph_format.space_after = Pt(72)  # room for the signature and the seal
    rendering._paragraph(cell, doc.signer, size=14, bold=True)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- PDF -------------------------------------------------------------------------------------


def report_html(report: UnitReport) -> str:
    """The report as HTML for WeasyPrint; every text of the report is escaped."""
    return render_to_string(
        "reports/exports/report_pdf.html",
        {
            "doc": official_report(report),
            "margins": {
                "top": rendering.MARGIN_TOP,
                "bottom": rendering.MARGIN_BOTTOM,
                "left": rendering.MARGIN_LEFT,
                "right": rendering.MARGIN_RIGHT,
            },
            "left_column": rendering.LEFT_COLUMN,
            # The typeface of the letters, shipped with the project (same @font-face rules).
            **rendering.pdf_fonts_context(),
        },
    )


def render_pdf(report: UnitReport) -> bytes:
    """The report as a PDF (A4), the way it prints; nothing is fetched from outside."""
    return rendering.pdf_from_html(report_html(report))


def write_docx(report: UnitReport, fileobj: IO[bytes]) -> None:
    fileobj.write(render_docx(report))


def write_pdf(report: UnitReport, fileobj: IO[bytes]) -> None:
    fileobj.write(render_pdf(report))
