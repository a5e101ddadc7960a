"""The main pages in a real Chromium, at laptop and phone sizes, with screenshots.

Screenshots land in ``test-artifacts/screenshots/`` (git-ignored) for a person to look at;
the assertions check what a user would check: the page loads, says the right things,
keeps its layout within the screen width, and hides what is out of scope.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from playwright.sync_api import Browser

from tests import factories
from tests.accounts_registry.factories_public import page as registered_page
from tests.browser.support import VIEWPORTS, fits_the_screen, log_in, shoot
from tests.conftest import Tree
from units.models import AdministrativeUnit, BodyKind

pytestmark = [
    pytest.mark.browser,
    # live_server serves another thread: the data must be committed, and the levels that a
    # migration installed must come back for the tests that run after this one.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migrated_data"),
]


def registry_page(body: Any) -> None:
    """An approved page with a long address, so that the body's table is wider than a phone."""
    registered_page(
        body,
        "https://www.facebook.com/ubnd.xa.cam.ngoc.huyen.cam.thuy.tinh.thanh.hoa",
        display_name="Trang thông tin điện tử Ủy ban nhân dân xã Cẩm Ngọc",
    )


def enrich(tree: Tree) -> None:
    """Give the pages realistic content: contacts, a supervisor, a merged commune."""
    body = tree.ubnd_cam_ngoc
    body.phone = "0237 3876 123"
    body.short_name = "UBND xã Cẩm Ngọc"
    body.address = "Thôn Cẩm Hoa, xã Cẩm Ngọc, huyện Cẩm Thủy, tỉnh Thanh Hóa"
    body.supervising_body = tree.vhtt_cam_thuy
    body.save()
    factories.BodyFactory.create(
        unit=tree.cam_ngoc, name="Hội Liên hiệp Phụ nữ xã Cẩm Ngọc", kind=BodyKind.MASS_ORGANISATION
    )
    factories.BodyFactory.create(
        unit=tree.cam_ngoc,
        name="Đoàn Thanh niên Cộng sản Hồ Chí Minh xã Cẩm Ngọc",
        kind=BodyKind.MASS_ORGANISATION,
        email="",
    )
    for n, name in enumerate(["Xã Cẩm Tâm", "Xã Cẩm Vân", "Thị trấn Phong Sơn", "Xã Cẩm Yên"]):
        factories.commune(tree.cam_thuy, name, code=f"150{20 + n}")
    AdministrativeUnit.objects.filter(pk=tree.cam_thanh.pk).update(
        valid_until=date(2025, 6, 30), succeeded_by=tree.cam_ngoc
    )


@pytest.mark.parametrize("size", VIEWPORTS)
def test_commune_staff_pages_in_a_browser(
    browser: Browser, live_server: Any, tree: Tree, size: str
) -> None:
    enrich(tree)
    user = factories.staff_of(tree.ubnd_cam_ngoc, username="hoa", full_name="Lê Thị Hoa")
    page = browser.new_page(viewport=VIEWPORTS[size], locale="vi-VN")  # type: ignore[arg-type]
    page.set_default_timeout(10_000)
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "vi"
    shoot(page, f"login-{size}")
    log_in(page, base, user)

    assert page.get_by_role("heading", name="Xin chào, Lê Thị Hoa").is_visible()
    assert page.get_by_role("link", name="UBND Xã Cẩm Ngọc").first.is_visible()
    assert fits_the_screen(page)
    shoot(page, f"staff-home-{size}")

    page.goto(f"{base}/units/bodies/{tree.ubnd_cam_ngoc.pk}/")
    assert page.get_by_role("heading", name="UBND Xã Cẩm Ngọc", level=1).is_visible()
    assert page.get_by_text("0237 3876 123").is_visible()
    assert fits_the_screen(page)
    shoot(page, f"staff-body-detail-{size}")

    # The body's pages, contacts and rules: a wide table scrolls in its box, not the page
    # (a visually hidden column label once escaped the box and pushed a phone to 539 px)
    registry_page(tree.ubnd_cam_ngoc)
    response = page.goto(f"{base}/registry/bodies/{tree.ubnd_cam_ngoc.pk}/")
    assert response is not None
    assert response.status == 200
    assert page.locator(".table-wrap[aria-labelledby=pages-title]").is_visible()
    assert fits_the_screen(page)
    shoot(page, f"staff-body-registry-{size}")

    page.goto(f"{base}/")
    page.get_by_role("main").get_by_role("link", name="Đổi mật khẩu").click()
    assert page.get_by_role("heading", name="Đổi mật khẩu").is_visible()
    shoot(page, f"password-change-{size}")

    page.goto(f"{base}/units/bodies/{tree.ubnd_cam_thanh.pk}/")
    assert page.get_by_role("heading", name="Không tìm thấy trang").is_visible()
    shoot(page, f"staff-404-{size}")
    page.close()


