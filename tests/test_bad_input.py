"""Bad input at every boundary a user reaches: each gets a clear error or is stored safely.

Issue #6. The app modules test their own checks at the service level; this suite pushes the
same hostile inputs through the real doors (the web forms with the Django test client, and
the API) and asserts what a user or an attacker would notice: the status code (never a 500),
the form field that carries the error, that nothing was written (rows and files under
MEDIA_ROOT), and, for text that is accepted, that it is stored in NFC and shown escaped, with
formulas neutralised in the spreadsheet exports.
"""

from __future__ import annotations

import csv
import functools
import io
import unicodedata
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from accounts_registry.models import PageState, PostingRules, SocialPage
from directives.models import Directive
from incidents.models import Evidence, Incident
from reports.build import build_period
from reports.models import PeriodKind, ReportingPeriod, UnitReport
from reports.periods import ensure_period
from tests import factories
from tests.accounts_registry import factories_pages as make
from tests.accounts_registry.factories_bodies import (
    CONTENT_TYPES,
    DOCUMENT,
    EXE_BYTES,
    PNG_BYTES,
    TINY_PDF,
    docx_bytes,
)
from tests.conftest import Tree
from tests.incidents import factories_incidents as make_incident
from tests.reports.conftest import IN_QUARTER
from units.models import Body
from users.models import User

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x","y")'
NFD_NAME = unicodedata.normalize("NFD", "Trang Ủy ban nhân dân xã Cẩm Ngọc")
LONG = "a" * 10_000
BAD_DATES = ["31/02/2026", "2026-13-01", "abc"]
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
RULES_API = "/api/v1/registry/posting-rules/"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Iterator[Path]:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- hostile files ---------------------------------------------------------------------------


@functools.cache
def zip_bomb_docx() -> bytes:
    """200 MiB of zeros in a Word package: about 200 KiB to upload, huge once unpacked."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("word/document.xml", DOCUMENT)
        with package.open("word/media/bomb.bin", "w", force_zip64=True) as entry:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(200):
                entry.write(chunk)
    return buffer.getvalue()


@functools.cache
def zip_bomb_xlsx() -> bytes:
    """A workbook-shaped zip whose one sheet unpacks to 200 MiB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("xl/workbook.xml", "<workbook/>")
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            chunk = b"0" * (1024 * 1024)
            for _ in range(200):
                entry.write(chunk)
    return buffer.getvalue()


