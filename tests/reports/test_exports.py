"""Exports of a report: what the files hold, how they are built, who may have them."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Generator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts_registry.models import PageState
from reports import services as report_services
from reports.build import build_period
from reports.exports import services, tabular
from reports.exports.documents import render_docx, render_pdf, report_html
from reports.exports.tabular import write_csv_zip
from reports.exports.tasks import build_export_task
from reports.exports.xlsx import write_xlsx
from reports.models import (
    ExportFormat,
    ExportJob,
    ExportState,
    ReportBodyRow,
    ReportingPeriod,
    ReportState,
    UnitReport,
)
from tests import factories
from tests.accounts_registry.factories_pages import page
from tests.conftest import Tree
from tests.pdf_text import pdf_fonts, pdf_text
from tests.reports.conftest import DECLARATIONS, IN_QUARTER, People, Registry, report_of
from units.models import AdministrativeUnit, Body

INJECTION = '=HYPERLINK("http://evil.example/","Bấm vào đây")'


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def _submit_and_accept(report: UnitReport, officer: Any, reviewer: Any, **fields: Any) -> None:
    report_services.report_update(report=report, by=officer, **{**DECLARATIONS, **fields})
    report_services.report_submit(report=report, by=officer)
    report_services.report_accept(report=report, by=reviewer)


@pytest.fixture
def district(
    tree: Tree, people: People, registry: Registry, quarter: ReportingPeriod
) -> UnitReport:
    """Cẩm Thủy's draft report, rolling up its two communes accepted by the district."""
    build_period(quarter)
    _submit_and_accept(report_of(tree.cam_ngoc, quarter), people.cam_ngoc, people.cam_thuy)
    _submit_and_accept(
        report_of(tree.cam_thanh, quarter),
        people.cam_thanh,
        people.cam_thuy,
        achievements="Xã đã rà soát toàn bộ trang.",
    )
    # The district's draft is rebuilt: it now carries its accepted communes.
    build_period(quarter)
    return UnitReport.objects.select_related("unit__level", "period").get(
        pk=report_of(tree.cam_thuy, quarter).pk
    )


def _xlsx(report: UnitReport) -> Any:
    out = io.BytesIO()
    write_xlsx(report, out)
    out.seek(0)
    return load_workbook(out)


def _data(sheet: Any) -> list[list[Any]]:
    """The rows under the title, the blank line and the header."""
    return [list(row) for row in sheet.iter_rows(min_row=5, values_only=True)]


def _bodies(book: Any, levels: int = 2) -> dict[str, list[Any]]:
    """Body rows by the body's name (the column after the level columns)."""
    return {row[levels]: row for row in _data(book["Cơ quan"])}


def _file(job: ExportJob) -> bytes:
    return Path(job.file.path).read_bytes()


def _files(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file())


# --- XLSX ------------------------------------------------------------------------------------


