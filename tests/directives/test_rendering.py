"""A directive as an official letter: the parts of Decree 30/2020/NĐ-CP's layout in DOCX and
PDF, Vietnamese intact, user text kept as text, dates written the decree's way."""

from __future__ import annotations

import io
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from docx import Document
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from weasyprint import HTML

from directives import rendering, services
from directives.models import Directive
from tests.directives.conftest import World, draft
from tests.pdf_text import pdf_fonts, pdf_text
from units.models import Body

pytestmark = pytest.mark.django_db

SUBJECT = (
    "Tiếp tục thực hiện Quy tắc ứng xử trên mạng xã hội, đẩy mạnh tuyên truyền, "
    "lan tỏa thông tin tích cực trên địa bàn huyện"
)
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _flat(text: str) -> str:
    """Text with its line breaks and runs of spaces made single spaces, in NFC."""
    return " ".join(_nfc(text).split())


def _docx_text(data: bytes) -> tuple[str, object]:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.extend(p.text for p in cell.paragraphs)
    return "\n".join(parts), document


def letter_1067(world: World, **fields: Any) -> Directive:
    """The district's letter 1067/UBND-VHTT of 24/4/2024 to its communes, as issued."""
    values: dict[str, Any] = {
        "number": "1067",
        "symbol": "UBND-VHTT",
        "place": "Cẩm Thủy",
        "subject": SUBJECT,
        "addressees": "Ủy ban nhân dân các xã, thị trấn;\nCác cơ quan, đơn vị trên địa bàn huyện.",
        "basis": (
            "Thực hiện Công văn số 6389/UBND-KGVX ngày 20/4/2024 của Ủy ban nhân dân tỉnh "
            "Thanh Hóa về việc tiếp tục thực hiện Bộ Quy tắc ứng xử trên mạng xã hội;"
        ),
        "body": (
            "Để tiếp tục triển khai hiệu quả Bộ Quy tắc ứng xử trên mạng xã hội ban hành kèm "
            "theo Quyết định số 874/QĐ-BTTTT ngày 17/6/2021 của Bộ Thông tin và Truyền thông, "
            "Chủ tịch UBND huyện yêu cầu các cơ quan, đơn vị; UBND các xã, thị trấn thực hiện "
            "tốt các nội dung sau:"
        ),
        "closing": (
            "Yêu cầu Thủ trưởng các cơ quan, đơn vị; Chủ tịch UBND các xã, thị trấn triển khai "
            "thực hiện, báo cáo kết quả về UBND huyện (qua Phòng Văn hóa và Thông tin) trước "
            "ngày 15/5/2024./."
        ),
        "distribution": "Như trên;\nLưu: VT, VHTT.\nUBND tỉnh (b/c);\nTT Huyện ủy (b/c);",
        "signing_capacity": "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
        "signer_name": "Lê Văn Hùng",
        **fields,
    }
    directive = draft(
        world.ubnd_cam_thuy,
        world.cam_thuy_officer,
        recipients=services.Recipients(
            groups=[services.RecipientGroup(world.tree.cam_thuy, world.commune_level)]
        ),
        **values,
    )
    services.directive_update(
        directive,
        by=world.cam_thuy_officer,
        fields={},
        instructions=[
            "Phổ biến, quán triệt nội dung Bộ Quy tắc ứng xử trên mạng xã hội đến toàn thể cán "
            "bộ, công chức, viên chức, người lao động và Nhân dân trên địa bàn.",
            "Rà soát, phát hiện các trang mạng xã hội mạo danh cơ quan, đơn vị mình; kịp thời "
            "báo cáo Phòng Văn hóa và Thông tin huyện để xử lý theo quy định.",
            "Chủ động đăng tải, chia sẻ thông tin tích cực trên trang thông tin điện tử và "
            "trang mạng xã hội của cơ quan, đơn vị.",
        ],
    )
    return services.directive_issue(directive, by=world.cam_thuy_officer, today=date(2024, 4, 24))


# --- Dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (date(2021, 11, 3), "ngày 03 tháng 11 năm 2021"),
        (date(2024, 4, 24), "ngày 24 tháng 4 năm 2024"),
        (date(2024, 2, 5), "ngày 05 tháng 02 năm 2024"),
        (date(2024, 1, 31), "ngày 31 tháng 01 năm 2024"),
        (date(2024, 12, 10), "ngày 10 tháng 12 năm 2024"),
    ],
)
def test_dates_are_written_as_the_decree_asks(value: date, written: str) -> None:
    assert rendering.vietnamese_date(value) == written


