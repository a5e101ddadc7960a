"""What the real letters ask beyond a list of recipients: named recipient groups (inside or
outside the portal), different tasks for different groups, figures asked and totalled up a
chain of letters, and letters from above that exist only on paper."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from directives import rendering, selectors, services
from directives.models import Directive, GroupKind, GroupPlacement, ReportFigure
from tests.directives.conftest import World, draft
from tests.pdf_text import pdf_text

pytestmark = pytest.mark.django_db

ISSUED = date(2024, 4, 24)


def _flat(text: str) -> str:
    return " ".join(text.split())


def district_letter(world: World, **overrides: Any) -> Directive:
    """Cẩm Thủy's letter: the culture office works with the police (outside the portal) to
    monitor; the communes review fake pages and report how many they found."""
    tree = world.tree
    values: dict[str, Any] = {
        "recipients": services.Recipients(
            named=[
                services.NamedGroupSpec(
                    name="Phòng Văn hóa và Thông tin huyện",
                    kind=GroupKind.STATE_BODIES,
                    bodies=[tree.vhtt_cam_thuy],
                    tasks=[2],
                ),
                services.NamedGroupSpec(
                    name="Công an huyện Cẩm Thủy", kind=GroupKind.ARMED_FORCES, tasks=[2]
                ),
                services.NamedGroupSpec(
                    name="Ủy ban nhân dân các xã, thị trấn",
                    kind=GroupKind.PEOPLES_COMMITTEES,
                    bodies=[tree.ubnd_cam_ngoc, tree.ubnd_cam_thanh],
                    tasks=[3],
                ),
                services.NamedGroupSpec(
                    name="Ban Thường vụ Huyện ủy",
                    kind=GroupKind.PARTY_COMMITTEE,
                    placement=GroupPlacement.COPY,
                ),
            ]
        ),
    }
    values.update(overrides)
    recipients = values.pop("recipients")
    directive = services.directive_create(
        issuer=world.ubnd_cam_thuy,
        by=world.cam_thuy_officer,
        fields={
            "number": "1067",
            "symbol": "UBND-VHTT",
            "subject": "Rà soát trang mạng xã hội giả mạo",
            "body": "UBND huyện đề nghị các cơ quan, đơn vị thực hiện các nội dung sau:",
            "report_deadline": date(2024, 5, 15),
            **values,
        },
        instructions=[
            "Phổ biến Bộ Quy tắc ứng xử trên mạng xã hội.",
            "Phối hợp Công an huyện theo dõi, xử lý thông tin sai sự thật.",
            "Rà soát, phát hiện trang giả mạo cơ quan, đơn vị.",
        ],
        recipients=recipients,
        asked_figures=[
            services.FigureSpec("pages-reviewed", "Số trang đã rà soát", "trang", task=3),
            services.FigureSpec("fake-pages", "Số trang giả mạo phát hiện", "trang", task=3),
        ],
    )
    return services.directive_issue(directive, by=world.cam_thuy_officer, today=ISSUED)


def test_named_groups_are_written_on_the_letter_and_delivered_only_inside_the_portal(
    world: World,
) -> None:
    letter = district_letter(world)
    tree = world.tree
    # Members in the portal receive it; the police and the Party committee have no inbox.
    assert set(letter.receipts.values_list("body_id", flat=True)) == {
        tree.vhtt_cam_thuy.pk,
        tree.ubnd_cam_ngoc.pk,
        tree.ubnd_cam_thanh.pk,
    }
    assert letter.addressees.splitlines() == [
        "Phòng Văn hóa và Thông tin huyện",
        "Ủy ban nhân dân các xã, thị trấn",
        "Công an huyện Cẩm Thủy",
    ]
    assert "Ban Thường vụ Huyện ủy" in letter.distribution.splitlines()
    pdf = _flat(pdf_text(rendering.render_pdf(letter)))
    assert "- Công an huyện Cẩm Thủy" in pdf
    assert "- Ban Thường vụ Huyện ủy;" in pdf
    docx = rendering.render_docx(letter)
    assert "Công an huyện Cẩm Thủy".encode() in _docx_xml(docx)


def _docx_xml(data: bytes) -> bytes:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/document.xml")


def test_typed_addressees_gain_the_groups_they_do_not_name_yet(world: World) -> None:
    letter = district_letter(
        world, addressees="Ủy ban nhân dân các xã, thị trấn;\nCông an huyện Cẩm Thủy."
    )
    # Typed lines are kept as typed; the group the sender forgot is added once.
    assert letter.addressees.splitlines() == [
        "Ủy ban nhân dân các xã, thị trấn;",
        "Công an huyện Cẩm Thủy.",
        "Phòng Văn hóa và Thông tin huyện",
    ]


def test_each_recipient_sees_its_own_tasks_and_is_asked_only_their_figures(world: World) -> None:
    letter = district_letter(world)
    tree = world.tree
    commune = letter.receipts.get(body=tree.ubnd_cam_ngoc)
    office = letter.receipts.get(body=tree.vhtt_cam_thuy)
    commune_tasks = selectors.tasks_of(commune)
    office_tasks = selectors.tasks_of(office)
    assert [i.position for i in commune_tasks.own] == [1, 3]
    assert [i.position for i in commune_tasks.others] == [2]
    assert [g.name for g in commune_tasks.groups] == ["Ủy ban nhân dân các xã, thị trấn"]
    assert [f.key for f in commune_tasks.asked] == ["pages-reviewed", "fake-pages"]
    assert [i.position for i in office_tasks.own] == [1, 2]
    assert office_tasks.asked == []
    # The commune must give both figures; the office may not give them.
    with pytest.raises(ValidationError, match="Số trang giả mạo phát hiện"):
        services.report_submit(
            commune,
            by=world.cam_ngoc_staff,
            text="Đã rà soát.",
            asked={"pages-reviewed": Decimal(12)},
        )
    with pytest.raises(ValidationError, match="fake-pages"):
        services.report_submit(
            office,
            by=factories_staff(world),
            text="Đã phối hợp.",
            asked={"fake-pages": Decimal(1)},
        )
    report = services.report_submit(
        commune,
        by=world.cam_ngoc_staff,
        text="Đã rà soát.",
        asked={"pages-reviewed": Decimal(12), "fake-pages": Decimal(1)},
        figures=[("Số buổi tuyên truyền", Decimal(2))],
    )
    assert list(
        ReportFigure.objects.filter(report=report).values_list("position", "key", "label")
    ) == [
        (1, "pages-reviewed", "Số trang đã rà soát"),
        (2, "fake-pages", "Số trang giả mạo phát hiện"),
        (3, "", "Số buổi tuyên truyền"),
    ]


def factories_staff(world: World) -> Any:
    from tests import factories

    return factories.staff_of(world.tree.vhtt_cam_thuy)


def test_instruction_numbers_and_figure_keys_are_checked(world: World) -> None:
    with pytest.raises(ValidationError, match=r"\b5\b") as wrong_number:
        draft(
            world.ubnd_cam_thuy,
            world.cam_thuy_officer,
            recipients=services.Recipients(
                named=[services.NamedGroupSpec(name="Công an huyện", tasks=[5])],
                bodies=[world.tree.ubnd_cam_ngoc],
            ),
        )
    assert "groups" in wrong_number.value.message_dict
    letter = draft(
        world.ubnd_cam_thuy,
        world.cam_thuy_officer,
        recipients=services.Recipients(bodies=[world.tree.ubnd_cam_ngoc]),
    )
    with pytest.raises(ValidationError, match="Trang giả"):
        services.directive_update(
            letter,
            by=world.cam_thuy_officer,
            fields={},
            asked_figures=[services.FigureSpec("Trang giả", "Số trang giả mạo")],
        )
    with pytest.raises(ValidationError, match="fake-pages"):
        services.directive_update(
            letter,
            by=world.cam_thuy_officer,
            fields={},
            asked_figures=[
                services.FigureSpec("fake-pages", "Số trang giả mạo"),
                services.FigureSpec("fake-pages", "Số trang giả"),
            ],
        )
    # A group's members must be in the issuer's area, like any recipient.
    with pytest.raises(ValidationError) as outside:
        services.directive_update(
            letter,
            by=world.cam_thuy_officer,
            fields={},
            recipients=services.Recipients(
                named=[
                    services.NamedGroupSpec(
                        name="UBND xã ngoài huyện", bodies=[world.tree.ubnd_muong_khoa]
                    )
                ]
            ),
        )
    assert "recipients" in outside.value.message_dict


def _chain(world: World) -> tuple[Directive, Directive]:
    """The province asks both districts for fake pages found; Cẩm Thủy passes the ask on to
    its communes with a letter of its own; Bá Thước reports its figure itself."""
    tree = world.tree
    province = draft(
        world.ubnd_thanh_hoa,
        world.province_officer,
        number="1",
        symbol="UBND-VX",
        recipients=services.Recipients(bodies=[world.ubnd_cam_thuy, world.ubnd_ba_thuoc]),
    )
    services.directive_update(
        province,
        by=world.province_officer,
        fields={},
        asked_figures=[services.FigureSpec("fake-pages", "Số trang giả mạo phát hiện", "trang")],
    )
    province = services.directive_issue(province, by=world.province_officer, today=ISSUED)
    district = draft(
        world.ubnd_cam_thuy,
        world.cam_thuy_officer,
        recipients=services.Recipients(bodies=[tree.ubnd_cam_ngoc, tree.ubnd_cam_thanh]),
        implements=province,
    )
    services.directive_update(
        district,
        by=world.cam_thuy_officer,
        fields={},
        asked_figures=[services.FigureSpec("fake-pages", "Số trang mạo danh", "trang")],
    )
    district = services.directive_issue(district, by=world.cam_thuy_officer, today=ISSUED)
    for body, user, value in (
        (tree.ubnd_cam_ngoc, world.cam_ngoc_staff, 2),
        (tree.ubnd_cam_thanh, world.cam_thanh_staff, 3),
    ):
        receipt = district.receipts.get(body=body)
        services.report_submit(
            receipt, by=user, text="Đã rà soát.", asked={"fake-pages": Decimal(1)}
        )
        # A corrected report replaces the figure, it does not add to it.
        services.report_submit(
            receipt, by=user, text="Báo cáo bổ sung.", asked={"fake-pages": Decimal(value)}
        )
    services.report_submit(
        province.receipts.get(body=world.ubnd_ba_thuoc),
        by=world.ba_thuoc_officer,
        text="Đã rà soát.",
        asked={"fake-pages": Decimal(4)},
    )
    return province, district


def test_figures_are_totalled_at_each_level_and_for_the_whole_chain(
    world: World, django_assert_max_num_queries: Any
) -> None:
    province, district = _chain(world)
    with django_assert_max_num_queries(12):
        root = selectors.chain_below(world.province_officer, province)
    (total,) = root.figures
    assert (total.key, total.reported, total.total) == ("fake-pages", 4, 9)
    assert (total.reporting, total.rolled_up) == (1, 1)
    (child,) = root.children
    assert child.directive == district
    assert [(f.reported, f.total, f.reporting) for f in child.figures] == [(5, 5, 2)]
    # The district sees its own level only; Tân Uyên sees nothing of it.
    own = selectors.chain_below(world.cam_thuy_officer, district)
    assert [f.total for f in own.figures] == [5]


def test_the_chain_page_shows_the_totals(world: World, client: Any) -> None:
    province, _ = _chain(world)
    client.force_login(world.province_officer)
    page = client.get(f"/directives/{province.pk}/chain/", HTTP_ACCEPT_LANGUAGE="vi")
    text = _flat(page.content.decode())
    assert "Số trang giả mạo phát hiện" in text
    assert "9 trang" in text


def test_a_letter_on_paper_is_the_root_of_a_chain(world: World, client: Any) -> None:
    paper = services.PaperSpec(
        reference="5028/CAT-ANMCNC",
        issued_on=date(2021, 8, 25),
        issuer_name="Công an tỉnh Thanh Hóa",
        subject="Trao đổi, phối hợp quản lý hoạt động sử dụng mạng Internet",
    )
    letter = services.directive_create(
        issuer=world.ubnd_cam_thuy,
        by=world.cam_thuy_officer,
        fields={"number": "12", "symbol": "UBND-VX", "subject": "Phối hợp", "body": "Nội dung."},
        recipients=services.Recipients(bodies=[world.tree.ubnd_cam_ngoc]),
        paper=paper,
    )
    letter = services.directive_issue(letter, by=world.cam_thuy_officer, today=ISSUED)
    assert letter.basis == (
        "Thực hiện Công văn số 5028/CAT-ANMCNC ngày 25/08/2021 của Công an tỉnh Thanh Hóa "
        "về việc trao đổi, phối hợp quản lý hoạt động sử dụng mạng Internet;"
    )
    # The same paper letter cited again is recorded once.
    again = services.directive_create(
        issuer=world.ubnd_cam_thuy,
        by=world.cam_thuy_officer,
        fields={"symbol": "UBND-VX", "subject": "Lần hai", "body": "Nội dung."},
        paper=paper,
    )
    assert again.implements_paper_id == letter.implements_paper_id
    with pytest.raises(ValidationError) as both:
        services.directive_update(again, by=world.cam_thuy_officer, fields={}, implements=letter)
    assert "implements" in both.value.message_dict
    # The commune's chain page shows the paper root above the district's letter.
    client.force_login(world.cam_ngoc_staff)
    page = client.get(f"/directives/{letter.pk}/chain/", HTTP_ACCEPT_LANGUAGE="vi")
    text = _flat(page.content.decode())
    assert "5028/CAT-ANMCNC" in text
    assert "Công an tỉnh Thanh Hóa" in text
    assert "25/08/2021" in text
    assert selectors.paper_root(world.cam_ngoc_staff, letter) == letter.implements_paper


# --- Through the pages ---------------------------------------------------------------------


def _management(prefix: str, total: int) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }


def test_a_district_drafts_groups_tasks_figures_and_a_paper_basis_in_the_form(
    world: World, client: Any, settings: Any, tmp_path: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    tree = world.tree
    client.force_login(world.cam_thuy_officer)
    page = client.get(f"/directives/new/?issuer={world.ubnd_cam_thuy.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="named-0-members"' in html
    assert f'value="b:{tree.vhtt_cam_thuy.pk}"' in html
    post = {
        "number": "233",
        "symbol": "UBND-VHTT",
        "place": "Cẩm Thủy",
        "subject": "Rà soát, xử lý các trang mạng xã hội mạo danh",
        "body": "UBND huyện yêu cầu:",
        "instructions": "Phối hợp Công an huyện theo dõi.\nRà soát trang giả mạo.",
        "recipient_bodies": [str(tree.ubnd_cam_ngoc.pk)],
        "paper_reference": "5028/CAT-ANMCNC",
        "paper_issued_on": "25/08/2021",
        "paper_issuer": "Công an tỉnh Thanh Hóa",
        "paper_subject": "Phối hợp quản lý hoạt động trên mạng xã hội",
        "paper_scan": SimpleUploadedFile("CV 5028.pdf", b"%PDF-1.4\n%%EOF\n"),
        **_management("named", 2),
        "named-0-name": "Phòng Văn hóa và Thông tin huyện",
        "named-0-kind": "state_bodies",
        "named-0-placement": "addressee",
        "named-0-members": [f"b:{tree.vhtt_cam_thuy.pk}"],
        "named-0-tasks": "1",
        "named-1-name": "Công an huyện Cẩm Thủy",
        "named-1-kind": "armed_forces",
        "named-1-placement": "addressee",
        "named-1-tasks": "1",
        **_management("asked", 1),
        "asked-0-label": "Số trang giả mạo phát hiện",
        "asked-0-unit": "trang",
        "asked-0-key": "fake-pages",
        "asked-0-task": "2",
    }
    response = client.post(f"/directives/new/?issuer={world.ubnd_cam_thuy.pk}", post)
    if response.status_code != 302:
        import re as _re

        raise AssertionError(
            _re.findall(r"field__errors[^>]*>(.*?)</ul>", response.content.decode(), _re.S)
        )
    letter = Directive.objects.get(number="233")
    assert [
        (g.name, sorted(g.body_ids), g.task_numbers) for g in selectors.named_groups(letter)
    ] == [
        ("Phòng Văn hóa và Thông tin huyện", [tree.vhtt_cam_thuy.pk], [1]),
        ("Công an huyện Cẩm Thủy", [], [1]),
    ]
    assert list(letter.asked_figures.values_list("key", "task_number")) == [("fake-pages", 2)]
    assert letter.implements_paper is not None
    assert letter.implements_paper.scan_filename == "CV 5028.pdf"
    # The draft's page shows the groups in "Kính gửi" and the paper letter it implements.
    text = _flat(client.get(f"/directives/{letter.pk}/").content.decode())
    assert "Công an huyện Cẩm Thủy" in text
    assert "5028/CAT-ANMCNC" in text
    assert "Đã gửi đến 1 thành viên trên Cổng" in text
    assert "Ngoài Cổng: chỉ ghi để lưu" in text
    # Editing keeps them.
    edit = client.get(f"/directives/{letter.pk}/edit/").content.decode()
    assert 'value="Công an huyện Cẩm Thủy"' in edit
    assert 'value="fake-pages"' in edit
    # A wrong instruction number is refused, by name.
    post["named-1-tasks"] = "7"
    post["number"] = "234"
    post.pop("paper_scan")
    refused = client.post(f"/directives/new/?issuer={world.ubnd_cam_thuy.pk}", post)
    assert refused.status_code == 400
    assert "Công an huyện Cẩm Thủy" in refused.content.decode()
    assert not Directive.objects.filter(number="234").exists()
    # The commune sees its own task first and is asked its figure.
    services.directive_issue(letter, by=world.cam_thuy_officer, today=date(2024, 1, 25))
    receipt = letter.receipts.get(body=tree.ubnd_cam_ngoc)
    client.force_login(world.cam_ngoc_staff)
    copy = _flat(client.get(f"/directives/receipts/{receipt.pk}/").content.decode())
    assert copy.index("Rà soát trang giả mạo.") < copy.index("Phối hợp Công an huyện theo dõi.")
    inbox = _flat(client.get("/directives/inbox/").content.decode())
    assert "2. Rà soát trang giả mạo." in inbox
    form = client.get(f"/directives/receipts/{receipt.pk}/report/").content.decode()
    assert 'name="asked_fake-pages"' in form
    missing = client.post(
        f"/directives/receipts/{receipt.pk}/report/",
        {"text": "Đã làm.", **_management("figures", 0)},
    )
    assert missing.status_code == 400
    done = client.post(
        f"/directives/receipts/{receipt.pk}/report/",
        {"text": "Đã rà soát.", "asked_fake-pages": "2", **_management("figures", 0)},
    )
    assert done.status_code == 302
    assert ReportFigure.objects.get(key="fake-pages").value == 2
    # The scan of the paper letter is downloaded by a reader of the letter citing it.
    scan = client.get(f"/directives/paper/{letter.implements_paper_id}/scan/")
    assert scan.status_code == 200
    client.force_login(world.tan_uyen_officer)
    assert client.get(f"/directives/paper/{letter.implements_paper_id}/scan/").status_code == 404


# --- Through the API -----------------------------------------------------------------------


def test_groups_tasks_figures_and_paper_through_the_api(world: World) -> None:
    from rest_framework.test import APIClient

    def api(user: Any) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    tree = world.tree
    district = api(world.cam_thuy_officer)
    created = district.post(
        "/api/v1/directives/",
        {
            "issuer": world.ubnd_cam_thuy.pk,
            "number": "233",
            "symbol": "UBND-VHTT",
            "issued_on": "2024-01-25",
            "subject": "Rà soát, xử lý các trang mạng xã hội mạo danh",
            "body": "UBND huyện yêu cầu:",
            "instructions": ["Phối hợp Công an huyện theo dõi.", "Rà soát trang giả mạo."],
            "recipients": {
                "bodies": [tree.ubnd_cam_ngoc.pk],
                "named": [
                    {
                        "name": "Công an huyện Cẩm Thủy",
                        "kind": "armed_forces",
                        "tasks": [1],
                    },
                    {
                        "name": "Phòng Văn hóa và Thông tin huyện",
                        "kind": "state_bodies",
                        "bodies": [tree.vhtt_cam_thuy.pk],
                        "tasks": [1],
                    },
                ],
            },
            "asked_figures": [
                {"key": "fake-pages", "label": "Số trang giả mạo", "unit": "trang", "task": 2}
            ],
            "implements_paper": {
                "reference": "5028/CAT-ANMCNC",
                "issued_on": "2021-08-25",
                "issuer_name": "Công an tỉnh Thanh Hóa",
                "subject": "Phối hợp quản lý hoạt động trên mạng xã hội",
            },
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    letter = created.json()
    assert [
        (g["name"], g["outside_portal"], g["task_numbers"]) for g in letter["named_groups"]
    ] == [
        ("Công an huyện Cẩm Thủy", True, [1]),
        ("Phòng Văn hóa và Thông tin huyện", False, [1]),
    ]
    assert letter["asked_figures"] == [
        {"key": "fake-pages", "label": "Số trang giả mạo", "unit": "trang", "task_number": 2}
    ]
    assert letter["implements_paper"]["reference"] == "5028/CAT-ANMCNC"
    assert district.post(f"/api/v1/directives/{letter['id']}/issue/").status_code == 200

    commune = api(world.cam_ngoc_staff)
    (receipt,) = commune.get("/api/v1/directives/receipts/", {"inbox": "true"}).json()["results"]
    assert receipt["tasks"] == [2]
    assert [f["key"] for f in receipt["asked_figures"]] == ["fake-pages"]
    refused = commune.post(
        f"/api/v1/directives/receipts/{receipt['id']}/reports/",
        {"text": "Đã rà soát."},
        format="json",
    )
    assert refused.status_code == 400
    assert "asked" in refused.json()
    reported = commune.post(
        f"/api/v1/directives/receipts/{receipt['id']}/reports/",
        {"text": "Đã rà soát.", "asked": {"fake-pages": 2}},
        format="json",
    )
    assert reported.status_code == 201, reported.json()
    assert reported.json()["figures"][0] == {
        "key": "fake-pages",
        "label": "Số trang giả mạo",
        "value": "2.00",
    }
    chain = commune.get(f"/api/v1/directives/{letter['id']}/chain/").json()
    assert chain["paper_root"]["reference"] == "5028/CAT-ANMCNC"
    assert chain["tree"]["figures"][0]["total"] == "2.00"