def test_the_district_workbook_holds_every_commune_as_frozen_when_accepted(
    tree: Tree,
    district: UnitReport,
    quarter: ReportingPeriod,
    registry: Registry,
    time_machine: Any,
    now: datetime,
) -> None:
    job = services.export_request(report=district, fmt="xlsx", user=None)
    assert job.state == ExportState.DONE
    book = load_workbook(io.BytesIO(_file(job)))

    assert book.sheetnames == ["Tổng hợp", "Cơ quan", "Trang"]
    assert book["Tổng hợp"]["A2"].value == "Huyện Cẩm Thủy — Quý 3/2026"
    summary = {tuple(row[:2]): row for row in _data(book["Tổng hợp"])}
    assert set(summary) == {
        ("Huyện Cẩm Thủy", None),
        ("Huyện Cẩm Thủy", "Xã Cẩm Ngọc"),
        ("Huyện Cẩm Thủy", "Xã Cẩm Thành"),
    }
    bodies = _bodies(book)
    # Every body of the district and of both communes, each under its own unit.
    assert set(bodies) == {
        "Phòng Văn hóa và Thông tin huyện Cẩm Thủy",
        "UBND Xã Cẩm Ngọc",
        "UBND Xã Cẩm Thành",
    }
    cam_ngoc = bodies["UBND Xã Cẩm Ngọc"]
    assert cam_ngoc[:2] == ["Huyện Cẩm Thủy", "Xã Cẩm Ngọc"]
    # pages registered, approved, verified, needing review, with a responsible unit
    assert cam_ngoc[4:9] == [3, 2, 1, 1, 1]
    pages = [row for row in _data(book["Trang"]) if row[1] == "Xã Cẩm Ngọc"]
    assert sorted(row[4] for row in pages) == [
        "Cẩm Ngọc quê hương",
        "Tuổi trẻ Cẩm Ngọc",
        "UBND xã Cẩm Ngọc",
    ]
    assert [row[4] for row in _data(book["Trang"]) if row[1] == "Xã Cẩm Thành"] == ["Xã Cẩm Thành"]

    # The registry changes after the communes were accepted; the district's draft is rebuilt.
    time_machine.move_to(now + timedelta(days=1), tick=False)
    page(tree.ubnd_cam_ngoc, state=PageState.APPROVED, display_name="Trang mới")
    Body.objects.filter(pk=tree.ubnd_cam_ngoc.pk).update(name="UBND xã Cẩm Ngọc (tên mới)")
    build_period(quarter)
    district.refresh_from_db()
    again = services.export_request(report=district, fmt="xlsx", user=None)

    assert again.pk != job.pk  # the draft was rebuilt: a new file
    later = load_workbook(io.BytesIO(_file(again)))
    later_bodies = _bodies(later)
    assert later_bodies["UBND Xã Cẩm Ngọc"] == cam_ngoc
    assert later_bodies["UBND Xã Cẩm Thành"] == bodies["UBND Xã Cẩm Thành"]
    assert "Trang mới" not in {row[4] for row in _data(later["Trang"])}
    later_summary = {tuple(row[:2]): row for row in _data(later["Tổng hợp"])}
    assert (
        later_summary[("Huyện Cẩm Thủy", "Xã Cẩm Ngọc")]
        == summary[("Huyện Cẩm Thủy", "Xã Cẩm Ngọc")]
    )


def test_the_province_workbook_walks_down_to_the_communes(
    tree: Tree, people: People, district: UnitReport, quarter: ReportingPeriod
) -> None:
    _submit_and_accept(district, people.cam_thuy, people.province)
    build_period(quarter)
    province = report_of(tree.thanh_hoa, quarter)

    book = _xlsx(province)

    summary = [tuple(row[:3]) for row in _data(book["Tổng hợp"])]
    assert summary[0] == ("Tỉnh Thanh Hóa", None, None)
    assert ("Tỉnh Thanh Hóa", "Huyện Cẩm Thủy", "Xã Cẩm Ngọc") in summary
    # Bá Thước has not reported: it is listed, but nothing below it is known.
    assert ("Tỉnh Thanh Hóa", "Huyện Bá Thước", None) in summary
    assert not any(row[1] == "Huyện Bá Thước" and row[2] for row in summary)
    bodies = _bodies(book, levels=3)
    assert bodies["UBND Xã Cẩm Ngọc"][:3] == ["Tỉnh Thanh Hóa", "Huyện Cẩm Thủy", "Xã Cẩm Ngọc"]
    assert ReportBodyRow.objects.filter(body_name="UBND Xã Điền Lư").exists()
    assert "UBND Xã Điền Lư" not in bodies


def test_the_same_report_gives_the_same_bytes(district: UnitReport) -> None:
    first, second = io.BytesIO(), io.BytesIO()
    write_xlsx(district, first)
    write_xlsx(district, second)
    assert first.getvalue() == second.getvalue()
    assert zipfile.ZipFile(first).testzip() is None


def test_the_same_report_gives_the_same_bytes_minutes_or_days_later(
    district: UnitReport, time_machine: Any
) -> None:
    first = io.BytesIO()
    write_xlsx(district, first)
    # openpyxl stamps the time of saving as "modified": the export puts the report's back
    time_machine.shift(timedelta(days=3, minutes=7, seconds=11))
    later = io.BytesIO()
    write_xlsx(district, later)

    assert first.getvalue() == later.getvalue()
    core = zipfile.ZipFile(later).read("docProps/core.xml").decode()
    assert district.built_at is not None
    stamp = district.built_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f">{stamp}</dcterms:created>" in core
    assert f">{stamp}</dcterms:modified>" in core


# --- CSV -------------------------------------------------------------------------------------