def test_a_draft_without_date_or_number_leaves_blanks_for_the_clerk(world: World) -> None:
    directive = draft(
        world.ubnd_cam_thuy,
        world.cam_thuy_officer,
        recipients=services.Recipients(units=[world.tree.cam_thanh]),
        number="",
    )

    letter = rendering.letter_of(directive)

    assert letter.number_line == "Số:      /UBND-VHTT"
    assert letter.place_date == "Cẩm Thủy, ngày     tháng     năm 20.."
    # One addressee is written on the "Kính gửi" line itself
    assert letter.addressed_inline
    assert letter.addressees == ["Ủy ban nhân dân xã Cẩm Thành."]


# --- The header -------------------------------------------------------------------------------


def test_a_peoples_committee_is_written_on_two_lines(world: World) -> None:
    letter = rendering.letter_of(letter_1067(world))

    assert letter.supervising == ""
    assert letter.authority == ["ỦY BAN NHÂN DÂN", "HUYỆN CẨM THỦY"]


def test_a_department_is_written_under_its_supervising_body(world: World) -> None:
    department: Body = world.tree.vhtt_cam_thuy
    department.supervising_body = world.ubnd_cam_thuy
    department.save()
    directive = draft(
        department,
        world.cam_thuy_officer,
        recipients=services.Recipients(units=[world.tree.cam_ngoc]),
    )

    letter = rendering.letter_of(directive)

    assert letter.supervising == "UBND HUYỆN CẨM THỦY"
    assert letter.authority == ["PHÒNG VĂN HÓA VÀ THÔNG TIN"]


# --- DOCX -------------------------------------------------------------------------------------


def test_the_docx_letter_has_every_part_of_the_layout(world: World) -> None:
    directive = letter_1067(world)

    text, document = _docx_text(rendering.render_docx(directive))

    for part in (
        "ỦY BAN NHÂN DÂN",
        "HUYỆN CẨM THỦY",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 1067/UBND-VHTT",
        f"V/v {SUBJECT}",
        "Cẩm Thủy, ngày 24 tháng 4 năm 2024",
        "Kính gửi:",
        "- Ủy ban nhân dân các xã, thị trấn;",
        "- Các cơ quan, đơn vị trên địa bàn huyện.",
        "Thực hiện Công văn số 6389/UBND-KGVX",
        "1. Phổ biến, quán triệt nội dung Bộ Quy tắc ứng xử",
        "2. Rà soát, phát hiện các trang mạng xã hội mạo danh",
        "3. Chủ động đăng tải, chia sẻ thông tin tích cực",
        "Nơi nhận:",
        "- Như trên;",
        "- UBND tỉnh (b/c);",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Lê Văn Hùng",
    ):
        assert part in text, part
    # The file copy closes "Nơi nhận" whatever order it was typed in
    lines = text.splitlines()
    assert lines[lines.index("Nơi nhận:") + 1 :][3] == "- Lưu: VT, VHTT."
    section = document.sections[0]  # type: ignore[attr-defined]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    # Word keeps lengths in twentieths of a point: compare whole millimetres
    assert 20 <= round(section.top_margin.mm) <= 25
    assert 20 <= round(section.bottom_margin.mm) <= 25
    assert 30 <= round(section.left_margin.mm) <= 35
    assert 15 <= round(section.right_margin.mm) <= 20
    body_runs = [
        run
        for paragraph in document.paragraphs  # type: ignore[attr-defined]
        for run in paragraph.runs
        if run.text.startswith("1. ")
    ]
    assert body_runs
    assert body_runs[0].font.name == "Times New Roman"
    assert 13 <= body_runs[0].font.size.pt <= 14


def test_markup_in_a_subject_is_plain_text_in_the_docx(world: World) -> None:
    subject = '<script>alert("x")</script> & <b>in đậm</b>'
    directive = letter_1067(world, subject=subject)

    text, _ = _docx_text(rendering.render_docx(directive))

    assert f"V/v {subject}" in text


# --- PDF --------------------------------------------------------------------------------------


def test_the_pdf_letter_shows_every_part_with_its_diacritics(world: World) -> None:
    directive = letter_1067(world)

    pdf = rendering.render_pdf(directive)

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "letter.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    shown = _flat(pdf_text(pdf))
    for part in (
        "ỦY BAN NHÂN DÂN",
        "HUYỆN CẨM THỦY",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 1067/UBND-VHTT",
        "V/v Tiếp tục thực hiện Quy tắc ứng xử",
        "Cẩm Thủy, ngày 24 tháng 4 năm 2024",
        "Kính gửi:",
        "- Ủy ban nhân dân các xã, thị trấn;",
        "1. Phổ biến, quán triệt",
        "2. Rà soát, phát hiện",
        "3. Chủ động đăng tải",
        "Nơi nhận:",
        "- Lưu: VT, VHTT.",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Lê Văn Hùng",
    ):
        assert part in shown, part