def good_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["a", "b"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


BROKEN_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n"  # no trailer, no %%EOF
TRAVERSAL_DOCX = docx_bytes({"../../evil.sh": b"owned"})

# (case, file name, content): every one must be refused by the posting-rules upload.
BAD_DOCUMENTS = [
    ("exe named pdf", "noi-quy.pdf", EXE_BYTES),
    ("png named docx", "noi-quy.docx", PNG_BYTES),
    ("broken pdf", "noi-quy.pdf", BROKEN_PDF),
    ("truncated docx", "noi-quy.docx", docx_bytes()[:80]),
    ("zip bomb docx", "noi-quy.docx", None),  # built lazily: it takes a second
    ("traversal entries docx", "noi-quy.docx", TRAVERSAL_DOCX),
    ("empty", "noi-quy.pdf", b""),
]


def content_of(content: bytes | None) -> bytes:
    return zip_bomb_docx() if content is None else content


# --- posting rules: web form and API --------------------------------------------------------


def rules_form(file: Any, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "document_number": "12/QĐ-UBND",
        "issued_on": "02/05/2024",
        "signed_by": "Chủ tịch UBND xã",
        "file": file,
    }
    data.update(overrides)
    return data


def post_rules(client: Client, body: Body, data: dict[str, Any]) -> Any:
    return client.post(reverse("registry:body_rules_upload", args=[body.pk]), data)


@pytest.mark.parametrize(
    ("case", "name", "content"), BAD_DOCUMENTS, ids=[c[0] for c in BAD_DOCUMENTS]
)
def test_rules_form_refuses_bad_files(
    tree: Tree, media: Path, case: str, name: str, content: bytes | None
) -> None:
    client = login(factories.staff_of(tree.ubnd_cam_ngoc))

    response = post_rules(
        client, tree.ubnd_cam_ngoc, rules_form(SimpleUploadedFile(name, content_of(content)))
    )

    assert response.status_code == 400
    assert list(response.context["rules_form"].errors) == ["file"]
    assert not PostingRules.objects.exists()
    assert stored_files(media) == []


def test_rules_form_refuses_an_oversized_file(tree: Tree, media: Path, settings: Any) -> None:
    settings.PORTAL_RULES_MAX_BYTES = 100
    client = login(factories.staff_of(tree.ubnd_cam_ngoc))
    padded = b"%PDF-1.4\n" + b"0" * 200 + b"\n%%EOF\n"

    response = post_rules(
        client, tree.ubnd_cam_ngoc, rules_form(SimpleUploadedFile("noi-quy.pdf", padded))
    )

    assert response.status_code == 400
    assert list(response.context["rules_form"].errors) == ["file"]
    assert not PostingRules.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize(
    "name", ["../../../etc/passwd.pdf", "..\\..\\boot.pdf", "/tmp/x/Nội quy.pdf", "a/../../b.pdf"]
)
def test_rules_form_stores_a_traversal_name_under_a_generated_name(
    tree: Tree, media: Path, name: str
) -> None:
    client = login(factories.staff_of(tree.ubnd_cam_ngoc))

    response = post_rules(
        client, tree.ubnd_cam_ngoc, rules_form(SimpleUploadedFile(name, TINY_PDF))
    )

    assert response.status_code == 302
    rules = PostingRules.objects.get()
    assert "/" not in rules.original_filename
    assert "\\" not in rules.original_filename
    assert ".." not in rules.original_filename.replace("..pdf", "")
    (only,) = stored_files(media)
    assert only.resolve().is_relative_to(media.resolve())
    assert Path(rules.file.path).resolve() == only.resolve()


def test_rules_form_keeps_a_real_pdf_named_docx_as_a_pdf(tree: Tree, media: Path) -> None:
    """The type comes from the content: the name's extension never decides how it is served."""
    client = login(factories.staff_of(tree.ubnd_cam_ngoc))

    response = post_rules(
        client, tree.ubnd_cam_ngoc, rules_form(SimpleUploadedFile("noi-quy.docx", TINY_PDF))
    )

    assert response.status_code == 302
    rules = PostingRules.objects.get()
    assert rules.content_type == "application/pdf"
    (only,) = stored_files(media)
    assert only.suffix == ".pdf"


@pytest.mark.parametrize("value", BAD_DATES)
def test_rules_form_refuses_malformed_dates(tree: Tree, media: Path, value: str) -> None:
    client = login(factories.staff_of(tree.ubnd_cam_ngoc))

    response = post_rules(
        client,
        tree.ubnd_cam_ngoc,
        rules_form(SimpleUploadedFile("noi-quy.pdf", TINY_PDF), issued_on=value),
    )

    assert response.status_code == 400
    assert list(response.context["rules_form"].errors) == ["issued_on"]
    assert not PostingRules.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize("field", ["document_number", "signed_by"])
def test_rules_form_refuses_very_long_text(tree: Tree, media: Path, field: str) -> None:
    client = login(factories.staff_of(tree.ubnd_cam_ngoc))

    response = post_rules(
        client,
        tree.ubnd_cam_ngoc,
        rules_form(SimpleUploadedFile("noi-quy.pdf", TINY_PDF), **{field: LONG}),
    )

    assert response.status_code == 400
    assert field in response.context["rules_form"].errors
    assert not PostingRules.objects.exists()
    assert stored_files(media) == []


def api_rules(tree: Tree, file: Any, **overrides: Any) -> Any:
    api = APIClient()
    api.force_authenticate(factories.staff_of(tree.ubnd_cam_ngoc))
    data = {
        "body": tree.ubnd_cam_ngoc.pk,
        "document_number": "12/QĐ-UBND",
        "issued_on": "2024-05-02",
        "signed_by": "Chủ tịch",
        "file": file,
        **overrides,
    }
    return api.post(RULES_API, data, format="multipart")


@pytest.mark.parametrize(
    ("case", "name", "content"), BAD_DOCUMENTS, ids=[c[0] for c in BAD_DOCUMENTS]
)
def test_rules_api_refuses_bad_files(
    tree: Tree, media: Path, case: str, name: str, content: bytes | None
) -> None:
    response = api_rules(tree, SimpleUploadedFile(name, content_of(content)))

    assert response.status_code == 400
    assert "file" in response.json()
    assert not PostingRules.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize("value", [*BAD_DATES, "02/05/2024x"])
def test_rules_api_refuses_malformed_dates(tree: Tree, media: Path, value: str) -> None:
    response = api_rules(tree, SimpleUploadedFile("noi-quy.pdf", TINY_PDF), issued_on=value)

    assert response.status_code == 400
    assert "issued_on" in response.json()
    assert not PostingRules.objects.exists()
    assert stored_files(media) == []


# --- incident evidence ---------------------------------------------------------------------

BAD_IMAGES = [
    ("exe named png", "anh.png", EXE_BYTES),
    ("pdf named jpg", "anh.jpg", TINY_PDF),
    ("docx named webp", "anh.webp", docx_bytes()),
    ("zip bomb named png", "anh.png", None),
    ("empty", "anh.png", b""),
]


@pytest.fixture
def reported(tree: Tree) -> tuple[Incident, User]:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    return make_incident.incident(tree.ubnd_cam_ngoc, by=staff), staff


@pytest.mark.parametrize(("case", "name", "content"), BAD_IMAGES, ids=[c[0] for c in BAD_IMAGES])
def test_evidence_form_refuses_bad_images(
    reported: tuple[Incident, User], media: Path, case: str, name: str, content: bytes | None
) -> None:
    incident, staff = reported

    response = login(staff).post(
        reverse("incidents:evidence_add", args=[incident.pk]),
        {"image": SimpleUploadedFile(name, content_of(content)), "note": ""},
    )

    assert response.status_code == 400
    assert response.context["evidence_form"].errors
    assert not Evidence.objects.filter(image__gt="").exists()
    assert stored_files(media) == []


def test_evidence_form_refuses_an_oversized_image(
    reported: tuple[Incident, User], media: Path, settings: Any
) -> None:
    settings.PORTAL_EVIDENCE_MAX_BYTES = 50
    incident, staff = reported

    response = login(staff).post(
        reverse("incidents:evidence_add", args=[incident.pk]),
        {"image": SimpleUploadedFile("anh.png", PNG_BYTES + b"\x00" * 100)},
    )

    assert response.status_code == 400
    assert not Evidence.objects.filter(image__gt="").exists()
    assert stored_files(media) == []


def test_evidence_form_stores_a_traversal_name_safely(
    reported: tuple[Incident, User], media: Path
) -> None:
    incident, staff = reported

    response = login(staff).post(
        reverse("incidents:evidence_add", args=[incident.pk]),
        {"image": SimpleUploadedFile("../../../../etc/cron.d/x.png", make_incident.PNG)},
    )

    assert response.status_code == 302
    evidence = Evidence.objects.get(image__gt="")
    assert "/" not in evidence.original_filename
    assert ".." not in evidence.original_filename
    (only,) = stored_files(media)
    assert only.resolve().is_relative_to(media.resolve())


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "http://", "https://" + "a" * 5000 + ".com"]
)
def test_evidence_form_refuses_malformed_links(reported: tuple[Incident, User], link: str) -> None:
    incident, staff = reported
    before = Evidence.objects.count()

    response = login(staff).post(
        reverse("incidents:evidence_add", args=[incident.pk]), {"link": link}
    )

    assert response.status_code == 400
    assert "link" in response.context["evidence_form"].errors
    assert Evidence.objects.count() == before