def test_the_csv_zip_holds_the_three_tables_in_utf8_with_a_bom(district: UnitReport) -> None:
    out = io.BytesIO()
    write_csv_zip(district, out)

    archive = zipfile.ZipFile(out)
    assert archive.namelist() == ["tong-hop.csv", "co-quan.csv", "trang.csv"]
    raw = archive.read("co-quan.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    by_body = {row[2]: row for row in rows[1:]}
    assert by_body["UBND Xã Cẩm Ngọc"][:2] == ["Huyện Cẩm Thủy", "Xã Cẩm Ngọc"]
    assert by_body["UBND Xã Cẩm Ngọc"][4] == "3"
    summary = list(csv.reader(io.StringIO(archive.read("tong-hop.csv").decode("utf-8-sig"))))
    # The district first, then its communes in the order of the hierarchy.
    assert [row[:2] for row in summary[1:]] == [
        ["Huyện Cẩm Thủy", ""],
        ["Huyện Cẩm Thủy", "Xã Cẩm Ngọc"],
        ["Huyện Cẩm Thủy", "Xã Cẩm Thành"],
    ]
    pages = archive.read("trang.csv").decode("utf-8-sig")
    assert "Tuổi trẻ Cẩm Ngọc" in pages


def test_a_name_that_looks_like_a_formula_is_written_as_text(
    tree: Tree, quarter: ReportingPeriod
) -> None:
    factories.BodyFactory.create(unit=tree.cam_thanh, name=INJECTION)
    # Built while the quarter runs: a build after its end counts only what existed then.
    build_period(quarter, now=IN_QUARTER)
    report = report_of(tree.cam_thanh, quarter)

    book = _xlsx(report)
    [cell] = [c for row in book["Cơ quan"].iter_rows() for c in row if "HYPERLINK" in str(c.value)]
    assert cell.value == "'" + INJECTION
    assert cell.data_type == "s"

    out = io.BytesIO()
    write_csv_zip(report, out)
    text = zipfile.ZipFile(out).read("co-quan.csv").decode("utf-8-sig")
    [row] = [row for row in csv.reader(io.StringIO(text)) if "HYPERLINK" in ",".join(row)]
    assert "'" + INJECTION in row
    assert INJECTION not in row


# --- DOCX and PDF ----------------------------------------------------------------------------


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_the_word_report_is_laid_out_as_an_official_report(district: UnitReport) -> None:
    text = _docx_text(render_docx(district))

    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN",
        "Số:      /BC-UBND",
        "BÁO CÁO",
        "Kết quả thực hiện Bộ Quy tắc ứng xử trên mạng xã hội quý 3/2026",
        "Kính gửi: Ủy ban nhân dân tỉnh Thanh Hóa.",
        "I. TÌNH HÌNH THỰC HIỆN",
        "III. TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ CẤP DƯỚI",
        "Xã Cẩm Ngọc",
        "Xã Cẩm Thành",
        "Nơi nhận:",
        "- Lưu: VT.",
    ):
        assert expected in text, expected
    # The district's totals: 3 bodies, 4 live pages (3 in Cẩm Ngọc, 1 in Cẩm Thành).
    assert district.totals["bodies"] == 3
    assert district.totals["pages_registered"] == 4


def test_the_fake_pages_reported_and_taken_down_are_counted_in_the_exports(
    tree: Tree, people: People, registry: Registry, quarter: ReportingPeriod
) -> None:
    build_period(quarter)
    commune = report_of(tree.cam_ngoc, quarter)
    _submit_and_accept(
        commune, people.cam_ngoc, people.cam_thuy, fake_pages_reported=1, fake_pages_taken_down=1
    )
    district = report_of(tree.cam_thuy, quarter)
    report_services.report_update(
        report=district,
        by=people.cam_thuy,
        impersonation_scans=4,
        fake_pages_found=2,
        fake_pages_reported=2,
        fake_pages_taken_down=0,
    )
    build_period(quarter)
    district = UnitReport.objects.select_related("unit__level", "period").get(pk=district.pk)
    reported, taken_down = "Số trang mạo danh đã báo cáo nền tảng", "Số trang mạo danh đã bị gỡ bỏ"

    sheet = _xlsx(district)["Tổng hợp"]
    header = [cell.value for cell in sheet[4]]
    rows = {tuple(row[:2]): row for row in _data(sheet)}
    district_row = rows[("Huyện Cẩm Thủy", None)]
    commune_row = rows[("Huyện Cẩm Thủy", "Xã Cẩm Ngọc")]
    # The district's own two and Cẩm Ngọc's one reported; Cẩm Ngọc's one taken down.
    assert district_row[header.index(reported)] == 3
    assert district_row[header.index(taken_down)] == 1
    assert commune_row[header.index(reported)] == 1
    assert commune_row[header.index(taken_down)] == 1
    text = _docx_text(render_docx(district))
    assert reported in text
    assert taken_down in text