def test_the_pdf_draws_every_letter_from_one_typeface(world: World) -> None:
    # A font without Vietnamese letters (Liberation Serif 1, say) would have "ệ" drawn from
    # another font in the middle of a word; the letter uses one typeface that has them all.
    document = HTML(
        string=rendering.letter_html(letter_1067(world)), url_fetcher=rendering.LocalOnlyFetcher()
    ).render()
    document.write_pdf()

    families = {font.family for font in document.fonts.values()}

    assert len(families) == 1, families
    assert families.pop() in rendering.pdf_font_family()


def test_markup_in_a_subject_is_escaped_in_the_pdf(world: World) -> None:
    directive = letter_1067(world, subject='<script>alert("x")</script><img src="http://x/">')

    html = rendering.letter_html(directive)
    pdf = rendering.render_pdf(directive)

    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    # The narrow subject column may break the line anywhere: compare without the breaks
    shown = "".join(pdf_text(pdf).split())
    assert 'V/v<script>alert("x")</script><imgsrc="http://x/">' in shown


def test_the_pdf_renderer_fetches_nothing_from_outside() -> None:
    fetcher = rendering.LocalOnlyFetcher()

    for url in ("http://127.0.0.1:9/x.png", "https://example.com/a.css", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="load nothing from outside"):
            fetcher.fetch(url)
    # data: URLs (inline images, say) still work
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"
    # and a page that asks for a remote image is rendered without it
    pdf = rendering.pdf_from_html('<p>ok</p><img src="http://127.0.0.1:9/x.png">')
    assert pdf.startswith(b"%PDF")


def test_a_peoples_committee_stands_alone_even_with_a_supervising_body(world: World) -> None:
    # Given the commune's People's Committee, supervised by the district's (as in the demo)
    commune = world.tree.ubnd_cam_ngoc
    commune.name, commune.kind = "Ủy ban nhân dân xã Cẩm Ngọc", "peoples_committee"
    commune.supervising_body = world.ubnd_cam_thuy
    commune.save()
    directive = services.directive_create(
        issuer=commune,
        by=world.cam_ngoc_staff,
        fields={"symbol": "UBND-VHTT", "subject": "Thử", "body": "Nội dung."},
    )

    # Then its header is "ỦY BAN NHÂN DÂN / XÃ CẨM NGỌC" alone, as letter 000 shows
    letter = rendering.letter_of(directive)
    assert letter.supervising == ""
    assert letter.authority == ["ỦY BAN NHÂN DÂN", "XÃ CẨM NGỌC"]


# --- The typeface, the signing block ---------------------------------------------------------


def test_the_pdf_prints_in_the_shipped_times_metric_typeface(world: World) -> None:
    # Given a letter with bold, italic and every kind of Vietnamese letter
    pdf = rendering.render_pdf(letter_1067(world))

    # Then it is set in Liberation Serif (Times New Roman's metrics) and nothing else,
    # from the files shipped with the project (version 2: the system's version 1 lacks "ệ")
    fonts = pdf_fonts(pdf)
    assert {"LiberationSerif", "LiberationSerifBold", "LiberationSerifItalic"} <= set(fonts)
    assert all(name.startswith("LiberationSerif") for name in fonts), fonts
    assert all(revision >= 2 for revision in fonts.values()), fonts
    assert not any("DejaVu" in name for name in fonts)


def test_the_shipped_typeface_has_every_vietnamese_letter_and_its_licence() -> None:
    files = sorted(rendering.FONT_DIR.glob("*.ttf"))

    assert [path.name for path in files] == [
        "LiberationSerif-Bold.ttf",
        "LiberationSerif-BoldItalic.ttf",
        "LiberationSerif-Italic.ttf",
        "LiberationSerif-Regular.ttf",
    ]
    for path in files:
        cmap = TTFont(path, lazy=True).getBestCmap()
        assert [char for char in rendering.VIETNAMESE if ord(char) not in cmap] == [], path
    assert "SIL Open Font License" in (rendering.FONT_DIR / "LICENSE.txt").read_text()