# --- directive attachments and text -------------------------------------------------------


def on(day: date) -> Any:
    return time_machine.travel(datetime(day.year, day.month, day.day, 9, tzinfo=HANOI), tick=False)


@pytest.fixture
def province_officer(tree: Tree) -> User:
    factories.BodyFactory.create(
        unit=tree.thanh_hoa, name="Ủy ban nhân dân tỉnh Thanh Hóa", kind="peoples_committee"
    )
    return factories.officer_of(tree.thanh_hoa)


def letter(tree: Tree, **overrides: Any) -> dict[str, Any]:
    from units.models import UnitLevel

    district_level = UnitLevel.objects.get(code="district")
    data: dict[str, Any] = {
        "number": "6389",
        "symbol": "UBND-KGVX",
        "place": "Thanh Hóa",
        "issued_on": "",
        "subject": "Tiếp tục thực hiện Quy tắc ứng xử trên mạng xã hội",
        "addressees": "",
        "basis": "",
        "body": "Ủy ban nhân dân tỉnh yêu cầu các đơn vị thực hiện các nội dung sau:",
        "instructions": "1. Phổ biến Bộ Quy tắc ứng xử.\n2. Rà soát trang mạo danh.",
        "closing": "Đề nghị các đơn vị nghiêm túc thực hiện./.",
        "implements": "",
        "distribution": "",
        "signing_capacity": "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
        "signer_name": "Lê Văn Bình",
        "report_deadline": "15/05/2024",
        "recipient_groups": [f"{tree.thanh_hoa.pk}:{district_level.pk}"],
    }
    data.update(overrides)
    return data