def test_the_pdf_shows_vietnamese_and_escapes_what_units_typed(
    district: UnitReport, people: People
) -> None:
    report_services.report_update(
        report=district,
        by=people.cam_thuy,
        achievements='<script>alert("x")</script> Đã hướng dẫn 17 xã.',
    )
    district.refresh_from_db()

    html = report_html(district)
    content = render_pdf(district)

    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert content.startswith(b"%PDF")
    text = " ".join(pdf_text(content).split())
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Kính gửi: Ủy ban nhân dân tỉnh Thanh Hóa." in text
    assert '<script>alert("x")</script> Đã hướng dẫn 17 xã.' in text
    assert "Xã Cẩm Ngọc" in text
    assert "Nơi nhận:" in text


def test_the_pdf_report_is_set_in_the_shipped_times_metric_typeface(
    district: UnitReport,
) -> None:
    fonts = pdf_fonts(render_pdf(district))

    # Liberation Serif 2 shipped with the project, as in the letters; no DejaVu anywhere
    assert "LiberationSerifBold" in fonts
    assert all(name.startswith("LiberationSerif") for name in fonts), fonts
    assert all(revision >= 2 for revision in fonts.values()), fonts


def test_the_signing_block_of_the_pdf_report_keeps_the_last_paragraph(
    district: UnitReport, people: People
) -> None:
    # Given reports whose proposals grow a paragraph at a time, so that one of them ends
    # just where the signing block no longer fits under the text
    paragraph = (
        "Đề nghị Ủy ban nhân dân tỉnh tiếp tục tổ chức tập huấn kỹ năng quản lý trang, "
        "phát hiện và xử lý trang giả mạo cho cán bộ cấp xã."
    )
    for count in range(1, 12, 2):
        report_services.report_update(
            report=district,
            by=people.cam_thuy,
            proposals="\n".join(f"Ý {i}. {paragraph}" for i in range(1, count + 1)),
        )
        district.refresh_from_db()
        pages = PdfReader(io.BytesIO(render_pdf(district))).pages

        # Then the last page holds the end of the text, the signing capacity, and the place
        # kept for the signature and the name
        last = " ".join((pages[-1].extract_text() or "").split())
        assert "TM. ỦY BAN NHÂN DÂN" in last
        assert "CHỦ TỊCH" in last
        assert "cho cán bộ cấp xã." in last, (count, last[:200])


def test_the_word_report_writes_noi_nhan_and_room_for_the_signer(district: UnitReport) -> None:
    document = Document(io.BytesIO(render_docx(district)))
    copies, signing = document.tables[-1].rows[0].cells

    # Decree 30/2020: "Nơi nhận:" 12pt bold italic, the list 11pt upright
    runs = [
        (run.text, run.font.size.pt, bool(run.font.bold), bool(run.font.italic))
        for paragraph in copies.paragraphs
        for run in paragraph.runs
    ]
    assert runs == [
        ("Nơi nhận:", 12, True, True),
        ("- Như trên;", 11, False, False),
        ("- Lưu: VT.", 11, False, False),
    ]
    # The signing block: capacity, room for the signature and seal, the name line
    assert [p.text for p in signing.paragraphs] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "", ""]
    assert signing.paragraphs[2].paragraph_format.space_after.pt == 72
    # and it stays on the page of the paragraph above it
    assert document.paragraphs[-1].paragraph_format.keep_with_next is True


# --- Query budget ----------------------------------------------------------------------------


def _district_with(communes: int, quarter: ReportingPeriod) -> UnitReport:
    province = factories.province(f"Tỉnh Thử {communes}")
    district = factories.district(province, f"Huyện Thử {communes}")
    for i in range(communes):
        unit = factories.commune(district, f"Xã Thử {communes}-{i}")
        for j in range(2):
            body = factories.BodyFactory.create(unit=unit, name=f"Cơ quan {i}-{j}")
            page(body, state=PageState.APPROVED)
    ids = list(AdministrativeUnit.objects.subtree_of(province).values_list("pk", flat=True))
    build_period(quarter, unit_ids=ids)
    UnitReport.objects.filter(unit__parent=district, period=quarter).update(
        state=ReportState.ACCEPTED
    )
    build_period(quarter, unit_ids=ids)
    return UnitReport.objects.select_related("unit__level", "period").get(
        unit=district, period=quarter
    )


def _queries(report: UnitReport) -> int:
    with CaptureQueriesContext(connection) as captured:
        write_xlsx(report, io.BytesIO())
    return len(captured.captured_queries)


