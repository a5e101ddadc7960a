"""A report as an official report (báo cáo) in the layout of Decree 30/2020/NĐ-CP: DOCX and PDF.

Both are drawn from one ``OfficialReport`` so they say the same thing. The layout is the
one the directives' letters use too, ``units.documents`` (header, national motto, number,
place and date, "Kính gửi", "Nơi nhận", signing block; its DOCX builder and its base PDF
template); the text is the report's own, frozen at its build: python-docx writes it as text,
the HTML template escapes it, and WeasyPrint renders with the fetcher that refuses every URL
but ``data:`` and the shipped fonts.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils import timezone, translation
from django.utils.text import capfirst
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

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
from units.documents import (
    OfficialDocument,
    OfficialDocx,
    issuer_lines,
    number_line,
    official_html,
    pdf_from_html,
    place_date,
    text_lines,
    upper,
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


@dataclass(frozen=True, kw_only=True)
class OfficialReport(OfficialDocument):
    """What the report says, in reading order, ready to be laid out: the parts every
    official document has (its "Kính gửi" is the level above), and the report's own."""

    subject: str
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
    signing: list[str] = field(default_factory=lambda: ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"])


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
        return "", ["ỦY BAN NHÂN DÂN", upper(report.unit_name or unit.name)]
    return issuer_lines(body)


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
            number_line=number_line(None, "BC-UBND"),
            place_date=place_date(bare_name(report.unit_name or unit.name), submitted),
            subject=f"{SUBJECT} {label[:1].lower()}{label[1:]}",
            addressees=[f"{_addressee(unit)}."],
            addressed_inline=True,
            figures=_figures(report),
            declarations=_declarations(report),
            declaration_note=text_lines(report.declaration_note),
            unit_headers=[_label(ReportChildRow, name) for name in UNIT_FIGURES],
            units=_units(report),
            missing_reason=text_lines(report.missing_children_reason),
            as_of=as_of_line(report),
            achievements=text_lines(report.achievements),
            difficulties=text_lines(report.difficulties),
            proposals=text_lines(report.proposals),
        )


# --- DOCX ------------------------------------------------------------------------------------


def _heading(builder: OfficialDocx, text: str) -> None:
    paragraph = builder.paragraph(text, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, after=6)
    paragraph.paragraph_format.first_line_indent = Mm(12.7)


def _table(
    builder: OfficialDocx, header: list[str], rows: list[list[str]], widths: list[float]
) -> None:
    table = builder.table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for i, text in enumerate(header):
        cell = builder.cell(table, 0, i, widths[i])
        builder.paragraph(text, into=cell, size=11, bold=True, first=cell.paragraphs[0])
    for values in rows:
        cells = table.add_row().cells  # type: ignore[no-untyped-call]
        for i, text in enumerate(values):
            cells[i].width = Mm(widths[i])
            align = WD_ALIGN_PARAGRAPH.LEFT if i == 1 else WD_ALIGN_PARAGRAPH.CENTER
            builder.paragraph(
                text, into=cells[i], size=11, align=align, first=cells[i].paragraphs[0]
            )
    builder.document.add_paragraph().paragraph_format.space_after = Pt(6)


def _texts(builder: OfficialDocx, lines: list[str], empty: str = "Không có.") -> None:
    for text in lines or [empty]:
        builder.text(text)


def render_docx(report: UnitReport) -> bytes:
    """The report as a Word document (A4, Times New Roman), ready to be signed."""
    doc = official_report(report)
    builder = OfficialDocx()
    builder.header(doc)
    builder.paragraph(TITLE, bold=True)
    builder.paragraph(doc.subject, bold=True, after=6)
    builder.addressed_to(doc, after=12)
    if doc.as_of:
        builder.paragraph(f"({doc.as_of})", italic=True, after=6)

    _heading(builder, "I. TÌNH HÌNH THỰC HIỆN")
    _table(
        builder,
        ["STT", "Tiêu chí", "Chỉ tiêu", "Số liệu"],
        [
            [str(i), figure.criterion, figure.label, figure.value]
            for i, figure in enumerate(doc.figures, start=1)
        ],
        [12, 70, 62, 21],
    )
    _heading(builder, "II. NỘI DUNG ĐƠN VỊ KÊ KHAI")
    _table(
        builder,
        ["STT", "Nội dung", "Kết quả"],
        [[str(i), label, value] for i, (label, value) in enumerate(doc.declarations, start=1)],
        [12, 123, 30],
    )
    if doc.declaration_note:
        _texts(builder, doc.declaration_note)
    _heading(builder, "III. TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ CẤP DƯỚI")
    if doc.units:
        _table(
            builder,
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
        _texts(builder, [], empty="Không có đơn vị cấp dưới.")
    if doc.missing_reason:
        _texts(
            builder, [f"Lý do chưa đủ báo cáo: {doc.missing_reason[0]}", *doc.missing_reason[1:]]
        )
    _heading(builder, "IV. ĐÁNH GIÁ CHUNG, KHÓ KHĂN VÀ ĐỀ XUẤT")
    _heading(builder, "1. Kết quả đạt được")
    _texts(builder, doc.achievements)
    _heading(builder, "2. Khó khăn, vướng mắc")
    _texts(builder, doc.difficulties)
    _heading(builder, "3. Đề xuất, kiến nghị")
    _texts(builder, doc.proposals)
    builder.signing_block(doc)
    return builder.to_bytes()


# --- PDF -------------------------------------------------------------------------------------


def report_html(report: UnitReport) -> str:
    """The report as HTML for WeasyPrint; every text of the report is escaped."""
    return official_html("reports/exports/report_pdf.html", official_report(report))


def render_pdf(report: UnitReport) -> bytes:
    """The report as a PDF (A4), the way it prints; nothing is fetched from outside."""
    return pdf_from_html(report_html(report))


def write_docx(report: UnitReport, fileobj: IO[bytes]) -> None:
    fileobj.write(render_docx(report))


def write_pdf(report: UnitReport, fileobj: IO[bytes]) -> None:
    fileobj.write(render_pdf(report))
