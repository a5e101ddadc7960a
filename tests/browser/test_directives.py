"""The directive pages in a real Chromium, at laptop and phone sizes, with screenshots.

A province letter to all districts, implemented by a district letter to its communes, one
of which reported back: the province's letter page (recipients, overdue, reports), the
chain, a district's inbox and a commune's copy. Screenshots land in
``test-artifacts/screenshots/directives-*.png`` for a person to look at.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Browser

from directives import services
from directives.models import Directive
from legal.models import LegalNode
from legal.services import load_defaults
from tests import factories
from tests.browser.support import VIEWPORTS, fits_the_screen, log_in, shoot, too_wide
from tests.conftest import Tree
from tests.directives.conftest import World, draft, world  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migrated_data"),
]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

BODY = (
    "Những năm gần đây, việc sử dụng mạng xã hội phục vụ công tác thông tin, tuyên truyền "
    "tại các cơ quan, đơn vị ngày càng phổ biến. Tuy nhiên, vẫn còn tình trạng trang mạng "
    "xã hội mạo danh cơ quan nhà nước, cung cấp thông tin sai sự thật.\n"
    "Nhằm tăng cường quản lý, Ủy ban nhân dân tỉnh yêu cầu các cơ quan, đơn vị thực hiện "
    "một số nội dung sau:"
)
INSTRUCTIONS = [
    "Tiếp tục phổ biến, quán triệt đến toàn thể cán bộ, công chức, viên chức Bộ Quy tắc "
    "ứng xử trên mạng xã hội ban hành kèm theo Quyết định số 874/QĐ-BTTTT ngày 17/6/2021.",
    "Sử dụng tên hiệu thật của cơ quan và đăng ký với nhà cung cấp dịch vụ để xác thực tên "
    "hiệu, địa chỉ trang mạng, đầu mối liên lạc.",
    "Rà soát, phát hiện các trang mạng xã hội mạo danh cơ quan, đơn vị; báo cáo về Phòng "
    "Văn hóa và Thông tin để xử lý theo quy định.",
]


# The elements that stick out of the screen (tables scroll inside their own box).
def _story(given: World) -> dict[str, Any]:
    """The chain of letters, issued in April 2024: every deadline has passed since."""
    load_defaults()
    tree: Tree = given.tree
    for n, name in enumerate(["Xã Cẩm Tâm", "Xã Cẩm Vân", "Thị trấn Phong Sơn", "Xã Cẩm Yên"]):
        unit = factories.commune(tree.cam_thuy, name, code=f"150{20 + n}")
        factories.BodyFactory.create(unit=unit, name=f"Ủy ban nhân dân {name.lower()}")
    cited = list(LegalNode.objects.filter(ref__in=["qd874.code.d4.k2", "qd874.code.d5.k2"]))
    province = draft(
        given.ubnd_thanh_hoa,
        given.province_officer,
        recipients=services.Recipients(
            groups=[services.RecipientGroup(tree.thanh_hoa, given.district_level)],
            bodies=[tree.vhtt_cam_thuy],
        ),
        number="6389",
        symbol="UBND-KGVX",
        place="Thanh Hóa",
        subject="Tăng cường quản lý, sử dụng mạng xã hội trong các cơ quan nhà nước",
        basis="Căn cứ Quyết định số 874/QĐ-BTTTT ngày 17/6/2021 của Bộ Thông tin và Truyền "
        "thông ban hành Bộ Quy tắc ứng xử trên mạng xã hội;",
        body=BODY,
        closing="Yêu cầu các cơ quan, đơn vị nghiêm túc triển khai thực hiện./.",
        signer_name="Đầu Thanh Tùng",
    )
    services.directive_update(
        province,
        by=given.province_officer,
        fields={},
        instructions=INSTRUCTIONS,
        cited=cited,
        files=[SimpleUploadedFile("Phu-luc-huong-dan.pdf", PDF)],
    )
    province = services.directive_issue(
        province, by=given.province_officer, today=date(2024, 4, 20)
    )
    district = draft(
        given.ubnd_cam_thuy,
        given.cam_thuy_officer,
        recipients=services.Recipients(
            groups=[services.RecipientGroup(tree.cam_thuy, given.commune_level)]
        ),
        implements=province,
        basis="Thực hiện Công văn số 6389/UBND-KGVX ngày 20/04/2024 của Ủy ban nhân dân tỉnh "
        "Thanh Hóa;",
    )
    district = services.directive_issue(
        district, by=given.cam_thuy_officer, today=date(2024, 4, 24)
    )
    receipt = district.receipts.get(unit=tree.cam_ngoc)
    services.report_submit(
        receipt,
        by=given.cam_ngoc_staff,
        text="Đã tổ chức 3 buổi phổ biến Bộ Quy tắc cho cán bộ, công chức xã; đã rà soát "
        "và không phát hiện trang mạo danh.",
        figures=[("Số buổi tuyên truyền", Decimal(3)), ("Số trang đã rà soát", Decimal(12))],
        files=[SimpleUploadedFile("Báo cáo kết quả - xã Cẩm Ngọc.pdf", PDF)],
    )
    services.receipt_acknowledge(
        district.receipts.get(unit=tree.cam_thanh), by=given.cam_thanh_staff
    )
    services.remind_now(district, by=given.cam_thuy_officer, today=date(2024, 5, 20))
    later = draft(
        given.ubnd_thanh_hoa,
        given.province_officer,
        recipients=services.Recipients(units=[tree.cam_thuy, tree.ba_thuoc]),
        number="",
        symbol="UBND-VHXH",
        place="Thanh Hóa",
        subject="Báo cáo kết quả rà soát trang mạng xã hội mạo danh cơ quan nhà nước",
        deadline=None,
    )
    return {"province": province, "district": district, "receipt": receipt, "draft": later}


@pytest.mark.parametrize("size", VIEWPORTS)
def test_directive_pages_in_a_browser(
    browser: Browser,
    live_server: Any,
    world: World,  # noqa: F811
    size: str,
) -> None:
    story = _story(world)
    province: Directive = story["province"]
    district: Directive = story["district"]
    base = live_server.url

    # The province: its letter, who has not reported, and the chain below it
    page = browser.new_page(viewport=VIEWPORTS[size], locale="vi-VN")  # type: ignore[arg-type]
    page.set_default_timeout(10_000)
    log_in(page, base, world.province_officer)
    page.goto(f"{base}/directives/{province.pk}/")
    assert page.get_by_role("heading", name=province.subject, level=1).is_visible()
    letter = page.locator("article.letter")
    assert "Số: 6389/UBND-KGVX" in letter.inner_text()
    assert "Thanh Hóa, ngày 20 tháng 4 năm 2024" in letter.inner_text()
    late_rows = page.locator(".recipients-table tbody tr.recipients-table__late")
    assert late_rows.count() == 2  # Bá Thước and the culture office; Cẩm Thủy implemented
    shoot(page, f"directives-detail-province-{size}")
    assert fits_the_screen(page), too_wide(page)

    page.goto(f"{base}/directives/{province.pk}/chain/")
    assert page.get_by_role("link", name=district.reference).is_visible()
    assert page.locator(".chain-card--late").count() == 2
    shoot(page, f"directives-chain-{size}")
    assert fits_the_screen(page), too_wide(page)

    page.goto(f"{base}/directives/{story['draft'].pk}/")
    assert page.locator(".letter__blank").count() == 1  # the number the clerk will give
    shoot(page, f"directives-draft-{size}")
    assert fits_the_screen(page), too_wide(page)

    page.goto(f"{base}/directives/")
    assert page.locator(".directive-table tbody tr").count() == 3
    shoot(page, f"directives-list-{size}")
    assert fits_the_screen(page), too_wide(page)

    page.goto(f"{base}/directives/new/")
    # All districts, all communes of the province, all communes of each district
    assert page.locator("input[name=recipient_groups]").count() == 4
    shoot(page, f"directives-form-{size}")
    assert fits_the_screen(page), too_wide(page)
    page.close()

    # The district: its inbox, and its own letter's page with the communes' state
    page = browser.new_page(viewport=VIEWPORTS[size], locale="vi-VN")  # type: ignore[arg-type]
    page.set_default_timeout(10_000)
    log_in(page, base, world.cam_thuy_officer)
    page.goto(f"{base}/directives/inbox/")
    rows = page.locator(".inbox-table tbody tr")
    # To the district as a whole, and to its culture office
    assert rows.count() == 2
    assert "6389/UBND-KGVX" in rows.first.inner_text()
    shoot(page, f"directives-inbox-{size}")
    assert fits_the_screen(page), too_wide(page)

    page.goto(f"{base}/directives/{district.pk}/")
    assert page.get_by_text("Số buổi tuyên truyền").is_visible()
    shoot(page, f"directives-detail-district-{size}")
    assert fits_the_screen(page), too_wide(page)

    # "Issue an implementing directive": two bodies to issue for, then a prefilled form
    page.goto(f"{base}/directives/new/?implements={province.pk}")
    page.locator(f"#issuer-{world.ubnd_cam_thuy.pk}").check()
    page.locator("form.narrow-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#id_subject").input_value().startswith("Triển khai")
    assert page.locator("input[name=cited]:checked").count() == 2
    shoot(page, f"directives-form-implementing-{size}")
    assert fits_the_screen(page), too_wide(page)
    page.close()

    # A commune: its copy of the district's letter, and the report form
    page = browser.new_page(viewport=VIEWPORTS[size], locale="vi-VN")  # type: ignore[arg-type]
    page.set_default_timeout(10_000)
    log_in(page, base, world.cam_thanh_staff)
    page.goto(f"{base}/directives/inbox/")
    page.locator(".inbox-table tbody a").first.click()
    page.wait_for_load_state()
    assert "1067/UBND-VHTT" in page.locator("article.letter").inner_text()
    shoot(page, f"directives-receipt-{size}")
    assert fits_the_screen(page), too_wide(page)
    page.locator("a[href$='/report/']").first.click()
    page.wait_for_load_state()
    assert page.locator("input[name=figures-0-label]").is_visible()
    shoot(page, f"directives-report-form-{size}")
    assert fits_the_screen(page), too_wide(page)
    page.close()


def _asks(given: World) -> dict[str, Any]:
    """A district letter carrying out the provincial police's letter on paper: the culture
    office works with the police (outside the portal), the communes review fake pages and
    report how many they found; Cẩm Ngọc has reported."""
    tree: Tree = given.tree
    letter = services.directive_create(
        issuer=given.ubnd_cam_thuy,
        by=given.cam_thuy_officer,
        fields={
            "number": "233",
            "symbol": "UBND-VHTT",
            "place": "Cẩm Thủy",
            "subject": "Rà soát, xử lý các trang mạng xã hội mạo danh cơ quan, tổ chức",
            "body": "Ủy ban nhân dân huyện yêu cầu các cơ quan, đơn vị thực hiện:",
            "report_deadline": date(2024, 2, 10),
        },
        instructions=[
            "Phòng Văn hóa và Thông tin phối hợp Công an huyện theo dõi, xử lý thông tin sai "
            "sự thật trên mạng xã hội.",
            "Ủy ban nhân dân các xã rà soát, phát hiện các trang mạo danh cơ quan, đơn vị; "
            "báo cáo số trang đã rà soát và số trang mạo danh phát hiện.",
        ],
        recipients=services.Recipients(
            named=[
                services.NamedGroupSpec(
                    name="Phòng Văn hóa và Thông tin huyện",
                    kind="state_bodies",
                    bodies=[tree.vhtt_cam_thuy],
                    tasks=[1],
                ),
                services.NamedGroupSpec(
                    name="Công an huyện Cẩm Thủy", kind="armed_forces", tasks=[1]
                ),
                services.NamedGroupSpec(
                    name="Ủy ban nhân dân các xã, thị trấn",
                    kind="peoples_committees",
                    level_groups=[services.RecipientGroup(tree.cam_thuy, given.commune_level)],
                    tasks=[2],
                ),
            ]
        ),
        asked_figures=[
            services.FigureSpec("pages-reviewed", "Số trang đã rà soát", "trang", task=2),
            services.FigureSpec("fake-pages", "Số trang mạo danh phát hiện", "trang", task=2),
        ],
        paper=services.PaperSpec(
            reference="5028/CAT-ANMCNC",
            issued_on=date(2024, 1, 10),
            issuer_name="Công an tỉnh Thanh Hóa",
            subject="Phối hợp quản lý hoạt động sử dụng mạng xã hội",
        ),
    )
    letter = services.directive_issue(letter, by=given.cam_thuy_officer, today=date(2024, 1, 25))
    services.report_submit(
        letter.receipts.get(unit=tree.cam_ngoc),
        by=given.cam_ngoc_staff,
        text="Đã rà soát các trang mạng xã hội trên địa bàn xã.",
        asked={"pages-reviewed": Decimal(12), "fake-pages": Decimal(1)},
    )
    return {"letter": letter}


@pytest.mark.parametrize("size", VIEWPORTS)
def test_groups_tasks_figures_and_a_paper_root_in_a_browser(
    browser: Browser,
    live_server: Any,
    world: World,  # noqa: F811
    size: str,
) -> None:
    letter: Directive = _asks(world)["letter"]
    base = live_server.url
    page = browser.new_page(viewport=VIEWPORTS[size], locale="vi-VN")  # type: ignore[arg-type]
    page.set_default_timeout(10_000)

    # A commune: its own task first, and the report form asks its two figures
    log_in(page, base, world.cam_thanh_staff)
    page.goto(f"{base}/directives/inbox/")
    assert (
        "2. Ủy ban nhân dân các xã rà soát"
        in page.locator(".inbox-table__tasks").first.inner_text()
    )
    page.locator(".inbox-table tbody a").first.click()
    page.wait_for_load_state()
    tasks = page.locator(".receipt-tasks")
    assert tasks.get_by_text("Ủy ban nhân dân các xã, thị trấn").is_visible()
    assert "Số trang mạo danh phát hiện" in tasks.inner_text()
    assert "Công an huyện Cẩm Thủy" in page.locator("article.letter").inner_text()
    shoot(page, f"directives-receipt-tasks-{size}")
    assert fits_the_screen(page), too_wide(page)
    page.locator("a[href$='/report/']").first.click()
    page.wait_for_load_state()
    assert page.locator("input[name='asked_fake-pages']").is_visible()
    shoot(page, f"directives-report-asked-{size}")
    assert fits_the_screen(page), too_wide(page)
    page.close()

    # The district: the chain's root on paper and the figures reported so far
    page = browser.new_page(viewport=VIEWPORTS[size], locale="vi-VN")  # type: ignore[arg-type]
    page.set_default_timeout(10_000)
    log_in(page, base, world.cam_thuy_officer)
    page.goto(f"{base}/directives/{letter.pk}/chain/")
    assert "5028/CAT-ANMCNC" in page.locator(".chain-paper").inner_text()
    totals = page.locator(".chain-totals").inner_text()
    assert "Số trang đã rà soát" in totals
    assert "12 trang" in totals
    shoot(page, f"directives-chain-figures-{size}")
    assert fits_the_screen(page), too_wide(page)
    page.goto(f"{base}/directives/{letter.pk}/")
    assert page.locator(".group-list").get_by_text("Công an huyện Cẩm Thủy").is_visible()
    shoot(page, f"directives-detail-groups-{size}")
    assert fits_the_screen(page), too_wide(page)
    page.close()