def test_the_queries_of_an_xlsx_export_do_not_grow_with_communes_or_bodies(
    quarter: ReportingPeriod, now: datetime, django_assert_max_num_queries: Any
) -> None:
    few = _district_with(3, quarter)
    many = _district_with(30, quarter)

    # The walk (a level of children, then the empty level below), the level names, and one
    # query per sheet.
    with django_assert_max_num_queries(6):
        write_xlsx(many, io.BytesIO())
    assert _queries(few) == _queries(many)
    assert len(_data(_xlsx(many)["Cơ quan"])) == 60


# --- Jobs ------------------------------------------------------------------------------------


def test_an_unchanged_report_reuses_its_finished_export(district: UnitReport) -> None:
    first = services.export_request(report=district, fmt="csv", user=None)
    second = services.export_request(report=district, fmt="csv", user=None)
    other = services.export_request(report=district, fmt="xlsx", user=None)

    assert first.pk == second.pk != other.pk
    assert ExportJob.objects.count() == 2
    assert first.size == len(_file(first)) > 0


def test_a_finished_file_lost_from_the_storage_is_made_again(district: UnitReport) -> None:
    first = services.export_request(report=district, fmt="xlsx", user=None)
    Path(first.file.path).unlink()

    second = services.export_request(report=district, fmt="xlsx", user=None)

    assert second.pk != first.pk
    assert second.state == ExportState.DONE
    assert load_workbook(io.BytesIO(_file(second))).sheetnames[0] == "Tổng hợp"


def test_an_edited_narrative_gives_a_new_export(
    district: UnitReport, people: People, time_machine: Any, now: datetime
) -> None:
    first = services.export_request(report=district, fmt="docx", user=None)
    time_machine.move_to(now + timedelta(minutes=5), tick=False)

    report_services.report_update(
        report=district, by=people.cam_thuy, proposals="Đề nghị tập huấn thêm."
    )
    district.refresh_from_db()
    second = services.export_request(report=district, fmt="docx", user=None)

    assert second.pk != first.pk
    assert "Đề nghị tập huấn thêm." in _docx_text(_file(second))
    assert "Đề nghị tập huấn thêm." not in _docx_text(_file(first))