BAD_ATTACHMENTS = [
    ("exe named pdf", "ke-hoach.pdf", EXE_BYTES),
    ("exe named docx", "ke-hoach.docx", EXE_BYTES),
    ("broken pdf", "ke-hoach.pdf", BROKEN_PDF),
    ("zip bomb docx", "ke-hoach.docx", None),
    ("traversal entries docx", "ke-hoach.docx", TRAVERSAL_DOCX),
]


@pytest.mark.parametrize(
    ("case", "name", "content"), BAD_ATTACHMENTS, ids=[c[0] for c in BAD_ATTACHMENTS]
)
def test_directive_form_refuses_bad_attachments(
    tree: Tree, province_officer: User, media: Path, case: str, name: str, content: bytes | None
) -> None:
    with on(date(2024, 4, 20)):
        response = login(province_officer).post(
            reverse("directives:create"),
            letter(tree, attachments=[SimpleUploadedFile(name, content_of(content))]),
        )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["attachments"]
    assert not Directive.objects.exists()
    assert stored_files(media) == []


def test_directive_form_refuses_an_oversized_attachment(
    tree: Tree, province_officer: User, media: Path, settings: Any
) -> None:
    settings.PORTAL_ATTACHMENT_MAX_BYTES = 50
    with on(date(2024, 4, 20)):
        response = login(province_officer).post(
            reverse("directives:create"),
            letter(tree, attachments=[SimpleUploadedFile("ke-hoach.pdf", TINY_PDF)]),
        )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["attachments"]
    assert not Directive.objects.exists()
    assert stored_files(media) == []


def test_directive_stores_a_traversal_name_safely(
    tree: Tree, province_officer: User, media: Path
) -> None:
    with on(date(2024, 4, 20)):
        response = login(province_officer).post(
            reverse("directives:create"),
            letter(tree, attachments=[SimpleUploadedFile("../../../x/ke-hoach.pdf", TINY_PDF)]),
        )

    assert response.status_code == 302, response.content.decode()[:1000]
    attachment = Directive.objects.get().attachments.get()
    assert "/" not in attachment.original_filename
    assert ".." not in attachment.original_filename
    (only,) = stored_files(media)
    assert only.resolve().is_relative_to(media.resolve())


@pytest.mark.parametrize("value", BAD_DATES)
def test_directive_form_refuses_malformed_deadlines(
    tree: Tree, province_officer: User, value: str
) -> None:
    with on(date(2024, 4, 20)):
        response = login(province_officer).post(
            reverse("directives:create"), letter(tree, report_deadline=value)
        )

    assert response.status_code == 400
    assert "report_deadline" in response.context["form"].errors
    assert not Directive.objects.exists()


@pytest.mark.parametrize("field", ["subject", "signer_name", "symbol"])
def test_directive_form_refuses_very_long_text(
    tree: Tree, province_officer: User, field: str
) -> None:
    with on(date(2024, 4, 20)):
        response = login(province_officer).post(
            reverse("directives:create"), letter(tree, **{field: LONG})
        )

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Directive.objects.exists()


@pytest.mark.parametrize("text", [SCRIPT, FORMULA, NFD_NAME], ids=["script", "formula", "nfd"])
def test_directive_text_is_stored_in_nfc_and_shown_escaped(
    tree: Tree, province_officer: User, text: str
) -> None:
    client = login(province_officer)
    with on(date(2024, 4, 20)):
        response = client.post(
            reverse("directives:create"), letter(tree, subject=text, body=f"Nội dung {text}")
        )
        assert response.status_code == 302, response.content.decode()[:1000]
        directive = Directive.objects.get()
        detail = client.get(reverse("directives:detail", args=[directive.pk]))

    expected = unicodedata.normalize("NFC", text)
    assert directive.subject == expected
    assert directive.body == f"Nội dung {expected}"
    assert detail.status_code == 200
    html = detail.content.decode()
    assert SCRIPT not in html
    if text == SCRIPT:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    if text == NFD_NAME:
        assert expected in html


# --- bulk XLSX import ----------------------------------------------------------------------

BAD_WORKBOOKS = [
    ("pdf named xlsx", "trang.xlsx", TINY_PDF),
    ("exe named xlsx", "trang.xlsx", EXE_BYTES),
    ("docx named xlsx", "trang.xlsx", docx_bytes()),
    ("truncated xlsx", "trang.xlsx", b"truncated"),
    ("zip bomb xlsx", "trang.xlsx", None),
    ("empty", "trang.xlsx", b""),
]