@pytest.mark.parametrize("size", VIEWPORTS)
def test_district_officer_pages_in_a_browser(
    browser: Browser, live_server: Any, tree: Tree, size: str
) -> None:
    enrich(tree)
    user = factories.officer_of(tree.cam_thuy, username="minh", full_name="Trần Văn Minh")
    page = browser.new_page(viewport=VIEWPORTS[size], locale="vi-VN")  # type: ignore[arg-type]
    page.set_default_timeout(10_000)
    base = live_server.url
    log_in(page, base, user)

    assert page.get_by_role("heading", name="Địa bàn bạn phụ trách").is_visible()
    assert fits_the_screen(page)
    shoot(page, f"officer-home-{size}")

    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Đơn vị hành chính"
    ).click()
    page.get_by_label("Tên").fill("cam ngoc")
    page.get_by_role("button", name="Tìm kiếm").click()
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert "Xã Cẩm Ngọc" in rows.first.inner_text()
    assert fits_the_screen(page)
    shoot(page, f"officer-unit-search-{size}")

    page.goto(f"{base}/units/")
    assert page.get_by_text("hiệu lực đến 30/06/2025").is_visible()
    shoot(page, f"officer-unit-list-{size}")

    page.goto(f"{base}/units/{tree.cam_ngoc.pk}/")
    breadcrumbs = page.get_by_role("navigation", name="Đường dẫn")
    assert breadcrumbs.get_by_role("link", name="Huyện Cẩm Thủy").is_visible()
    assert breadcrumbs.get_by_role("link", name="Tỉnh Thanh Hóa").count() == 0
    assert page.get_by_role("link", name="Xã Cẩm Thành").is_visible()
    assert fits_the_screen(page)
    shoot(page, f"officer-unit-detail-{size}")

    page.goto(f"{base}/units/{tree.cam_thuy.pk}/")
    shoot(page, f"officer-district-detail-{size}")

    page.goto(f"{base}/units/bodies/")
    assert page.locator("table tbody tr").count() == 5
    assert fits_the_screen(page)
    shoot(page, f"officer-body-list-{size}")

    page.goto(f"{base}/units/bodies/{tree.ubnd_cam_ngoc.pk}/")
    assert page.get_by_role("link", name="Phòng Văn hóa và Thông tin huyện Cẩm Thủy").is_visible()
    shoot(page, f"officer-body-detail-{size}")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="About this body").is_visible()
    shoot(page, f"officer-body-detail-en-{size}")
    page.close()


@pytest.mark.parametrize("size", VIEWPORTS)
def test_account_pages_in_a_browser(browser: Browser, live_server: Any, size: str) -> None:
    user = factories.UserFactory.create(username=f"lan-{size}")
    page = browser.new_page(viewport=VIEWPORTS[size], locale="vi-VN")  # type: ignore[arg-type]
    page.set_default_timeout(10_000)
    base = live_server.url

    page.goto(f"{base}/accounts/password/reset/")
    assert page.get_by_role("heading", name="Đặt lại mật khẩu").is_visible()
    assert fits_the_screen(page)
    shoot(page, f"password-reset-{size}")

    for attempt in range(5):
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("Tên đăng nhập").fill(user.username)
        page.get_by_label("Mật khẩu").fill(f"wrong-{attempt}")
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_load_state()
    assert page.get_by_role("heading", name="Tài khoản tạm khóa").is_visible()
    assert fits_the_screen(page)
    shoot(page, f"locked-out-{size}")
    page.close()