def test_a_large_report_is_queued_and_built_by_the_task(
    district: UnitReport, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.PORTAL_EXPORT_SYNC_MAX_ROWS = 3
    with django_capture_on_commit_callbacks() as callbacks:
        job = services.export_request(report=district, fmt="xlsx", user=None)
    assert job.state == ExportState.QUEUED
    assert len(callbacks) == 1
    # Asked again while it waits: the same job.
    assert services.export_request(report=district, fmt="xlsx", user=None).pk == job.pk

    assert build_export_task(job.pk) == "done"
    job.refresh_from_db()
    assert job.state == ExportState.DONE
    assert job.finished_at is not None
    assert load_workbook(io.BytesIO(_file(job))).sheetnames[0] == "Tổng hợp"
    # A duplicate message does nothing more.
    assert build_export_task(job.pk) == "skipped"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_failure_half_way_leaves_no_file_and_a_retry_gives_the_same_bytes(
    district: UnitReport,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    media: Path,
    fmt: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.PORTAL_EXPORT_SYNC_MAX_ROWS = 0
    job = services.export_request(report=district, fmt=fmt, user=None)
    real = tabular.page_rows

    def breaks_half_way(tree: Any) -> Generator[list[Any], None, None]:
        rows = real(tree)
        yield next(rows)
        rows.close()
        raise OSError("disk full")

    monkeypatch.setattr(tabular, "page_rows", breaks_half_way)
    assert services.run_export(job.pk) == "failed"

    job.refresh_from_db()
    assert job.state == ExportState.FAILED
    assert "disk full" in job.error
    assert not job.file
    assert _files(media) == []

    monkeypatch.setattr(tabular, "page_rows", real)
    assert services.run_export(job.pk) == "done"
    job.refresh_from_db()
    reference = io.BytesIO()
    (write_xlsx if fmt == "xlsx" else write_csv_zip)(district, reference)
    assert _file(job) == reference.getvalue()
    assert _files(media) == [Path(job.file.path)]


# --- Pages -----------------------------------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_asking_for_a_small_export_leads_straight_to_the_file(
    district: UnitReport, people: People
) -> None:
    client = _client(people.cam_thuy)

    response = client.post(reverse("reports:export", args=[district.pk, "xlsx"]))

    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:export_download", args=[job.pk])
    download = client.get(response["Location"])
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    disposition = download["Content-Disposition"]
    assert disposition.startswith('attachment; filename="bao-cao-huyen-cam-thuy-quy-3-2026.xlsx"')
    assert "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20Huy%E1%BB%87n%20C%E1%BA%A9m" in disposition
    assert download.getvalue() == _file(job)


def test_a_large_export_shows_a_page_that_polls_until_ready(
    district: UnitReport, people: People, settings: Any
) -> None:
    settings.PORTAL_EXPORT_SYNC_MAX_ROWS = 0
    client = _client(people.province)

    response = client.post(reverse("reports:export", args=[district.pk, "pdf"]), follow=True)

    job = ExportJob.objects.get()
    status_url = reverse("reports:export_status", args=[job.pk])
    assert response.redirect_chain == [(status_url, 302)]
    page_html = response.content.decode()
    assert f'data-poll-url="{status_url}?format=json"' in page_html
    assert 'src="/static/js/export-status.js"' in page_html
    assert client.get(status_url, {"format": "json"}).json()["download_url"] is None

    build_export_task(job.pk)

    data = client.get(status_url, {"format": "json"}).json()
    assert data["state"] == "done"
    assert data["download_url"] == reverse("reports:export_download", args=[job.pk])
    assert client.get(data["download_url"]).getvalue().startswith(b"%PDF")


def test_the_report_page_buttons_post_with_csrf(district: UnitReport, rf: Any) -> None:
    from django.template.loader import render_to_string

    html = render_to_string(
        "reports/exports/_buttons.html", {"report": district}, request=rf.get("/")
    )

    for fmt in ExportFormat.values:
        assert f'action="{reverse("reports:export", args=[district.pk, fmt])}"' in html
    assert html.count('name="csrfmiddlewaretoken"') == 4
    assert html.count('method="post"') == 4


def test_exports_of_reports_out_of_scope_are_not_found(
    district: UnitReport, people: People
) -> None:
    job = services.export_request(report=district, fmt="xlsx", user=None)
    outsider = _client(people.tan_uyen)
    commune = _client(people.cam_ngoc)

    for client in (outsider, commune):
        assert client.post(reverse("reports:export", args=[district.pk, "xlsx"])).status_code == 404
        assert client.get(reverse("reports:export_status", args=[job.pk])).status_code == 404
        assert client.get(reverse("reports:export_download", args=[job.pk])).status_code == 404
        assert (
            client.post(f"/api/v1/reports/{district.pk}/exports/", {"fmt": "xlsx"}).status_code
            == 404
        )
        assert client.get(f"/api/v1/reports/exports/{job.pk}/").status_code == 404
        assert client.get(f"/api/v1/reports/exports/{job.pk}/download/").status_code == 404
    assert ExportJob.objects.count() == 1
    # An unknown format is not found either.
    assert (
        _client(people.cam_thuy)
        .post(reverse("reports:export", args=[district.pk, "exe"]))
        .status_code
        == 404
    )


# --- API -------------------------------------------------------------------------------------


def test_the_api_asks_follows_and_downloads_an_export(
    district: UnitReport, people: People, settings: Any
) -> None:
    client = _client(people.province)

    made = client.post(
        f"/api/v1/reports/{district.pk}/exports/", {"fmt": "docx"}, content_type="application/json"
    )

    assert made.status_code == 200
    body = made.json()
    assert body["state"] == "done"
    assert body["fmt"] == "docx"
    assert body["report"] == district.pk
    detail = client.get(f"/api/v1/reports/exports/{body['id']}/").json()
    assert (
        detail["download_url"] == f"http://testserver/api/v1/reports/exports/{body['id']}/download/"
    )
    download = client.get(detail["download_url"])
    assert download.status_code == 200
    assert "Kính gửi" in _docx_text(download.getvalue())

    settings.PORTAL_EXPORT_SYNC_MAX_ROWS = 0
    queued = client.post(
        f"/api/v1/reports/{district.pk}/exports/", {"fmt": "pdf"}, content_type="application/json"
    )
    assert queued.status_code == 201
    assert queued.json()["state"] == "queued"
    assert queued.json()["download_url"] is None
    assert client.get(f"/api/v1/reports/exports/{queued.json()['id']}/download/").status_code == 409
    assert (
        client.post(
            f"/api/v1/reports/{district.pk}/exports/",
            {"fmt": "rtf"},
            content_type="application/json",
        ).status_code
        == 400
    )