@pytest.mark.parametrize(
    ("case", "name", "content"), BAD_WORKBOOKS, ids=[c[0] for c in BAD_WORKBOOKS]
)
def test_bulk_import_refuses_bad_workbooks(
    tree: Tree, media: Path, case: str, name: str, content: bytes | None
) -> None:
    if case == "truncated xlsx":
        content = good_xlsx()[:200]
    client = login(factories.staff_of(tree.ubnd_cam_ngoc))

    response = client.post(
        reverse("registry:bulk_upload"),
        {"file": SimpleUploadedFile(name, zip_bomb_xlsx() if content is None else content)},
    )

    assert response.status_code == 400
    assert response.context["error"]
    assert not SocialPage.objects.exists()
    assert stored_files(media) == []


# --- page registration: text, URLs, dates, and the registry exports -------------------------


def register(client: Client, tree: Tree, **overrides: Any) -> Any:
    data = {
        "body": tree.ubnd_cam_ngoc.pk,
        "platform": make.platform("facebook").pk,
        "url": "https://www.facebook.com/ubndxacamngoc",
        "display_name": "UBND xã Cẩm Ngọc",
        **overrides,
    }
    return client.post(reverse("registry:page_register"), data)


def export_names(client: Client) -> tuple[list[str], list[Any]]:
    """The displayed-name column of the registry's CSV and XLSX exports."""
    response = client.get(reverse("registry:pages_export_csv"))
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    csv_names = [line[3] for line in list(csv.reader(io.StringIO(content)))[1:]]
    response = client.get(reverse("registry:pages_export_xlsx"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    sheet = book.worksheets[0]
    cells = [row[3] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in cells)
    return csv_names, [cell.value for cell in cells]


@pytest.mark.parametrize(
    "text",
    [SCRIPT, FORMULA, NFD_NAME, "@SUM(1+1)", "+1-1", "-2+3"],
    ids=["script", "formula", "nfd", "at", "plus", "minus"],
)
def test_page_name_is_stored_in_nfc_shown_escaped_and_exported_as_text(
    tree: Tree, text: str
) -> None:
    client = login(factories.staff_of(tree.ubnd_cam_ngoc))

    response = register(client, tree, display_name=text)

    assert response.status_code == 302
    page = SocialPage.objects.get()
    expected = unicodedata.normalize("NFC", text)
    assert page.display_name == expected
    for url in (reverse("registry:page_detail", args=[page.pk]), reverse("registry:page_list")):
        html = client.get(url).content.decode()
        assert SCRIPT not in html
        if text == SCRIPT:
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    exported = "'" + expected if expected[0] in "=+-@" else expected
    assert export_names(client) == ([exported], [exported])


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "http://",
        "https://www.facebook.com/" + "a" * 5000,
        "data:text/html,<script>alert(1)</script>",
        "",
    ],
    ids=["javascript", "no-host", "5000-chars", "data", "empty"],
)
def test_page_registration_refuses_malformed_urls(tree: Tree, url: str) -> None:
    client = login(factories.staff_of(tree.ubnd_cam_ngoc))

    response = register(client, tree, url=url)

    assert response.status_code == 200
    assert "url" in response.context["form"].errors
    assert not SocialPage.objects.exists()


@pytest.mark.parametrize("field", ["display_name", "responsible_unit", "permanent_id"])
def test_page_registration_refuses_very_long_text(tree: Tree, field: str) -> None:
    client = login(factories.staff_of(tree.ubnd_cam_ngoc))

    response = register(client, tree, **{field: LONG})

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not SocialPage.objects.exists()


@pytest.mark.parametrize("value", BAD_DATES)
def test_page_registration_refuses_malformed_dates(tree: Tree, value: str) -> None:
    client = login(factories.staff_of(tree.ubnd_cam_ngoc))

    response = register(client, tree, set_up_on=value)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["set_up_on"]
    assert not SocialPage.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "http://",
        "https://www.facebook.com/" + "a" * 5000,
        SCRIPT,
        NFD_NAME,
    ],
    ids=["javascript", "no-host", "5000-chars", "script", "nfd"],
)
def test_public_verification_answers_malformed_urls_with_a_clear_verdict(
    db: None, client: Client, url: str
) -> None:
    from accounts_registry.selectors.public import VerdictStatus

    response = client.get(reverse("public:verify"), {"url": url})

    assert response.status_code == 200
    verdict = response.context["verdict"]
    assert verdict.status in (VerdictStatus.INVALID, VerdictStatus.NOT_REGISTERED)
    assert verdict.message
    assert SCRIPT not in response.content.decode()