def test_the_pdf_renderer_reads_the_shipped_fonts_and_no_other_file() -> None:
    fetcher = rendering.LocalOnlyFetcher()
    shipped = rendering.FONT_DIR.resolve()

    # The shipped fonts are read
    font = fetcher.fetch((shipped / "LiberationSerif-Regular.ttf").as_uri()).read()
    assert font[:4] == b"\x00\x01\x00\x00"
    # but no other file: not by climbing out of the folder, not another font of the system
    for url in (
        shipped.as_uri() + "/../../../manage.py",
        shipped.as_uri() + "/%2e%2e/%2e%2e/%2e%2e/manage.py",
        shipped.as_uri() + "/LICENSE.txt",
        "file:///usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
        "file://example.com" + (shipped / "LiberationSerif-Regular.ttf").as_posix(),
    ):
        with pytest.raises(ValueError, match="load nothing from outside"):
            fetcher.fetch(url)


def _signing_page_text(pdf: bytes) -> str:
    return _flat(PdfReader(io.BytesIO(pdf)).pages[-1].extract_text() or "")


def test_the_signing_block_never_stands_alone_on_the_last_page(world: World) -> None:
    # Given letters whose closing grows a paragraph at a time, so that one of them ends
    # just where the signing block no longer fits under the text
    paragraph = (
        "Đề nghị các cơ quan, đơn vị tiếp tục rà soát, cập nhật thông tin trang của mình "
        "trên cổng và báo cáo kết quả đúng thời hạn quy định."
    )
    pages = set()
    for count in range(6, 13):
        closing = "\n".join(f"Đoạn {i}. {paragraph}" for i in range(1, count + 1))
        pdf = rendering.render_pdf(letter_1067(world, closing=closing))
        pages.add(len(PdfReader(io.BytesIO(pdf)).pages))

        # Then the page with the signature also holds the end of the text above it
        last = _signing_page_text(pdf)
        assert "Lê Văn Hùng" in last
        assert "PHÓ CHỦ TỊCH" in last
        assert "đúng thời hạn quy định" in last, (count, last[:200])
    # (the longer letters did run over onto a second page)
    assert 2 in pages


def test_a_letter_without_a_signer_keeps_room_for_the_signature_and_the_name(
    world: World,
) -> None:
    directive = letter_1067(world, signer_name="")

    # The PDF keeps a line for the name under the room for the signature
    html = rendering.letter_html(directive)
    assert '<div class="signature-space"></div>' in html
    assert '<p class="signer">&nbsp;</p>' in html
    # and so does the DOCX: capacity, room for the signature and seal, then the name line
    _, document = _docx_text(rendering.render_docx(directive))
    signing = document.tables[-1].rows[0].cells[1].paragraphs  # type: ignore[attr-defined]
    assert [p.text for p in signing] == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "", ""]
    assert signing[2].paragraph_format.space_after.pt == 72


def test_the_word_letter_keeps_its_signing_block_with_the_text_above(world: World) -> None:
    _, document = _docx_text(rendering.render_docx(letter_1067(world)))

    # The last paragraph of the text keeps to the block below it, which is not split
    last = document.paragraphs[-1]  # type: ignore[attr-defined]
    assert last.text.endswith("trước ngày 15/5/2024./.")
    assert last.paragraph_format.keep_with_next is True
    footer = document.tables[-1]  # type: ignore[attr-defined]
    assert (
        footer.rows[0]._tr.trPr.find(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}cantSplit"
        )
        is not None
    )


def copies_sizes(document: Any) -> list[tuple[str, float, bool, bool]]:
    """(text, size, bold, italic) of each run of the "Nơi nhận" cell of a DOCX."""
    cell = document.tables[-1].rows[0].cells[0]
    return [
        (run.text, run.font.size.pt, bool(run.font.bold), bool(run.font.italic))
        for paragraph in cell.paragraphs
        for run in paragraph.runs
    ]


def test_the_word_letter_writes_noi_nhan_in_12pt_and_its_list_in_11pt(world: World) -> None:
    _, document = _docx_text(rendering.render_docx(letter_1067(world)))

    runs = copies_sizes(document)

    # Decree 30/2020: "Nơi nhận:" 12pt bold italic, the list 11pt upright
    assert runs[0] == ("Nơi nhận:", 12, True, True)
    assert runs[1:] == [
        ("- Như trên;", 11, False, False),
        ("- UBND tỉnh (b/c);", 11, False, False),
        ("- TT Huyện ủy (b/c);", 11, False, False),
        ("- Lưu: VT, VHTT.", 11, False, False),
    ]
