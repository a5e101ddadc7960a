"""The directive pages as their users work them: the province issues, a district
acknowledges and implements, a commune reports back, the province follows the chain.

Scope is checked the way a user meets it (a 404), and each page's query count is held
flat as the rows grow.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from directives import services
from directives.files import NOT_ACCEPTED
from directives.forms import join_instructions, split_instructions
from directives.models import Directive, DirectiveState, ImplementationReport, Reminder
from directives.views import letter_filename
from legal.models import LegalNode
from legal.services import load_defaults
from tests import factories
from tests.directives.conftest import World, draft

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")

# Queries per page, whatever the number of rows (asserted flat below).
LIST_BUDGET = 10
INBOX_BUDGET = 10  # one more: the named groups of the letters on the page (their tasks)
DETAIL_BUDGET = 22  # two more: the letter's named groups and the figures it asks
CHAIN_BUDGET = 12


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def code(db: None) -> None:
    """The Decision 874 library, for citations."""
    load_defaults()


def on(day: date, hour: int = 9) -> Any:
    """Travel to ``day`` in Vietnam for the duration of a ``with`` block."""
    return time_machine.travel(
        datetime(day.year, day.month, day.day, hour, tzinfo=HANOI), tick=False
    )


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def letter(**overrides: Any) -> dict[str, Any]:
    """What an officer types into the drafting form."""
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
    }
    data.update(overrides)
    return data


def figures(*rows: tuple[str, str]) -> dict[str, str]:
    data = {
        "figures-TOTAL_FORMS": "5",
        "figures-INITIAL_FORMS": "0",
        "figures-MIN_NUM_FORMS": "0",
        "figures-MAX_NUM_FORMS": "20",
    }
    for i, (label, value) in enumerate(rows):
        data[f"figures-{i}-label"] = label
        data[f"figures-{i}-value"] = value
    return data


def group(parent: Any, level: Any) -> str:
    return f"{parent.pk}:{level.pk}"


def all_districts(world: World) -> services.Recipients:
    return services.Recipients(
        groups=[services.RecipientGroup(world.tree.thanh_hoa, world.district_level)]
    )


def all_communes(world: World) -> services.Recipients:
    return services.Recipients(
        groups=[services.RecipientGroup(world.tree.cam_thuy, world.commune_level)]
    )


@pytest.fixture
def chain(world: World) -> dict[str, Any]:
    """Province → Cẩm Thủy → its communes, issued; Cẩm Ngọc reported with a PDF."""
    with on(date(2024, 4, 20)):
        province = draft(
            world.ubnd_thanh_hoa,
            world.province_officer,
            recipients=all_districts(world),
            number="6389",
            symbol="UBND-KGVX",
        )
        services.directive_issue(province, by=world.province_officer)
    with on(date(2024, 4, 24)):
        district = draft(
            world.ubnd_cam_thuy,
            world.cam_thuy_officer,
            recipients=all_communes(world),
            implements=province,
        )
        services.directive_issue(district, by=world.cam_thuy_officer)
        receipt = district.receipts.get(unit=world.tree.cam_ngoc)
        report = services.report_submit(
            receipt,
            by=world.cam_ngoc_staff,
            text="Đã tổ chức phổ biến cho cán bộ, công chức xã.",
            files=[SimpleUploadedFile("bao-cao.pdf", PDF)],
        )
    return {
        "province": province,
        "district": district,
        "receipt": receipt,
        "sister": district.receipts.get(unit=world.tree.cam_thanh),
        "report": report,
        "attachment": report.attachments.get(),
    }


# --- The issue's check, through the pages -------------------------------------------------


def test_province_to_commune_and_back_through_the_pages(world: World, code: None) -> None:
    clause = LegalNode.objects.get(ref="qd874.code.d4.k2")
    province_officer = client_for(world.province_officer)

    # The province drafts a letter to all its districts, citing a clause of the Code
    with on(date(2024, 4, 20)):
        form = province_officer.get("/directives/new/")
        assert form.status_code == 200
        assert (
            f'value="{group(world.tree.thanh_hoa, world.district_level)}"' in form.content.decode()
        )
        response = province_officer.post(
            "/directives/new/",
            letter(
                recipient_groups=[group(world.tree.thanh_hoa, world.district_level)],
                cited=[clause.pk],
            ),
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        province = Directive.objects.get(symbol="UBND-KGVX")
        assert province.is_draft
        assert [i.text for i in province.instructions.all()] == [
            "Phổ biến Bộ Quy tắc ứng xử.",
            "Rà soát trang mạo danh.",
        ]
        assert province_officer.get(f"/directives/{province.pk}/issue/").status_code == 200
        province_officer.post(f"/directives/{province.pk}/issue/")
    province.refresh_from_db()
    assert province.state == DirectiveState.ISSUED
    assert province.issued_on == date(2024, 4, 20)
    assert set(province.receipts.values_list("unit_id", flat=True)) == {
        world.tree.cam_thuy.pk,
        world.tree.ba_thuoc.pk,
    }

    # The district finds it in its inbox, opens it and acknowledges it
    district_officer = client_for(world.cam_thuy_officer)
    with on(date(2024, 4, 22)):
        inbox = district_officer.get("/directives/inbox/").content.decode()
        assert "6389/UBND-KGVX" in inbox
        receipt = province.receipts.get(unit=world.tree.cam_thuy)
        page = district_officer.get(f"/directives/receipts/{receipt.pk}/").content.decode()
        assert "Phổ biến Bộ Quy tắc ứng xử." in page
        district_officer.post(f"/directives/receipts/{receipt.pk}/acknowledge/")
    receipt.refresh_from_db()
    assert receipt.read_at
    assert receipt.acknowledged_at

    # ... and issues its own letter to all its communes, implementing the province's
    with on(date(2024, 4, 24)):
        start = f"/directives/new/?implements={province.pk}"
        choose = district_officer.get(start).content.decode()
        assert "Ủy ban nhân dân huyện Cẩm Thủy" in choose  # two bodies: choose one first
        url = f"{start}&issuer={world.ubnd_cam_thuy.pk}"
        form = district_officer.get(url)
        initial = form.context["form"].initial
        assert initial["implements"] == province.pk
        assert initial["subject"].startswith("Triển khai")
        assert initial["basis"].startswith(
            "Thực hiện Công văn số 6389/UBND-KGVX ngày 20/04/2024 của Ủy ban nhân dân tỉnh"
        )
        assert initial["cited"] == [clause.pk]
        response = district_officer.post(
            url,
            letter(
                number="1067",
                symbol="UBND-VHTT",
                place="Cẩm Thủy",
                subject=initial["subject"],
                basis=initial["basis"],
                implements=str(province.pk),
                cited=[str(clause.pk)],
                recipient_groups=[group(world.tree.cam_thuy, world.commune_level)],
            ),
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        district = Directive.objects.get(symbol="UBND-VHTT")
        assert district.implements == province
        assert district.issuer == world.ubnd_cam_thuy
        district_officer.post(f"/directives/{district.pk}/issue/")
    district.refresh_from_db()
    assert district.is_issued
    receipt.refresh_from_db()
    assert receipt.reported_at is not None  # the implementing letter answers the province

    # A commune reports back with figures and a PDF
    commune = client_for(world.cam_ngoc_staff)
    commune_receipt = district.receipts.get(unit=world.tree.cam_ngoc)
    with on(date(2024, 5, 10)):
        assert "1067/UBND-VHTT" in commune.get("/directives/inbox/").content.decode()
        assert commune.get(f"/directives/receipts/{commune_receipt.pk}/report/").status_code == 200
        response = commune.post(
            f"/directives/receipts/{commune_receipt.pk}/report/",
            {
                "text": "Đã tổ chức phổ biến cho cán bộ, công chức xã.",
                "attachments": [SimpleUploadedFile("Báo cáo xã Cẩm Ngọc.pdf", PDF)],
                **figures(("Số buổi tuyên truyền", "3"), ("Số trang đã rà soát", "12,5")),
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    report = ImplementationReport.objects.get(receipt=commune_receipt)
    assert [(f.label, str(f.value)) for f in report.figures.all()] == [
        ("Số buổi tuyên truyền", "3.00"),
        ("Số trang đã rà soát", "12.50"),
    ]
    attachment = report.attachments.get()

    # After the deadline the province sees the whole chain: who reported and who is late
    with on(date(2024, 6, 1)):
        chain = province_officer.get(f"/directives/{province.pk}/chain/")
        page = chain.content.decode()
        assert "1067/UBND-VHTT" in page
        root = chain.context["root"]
        assert [r.unit_id for r in root.node.late] == [world.tree.ba_thuoc.pk]
        assert [r.unit_id for r in root.children[0].node.late] == [world.tree.cam_thanh.pk]
        assert "Huyện Bá Thước" in page
        assert "Xã Cẩm Thành" in page
        assert "Đã tổ chức phổ biến cho cán bộ, công chức xã." in page
        assert f"/directives/files/{attachment.pk}/" in page

        download = province_officer.get(f"/directives/files/{attachment.pk}/")
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        assert download["X-Content-Type-Options"] == "nosniff"
        assert download["Content-Disposition"].startswith("attachment;")
        assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]

        # ... and reminds the late district, once a day however often it clicks
        detail = province_officer.get(f"/directives/{province.pk}/")
        late = [row for row in detail.context["rows"] if row.overdue]
        assert [row.receipt.unit_id for row in late] == [world.tree.ba_thuoc.pk]
        first = province_officer.post(f"/directives/{province.pk}/remind/", follow=True)
        again = province_officer.post(f"/directives/{province.pk}/remind/", follow=True)
    assert Reminder.objects.filter(receipt__directive=province).count() == 1
    assert [m.level_tag for m in first.context["messages"]] == ["success"]
    assert [m.level_tag for m in again.context["messages"]] == ["info"]  # already reminded


# --- Scope ----------------------------------------------------------------------------------


def test_another_provinces_officer_gets_404_everywhere(world: World, chain: dict[str, Any]) -> None:
    outsider = client_for(world.tan_uyen_officer)
    province, district = chain["province"], chain["district"]
    receipt, attachment = chain["receipt"], chain["attachment"]
    for url in [
        f"/directives/{province.pk}/",
        f"/directives/{district.pk}/",
        f"/directives/{province.pk}/chain/",
        f"/directives/{province.pk}/edit/",
        f"/directives/{province.pk}/issue/",
        f"/directives/{province.pk}/letter.docx",
        f"/directives/{province.pk}/letter.pdf",
        f"/directives/receipts/{receipt.pk}/",
        f"/directives/receipts/{receipt.pk}/report/",
        f"/directives/files/{attachment.pk}/",
    ]:
        assert outsider.get(url).status_code == 404, url
    for url in [
        f"/directives/{province.pk}/remind/",
        f"/directives/{province.pk}/archive/",
        f"/directives/receipts/{receipt.pk}/acknowledge/",
    ]:
        assert outsider.post(url).status_code == 404, url
    listing = outsider.get("/directives/").content.decode()
    assert "6389/UBND-KGVX" not in listing
    assert "1067/UBND-VHTT" not in listing
    assert "1067/UBND-VHTT" not in outsider.get("/directives/inbox/").content.decode()


def test_a_commune_never_sees_a_sister_communes_receipt(
    world: World, chain: dict[str, Any]
) -> None:
    sister = chain["sister"]
    services.report_submit(
        sister,
        by=world.cam_thanh_staff,
        text="Xã Cẩm Thành đã thực hiện.",
        files=[SimpleUploadedFile("cam-thanh.pdf", PDF)],
    )
    sister_file = sister.reports.get().attachments.get()
    commune = client_for(world.cam_ngoc_staff)

    assert commune.get(f"/directives/receipts/{chain['receipt'].pk}/").status_code == 200
    assert commune.get(f"/directives/receipts/{sister.pk}/").status_code == 404
    assert commune.get(f"/directives/receipts/{sister.pk}/report/").status_code == 404
    assert commune.post(f"/directives/receipts/{sister.pk}/acknowledge/").status_code == 404
    assert commune.get(f"/directives/files/{sister_file.pk}/").status_code == 404
    # The letter's page shows the commune its own report only, not its sister's
    page = commune.get(f"/directives/{chain['district'].pk}/").content.decode()
    assert "Đã tổ chức phổ biến" in page
    assert "Xã Cẩm Thành đã thực hiện." not in page
    assert commune.get(f"/directives/{chain['district'].pk}/chain/").status_code == 200


def test_a_draft_is_edited_only_by_those_who_issue_for_its_body(world: World) -> None:
    with on(date(2024, 4, 20)):
        province = draft(
            world.ubnd_thanh_hoa, world.province_officer, recipients=all_districts(world)
        )
        district = draft(
            world.ubnd_cam_thuy, world.cam_thuy_officer, recipients=all_communes(world)
        )
        # A draft is not sent: the districts do not see the province's draft at all
        assert (
            client_for(world.cam_thuy_officer).get(f"/directives/{province.pk}/").status_code == 404
        )
        # The province sees the district's draft but does not sign for the district
        province_officer = client_for(world.province_officer)
        assert province_officer.get(f"/directives/{district.pk}/").status_code == 200
        assert province_officer.get(f"/directives/{district.pk}/edit/").status_code == 404
        assert province_officer.get(f"/directives/{district.pk}/letter.pdf").status_code == 404
        assert province_officer.post(f"/directives/{district.pk}/issue/").status_code == 404

        form = province_officer.get(f"/directives/{province.pk}/edit/")
        assert form.context["form"].initial["instructions"] == (
            "Phổ biến Bộ Quy tắc ứng xử.\nRà soát trang mạo danh."
        )
        response = province_officer.post(
            f"/directives/{province.pk}/edit/",
            letter(
                subject="Đẩy mạnh thực hiện Bộ Quy tắc",
                recipient_units=[str(world.tree.cam_thuy.pk)],
                recipient_bodies=[str(world.tree.vhtt_cam_thuy.pk)],
            ),
        )
        assert response.status_code == 302
        province.refresh_from_db()
        assert province.subject == "Đẩy mạnh thực hiện Bộ Quy tắc"
        assert {(r.unit_id, r.body_id) for r in province.receipts.all()} == {
            (world.tree.cam_thuy.pk, None),
            (world.tree.cam_thuy.pk, world.tree.vhtt_cam_thuy.pk),
        }

        services.directive_issue(province, by=world.province_officer)
        edit = province_officer.get(f"/directives/{province.pk}/edit/", follow=True)
    assert edit.redirect_chain[-1][0] == f"/directives/{province.pk}/"


def test_the_services_errors_are_shown_where_they_belong(world: World) -> None:
    with on(date(2024, 4, 20)):
        province = draft(
            world.ubnd_thanh_hoa, world.province_officer, recipients=all_districts(world)
        )
        officer = client_for(world.province_officer)
        # Taking every recipient off a draft: said on the recipients, nothing saved
        response = officer.post(f"/directives/{province.pk}/edit/", letter(subject="Khác"))
        assert response.status_code == 400
        with translation.override("vi"):
            expected = str(translation.gettext("Choose at least one recipient."))
        assert response.context["form"].errors["recipient_units"] == [expected]
        province.refresh_from_db()
        assert province.subject != "Khác"
        # A deadline before the date of issue: refused when issuing, said in a message
        Directive.objects.filter(pk=province.pk).update(report_deadline=date(2024, 4, 1))
        issued = officer.post(f"/directives/{province.pk}/issue/", follow=True)
    assert Directive.objects.get(pk=province.pk).is_draft
    assert [m.level_tag for m in issued.context["messages"]] == ["error"]


def test_a_renamed_program_is_refused_with_a_clear_message(
    world: World, chain: dict[str, Any]
) -> None:
    commune = client_for(world.cam_ngoc_staff)
    sister_staff = client_for(world.cam_thanh_staff)
    url = f"/directives/receipts/{chain['sister'].pk}/report/"

    response = sister_staff.post(
        url,
        {
            "text": "Đã thực hiện.",
            "attachments": [SimpleUploadedFile("bao-cao.pdf", EXE)],
            **figures(),
        },
    )

    assert response.status_code == 400
    with translation.override("vi"):
        assert response.context["form"].errors["attachments"] == [str(NOT_ACCEPTED)]
    assert not chain["sister"].reports.exists()
    # The drafting form refuses it the same way
    with on(date(2024, 5, 1)):
        response = commune.post(
            f"/directives/new/?implements={chain['district'].pk}",
            letter(attachments=[SimpleUploadedFile("ke-hoach.docx", EXE)]),
        )
    assert response.status_code == 400
    with translation.override("vi"):
        assert response.context["form"].errors["attachments"] == [str(NOT_ACCEPTED)]


def test_opening_a_copy_counts_as_read_only_for_its_addressee(
    world: World, chain: dict[str, Any]
) -> None:
    sister = chain["sister"]
    client_for(world.cam_thuy_officer).get(f"/directives/receipts/{sister.pk}/")
    sister.refresh_from_db()
    assert sister.read_at is None  # the sender looked; the commune has not opened it
    client_for(world.cam_thanh_staff).get(f"/directives/receipts/{sister.pk}/")
    sister.refresh_from_db()
    assert sister.read_by == world.cam_thanh_staff


def test_the_list_searches_without_diacritics_and_filters_by_state(
    world: World, chain: dict[str, Any]
) -> None:
    with on(date(2024, 5, 1)):
        draft(
            world.ubnd_cam_thuy,
            world.cam_thuy_officer,
            recipients=all_communes(world),
            number="",
            symbol="UBND-VX",
            subject="Rà soát trang mạo danh",
        )
    officer = client_for(world.cam_thuy_officer)

    found = officer.get("/directives/", {"q": "RA SOAT trang mao danh"}).content.decode()
    assert "UBND-VX" in found
    assert "1067/UBND-VHTT" not in found
    issued = officer.get("/directives/", {"state": "issued"}).content.decode()
    assert "1067/UBND-VHTT" in issued
    assert "6389/UBND-KGVX" in issued
    assert "UBND-VX" not in issued


def test_letters_download_under_an_ascii_name(world: World, chain: dict[str, Any]) -> None:
    pytest.importorskip("directives.rendering")
    commune = client_for(world.cam_ngoc_staff)

    docx = commune.get(f"/directives/{chain['district'].pk}/letter.docx")
    pdf = commune.get(f"/directives/{chain['district'].pk}/letter.pdf")

    assert docx.status_code == 200
    assert pdf.status_code == 200
    assert docx["Content-Disposition"] == 'attachment; filename="CV-1067-UBND-VHTT.docx"'
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_a_file_name_and_instructions_survive_the_round_trip() -> None:
    directive = Directive(number="", symbol="UBND-VHTT/Đoàn TN")
    assert letter_filename(directive, ".pdf") == "CV-du-thao-UBND-VHTT-Doan-TN.pdf"
    assert split_instructions("1. Một\r\n2) Hai\n\n") == ["Một", "Hai"]
    long = ["Một:\n- ý a;\n- ý b.", "Hai."]
    assert split_instructions(join_instructions(long)) == long


# --- Query budgets ----------------------------------------------------------------------------


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries.captured_queries)


def more_communes(world: World, count: int) -> None:
    for n in range(count):
        commune = factories.commune(world.tree.cam_thuy, f"Xã Thử {n}", code=f"159{n:02d}")
        factories.BodyFactory.create(unit=commune, name=f"UBND Xã Thử {n}")


def test_the_pages_cost_the_same_queries_for_many_rows(
    world: World, chain: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    province, district = chain["province"], chain["district"]
    province_officer = client_for(world.province_officer)
    district_officer = client_for(world.cam_thuy_officer)
    with on(date(2024, 6, 1)):
        few = {
            "list": count_queries(district_officer, "/directives/"),
            "inbox": count_queries(district_officer, "/directives/inbox/"),
            "detail": count_queries(district_officer, f"/directives/{district.pk}/"),
            "chain": count_queries(province_officer, f"/directives/{province.pk}/chain/"),
        }

    # Many more letters, recipients, reports with files, reminders and implementing letters
    more_communes(world, 6)
    with on(date(2024, 5, 2)):
        for n in range(4):
            extra = draft(
                world.ubnd_thanh_hoa,
                world.province_officer,
                recipients=all_districts(world),
                number=str(7000 + n),
            )
            services.directive_issue(extra, by=world.province_officer)
        wide = draft(
            world.ubnd_cam_thuy,
            world.cam_thuy_officer,
            recipients=all_communes(world),
            implements=province,
            number="1100",
        )
        wide = services.directive_issue(wide, by=world.cam_thuy_officer)
        ba_thuoc = draft(
            world.ubnd_ba_thuoc,
            world.ba_thuoc_officer,
            recipients=services.Recipients(units=[world.tree.dien_lu]),
            implements=province,
            number="88",
        )
        services.directive_issue(ba_thuoc, by=world.ba_thuoc_officer)
        for receipt in wide.receipts.all()[:4]:
            services.report_submit(
                receipt,
                by=world.cam_thanh_staff,
                text="Đã thực hiện.",
                figures=[("Số buổi", Decimal(2))],
                files=[SimpleUploadedFile("r.pdf", PDF)],
            )
        services.remind_now(wide, by=world.cam_thuy_officer)
    assert wide.receipts.count() == 8

    many = {
        "list": (district_officer, "/directives/", LIST_BUDGET),
        "inbox": (district_officer, "/directives/inbox/", INBOX_BUDGET),
        "detail": (district_officer, f"/directives/{wide.pk}/", DETAIL_BUDGET),
        "chain": (province_officer, f"/directives/{province.pk}/chain/", CHAIN_BUDGET),
    }
    with on(date(2024, 6, 1)):
        for name, (client, url, budget) in many.items():
            with django_assert_max_num_queries(budget):
                count = count_queries(client, url)
            assert count <= few[name], f"{name}: {few[name]} queries for few rows, {count} for many"