# --- incident description ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        SCRIPT,
        FORMULA,
        NFD_NAME,
    ],
    ids=["script", "formula", "nfd"],
)
def test_incident_description_is_stored_in_nfc_and_shown_escaped(tree: Tree, text: str) -> None:
    client = login(factories.staff_of(tree.ubnd_cam_ngoc))

    response = client.post(
        reverse("incidents:create"),
        {
            "body": tree.ubnd_cam_ngoc.pk,
            "kind": "impersonation",
            "url": "https://www.facebook.com/ubnd.gia.mao",
            "description": f"Trang giả mạo {text}",
        },
    )

    assert response.status_code == 302, response.content.decode()[:1000]
    incident = Incident.objects.get()
    expected = f"Trang giả mạo {unicodedata.normalize('NFC', text)}"
    assert incident.description == expected
    html = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert SCRIPT not in html
    if text == SCRIPT:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", LONG),
        ("url", "javascript:alert(1)"),
        ("url", "http://"),
        ("url", "https://" + "a" * 5000 + ".com"),
        ("discovered_at", "31/02/2026 10:00"),
        ("discovered_at", "2026-13-01"),
        ("discovered_at", "abc"),
    ],
    ids=["long-description", "javascript", "no-host", "5000-chars", "feb-31", "month-13", "abc"],
)
def test_incident_form_refuses_bad_fields(tree: Tree, field: str, value: str) -> None:
    client = login(factories.staff_of(tree.ubnd_cam_ngoc))
    data = {
        "body": tree.ubnd_cam_ngoc.pk,
        "kind": "impersonation",
        "url": "https://www.facebook.com/ubnd.gia.mao",
        "description": "Trang giả mạo UBND xã.",
        field: value,
    }

    response = client.post(reverse("incidents:create"), data)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Incident.objects.exists()


# --- report narrative and the report's XLSX/CSV exports ------------------------------------


@pytest.fixture
def quarter(db: None, time_machine: Any) -> ReportingPeriod:
    time_machine.move_to(IN_QUARTER, tick=False)
    return ensure_period(PeriodKind.QUARTERLY, date(2026, 7, 15))


def report_form(**overrides: str) -> dict[str, str]:
    return {
        "info_consistent": "True",
        "security_measures": "True",
        "declaration_note": "",
        "impersonation_scans": "3",
        "fake_pages_found": "1",
        "dissemination_sessions": "2",
        "participants": "45",
        "positive_posts": "12",
        "comments_answered": "7",
        "achievements": "Đã tổ chức 2 buổi phổ biến.",
        "difficulties": "",
        "proposals": "",
        **overrides,
    }


@pytest.mark.parametrize("text", [SCRIPT, FORMULA, NFD_NAME], ids=["script", "formula", "nfd"])
def test_report_narrative_is_stored_in_nfc_and_shown_escaped(
    tree: Tree, quarter: ReportingPeriod, text: str
) -> None:
    build_period(quarter)
    report = UnitReport.objects.get(unit=tree.cam_ngoc, period=quarter)
    client = login(factories.officer_of(tree.cam_ngoc))

    response = client.post(
        reverse("reports:edit", kwargs={"report_id": report.pk}),
        report_form(achievements=f"Kết quả {text}", difficulties=text, declaration_note=text),
    )

    assert response.status_code == 302
    report.refresh_from_db()
    expected = unicodedata.normalize("NFC", text)
    assert report.achievements == f"Kết quả {expected}"
    assert report.difficulties == expected
    assert report.declaration_note == expected
    for name in ("detail", "edit"):
        html = client.get(reverse(f"reports:{name}", kwargs={"report_id": report.pk}))
        assert html.status_code == 200
        assert SCRIPT not in html.content.decode()
        if text == SCRIPT:
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html.content.decode()


@pytest.mark.parametrize("value", ["abc", "-1", "1e309", "9" * 40])
def test_report_form_refuses_bad_counts(tree: Tree, quarter: ReportingPeriod, value: str) -> None:
    build_period(quarter)
    report = UnitReport.objects.get(unit=tree.cam_ngoc, period=quarter)
    before = report.participants
    client = login(factories.officer_of(tree.cam_ngoc))

    response = client.post(
        reverse("reports:edit", kwargs={"report_id": report.pk}),
        report_form(participants=value, achievements="Đã sửa."),
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["participants"]
    report.refresh_from_db()
    assert report.participants == before
    assert report.achievements != "Đã sửa."


def download(client: Client, report: UnitReport, fmt: str) -> bytes:
    response = client.post(reverse("reports:export", args=[report.pk, fmt]))
    assert response.status_code == 302
    file = client.get(response["Location"])
    assert file.status_code == 200
    return file.getvalue()


@pytest.mark.parametrize("text", [FORMULA, "@SUM(1+1)", "+1-1", "-2+3"])
def test_report_exports_neutralise_formulas_in_page_names(
    tree: Tree, quarter: ReportingPeriod, text: str
) -> None:
    make.page(tree.ubnd_cam_ngoc, state=PageState.APPROVED, display_name=text)
    build_period(quarter)
    report = UnitReport.objects.get(unit=tree.cam_ngoc, period=quarter)
    client = login(factories.officer_of(tree.cam_ngoc))

    book = load_workbook(io.BytesIO(download(client, report, "xlsx")))
    cells = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and text in cell.value
    ]
    assert cells
    assert all(cell.value == "'" + text and cell.data_type == "s" for cell in cells)

    package = zipfile.ZipFile(io.BytesIO(download(client, report, "csv")))
    pages = package.read("trang.csv").decode("utf-8-sig")
    values = [value for row in csv.reader(io.StringIO(pages)) for value in row if text in value]
    assert values == ["'" + text]


# --- the API: pages, incidents, evidence ---------------------------------------------------

PAGES_API = "/api/v1/registry/pages/"
INCIDENTS_API = "/api/v1/incidents/"


def api_for(user: User) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def api_page(tree: Tree, **overrides: Any) -> Any:
    data = {
        "body": tree.ubnd_cam_ngoc.pk,
        "platform": "facebook",
        "url": "https://www.facebook.com/ubndxacamngoc",
        "display_name": "UBND xã Cẩm Ngọc",
        **overrides,
    }
    return api_for(factories.staff_of(tree.ubnd_cam_ngoc)).post(PAGES_API, data, format="json")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("url", "javascript:alert(1)"),
        ("url", "http://"),
        ("url", "https://www.facebook.com/" + "a" * 5000),
        ("display_name", LONG),
        ("set_up_on", "31/02/2026"),
        ("set_up_on", "2026-13-01"),
        ("set_up_on", "abc"),
        ("set_up_on", "2026-02-31"),
    ],
    ids=["javascript", "no-host", "5000-chars", "long-name", "dmy", "month-13", "abc", "feb-31"],
)
def test_page_api_refuses_bad_fields(tree: Tree, field: str, value: str) -> None:
    response = api_page(tree, **{field: value})

    assert response.status_code == 400
    assert field in response.json()
    assert not SocialPage.objects.exists()


@pytest.mark.parametrize("text", [SCRIPT, FORMULA, NFD_NAME], ids=["script", "formula", "nfd"])
def test_page_api_stores_names_in_nfc_and_returns_them_as_data(tree: Tree, text: str) -> None:
    response = api_page(tree, display_name=text)

    assert response.status_code == 201, response.content
    expected = unicodedata.normalize("NFC", text)
    assert SocialPage.objects.get().display_name == expected
    assert response.json()["display_name"] == expected
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", LONG),
        ("url", "javascript:alert(1)"),
        ("url", "http://"),
        ("discovered_at", "31/02/2026"),
        ("discovered_at", "2026-13-01T10:00:00"),
        ("discovered_at", "abc"),
    ],
    ids=["long-description", "javascript", "no-host", "dmy", "month-13", "abc"],
)
def test_incident_api_refuses_bad_fields(tree: Tree, field: str, value: str) -> None:
    data = {
        "body": tree.ubnd_cam_ngoc.pk,
        "kind": "impersonation",
        "url": "https://www.facebook.com/ubnd.gia.mao",
        "description": "Trang giả mạo UBND xã.",
        field: value,
    }

    response = api_for(factories.staff_of(tree.ubnd_cam_ngoc)).post(
        INCIDENTS_API, data, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert not Incident.objects.exists()


@pytest.mark.parametrize(("case", "name", "content"), BAD_IMAGES, ids=[c[0] for c in BAD_IMAGES])
def test_evidence_api_refuses_bad_images(
    reported: tuple[Incident, User], media: Path, case: str, name: str, content: bytes | None
) -> None:
    incident, staff = reported

    response = api_for(staff).post(
        f"{INCIDENTS_API}{incident.pk}/evidence/",
        {"image": SimpleUploadedFile(name, content_of(content))},
        format="multipart",
    )

    assert response.status_code == 400
    assert not Evidence.objects.filter(image__gt="").exists()
    assert stored_files(media) == []


@pytest.mark.parametrize(
    "text",
    [
        SCRIPT,
        NFD_NAME,
    ],
    ids=["script", "nfd"],
)
def test_incident_api_stores_descriptions_in_nfc(tree: Tree, text: str) -> None:
    response = api_for(factories.staff_of(tree.ubnd_cam_ngoc)).post(
        INCIDENTS_API,
        {
            "body": tree.ubnd_cam_ngoc.pk,
            "kind": "impersonation",
            "url": "https://www.facebook.com/ubnd.gia.mao",
            "description": text,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert Incident.objects.get().description == unicodedata.normalize("NFC", text)


def test_bulk_import_refuses_a_formula_cell_as_a_name(tree: Tree, media: Path) -> None:
    """A real formula cell has no value to read (the file is read data-only): the row is
    listed as bad and the commit writes nothing."""
    from tests.accounts_registry.test_bulk_import import row, xlsx

    client = login(factories.staff_of(tree.ubnd_cam_ngoc))
    content = xlsx(row(tree.ubnd_cam_ngoc.pk, "https://www.facebook.com/trangmot", name=FORMULA))

    uploaded = client.post(
        reverse("registry:bulk_upload"), {"file": SimpleUploadedFile("trang.xlsx", content)}
    )
    preview = client.get(uploaded["Location"])
    committed = client.post(reverse("registry:bulk_commit"))

    assert preview.status_code == 200
    assert not preview.context["preview"].ok
    assert committed.status_code == 409
    assert not SocialPage.objects.exists()


@pytest.mark.parametrize("text", [SCRIPT, NFD_NAME, "@SUM(1+1)"], ids=["script", "nfd", "at"])
def test_bulk_import_stores_hostile_names_in_nfc_and_exports_them_as_text(
    tree: Tree, media: Path, text: str
) -> None:
    from tests.accounts_registry.test_bulk_import import row, xlsx

    client = login(factories.staff_of(tree.ubnd_cam_ngoc))
    content = xlsx(row(tree.ubnd_cam_ngoc.pk, "https://www.facebook.com/trangmot", name=text))

    uploaded = client.post(
        reverse("registry:bulk_upload"), {"file": SimpleUploadedFile("trang.xlsx", content)}
    )
    preview = client.get(uploaded["Location"])
    committed = client.post(reverse("registry:bulk_commit"))

    assert uploaded.status_code == 302
    assert committed.status_code == 302
    assert SCRIPT not in preview.content.decode()
    expected = unicodedata.normalize("NFC", text)
    assert SocialPage.objects.get().display_name == expected
    exported = "'" + expected if expected[0] in "=+-@" else expected
    assert export_names(client) == ([exported], [exported])


# --- the public report form (no login) -----------------------------------------------------


def public_report(tree: Tree, **overrides: Any) -> dict[str, Any]:
    return {
        "url": "https://www.facebook.com/ubnd.gia.mao",
        "body": tree.ubnd_cam_ngoc.pk,
        "description": "Trang này mạo danh UBND xã Cẩm Ngọc.",
        "reporter_name": "",
        "reporter_email": "",
        "reporter_phone": "",
        "website": "",
        **overrides,
    }


@pytest.mark.parametrize(("case", "name", "content"), BAD_IMAGES, ids=[c[0] for c in BAD_IMAGES])
def test_public_report_form_refuses_bad_images(
    tree: Tree, client: Client, media: Path, case: str, name: str, content: bytes | None
) -> None:
    response = client.post(
        reverse("incidents:public_report"),
        public_report(tree, image=SimpleUploadedFile(name, content_of(content))),
    )

    assert response.status_code == 400
    assert "image" in response.context["form"].errors
    assert not Incident.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("url", "javascript:alert(1)"),
        ("url", "http://"),
        ("url", "https://" + "a" * 5000 + ".com"),
        ("description", LONG),
        ("reporter_name", LONG),
        ("reporter_email", SCRIPT),
    ],
    ids=["javascript", "no-host", "5000-chars", "long-description", "long-name", "script-email"],
)
def test_public_report_form_refuses_bad_fields(
    tree: Tree, client: Client, field: str, value: str
) -> None:
    response = client.post(
        reverse("incidents:public_report"), public_report(tree, **{field: value})
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert SCRIPT not in response.content.decode()
    assert not Incident.objects.exists()
