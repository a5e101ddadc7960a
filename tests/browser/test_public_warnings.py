"""A hijacked page on the public pages, and the Code's pages, in a real Chromium.

Screenshots land in ``test-artifacts/screenshots/public-*.png`` and ``legal-*.png``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser

from incidents import services as incident_services
from incidents.models import IncidentKind
from legal.services import load_defaults
from tests import factories
from tests.accounts_registry import factories_public
from tests.browser.support import VIEWPORTS, fits_the_screen, shoot
from tests.conftest import Tree

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migrated_data"),
]

FB_URL = "https://www.facebook.com/ubndxacamngoc"
ZALO_URL = "https://zalo.me/1234567890123456789"


@pytest.mark.parametrize("size", VIEWPORTS)
def test_a_citizen_is_warned_about_a_hijacked_page(
    browser: Browser, live_server: Any, tree: Tree, size: str
) -> None:
    # Given the commune lost control of its Facebook page; its Zalo OA is fine
    page_fb = factories_public.page(tree.ubnd_cam_ngoc, FB_URL, display_name="UBND xã Cẩm Ngọc")
    factories_public.page(
        tree.ubnd_cam_ngoc, ZALO_URL, platform="zalo", display_name="Zalo OA xã Cẩm Ngọc"
    )
    factories_public.page(tree.ubnd_cam_thanh, "https://www.facebook.com/ubndxacamthanh")
    incident_services.incident_report(
        body=tree.ubnd_cam_ngoc,
        kind=IncidentKind.LOST_CONTROL,
        page=page_fb,
        description="Mật khẩu bị đổi.",
        discovered_at=datetime(2026, 11, 20, 8, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
        by=factories.staff_of(tree.ubnd_cam_ngoc),
    )
    browser_page = browser.new_page(viewport=VIEWPORTS[size], locale="vi-VN")  # type: ignore[arg-type]
    browser_page.set_default_timeout(10_000)
    base = live_server.url

    # When a citizen checks the page
    browser_page.goto(f"{base}/verify/?url={FB_URL}")

    # Then the verdict warns plainly and points to the page still in the body's hands
    heading = browser_page.get_by_role("heading", level=2).first
    assert "mất quyền kiểm soát" in heading.inner_text()
    assert browser_page.get_by_role("link", name="Zalo OA xã Cẩm Ngọc").is_visible()
    assert browser_page.get_by_role("link", name=FB_URL).count() == 0
    assert fits_the_screen(browser_page)
    shoot(browser_page, f"public-verify-lost-control-{size}")

    # And the directory flags the page
    browser_page.goto(f"{base}/directory/?q=cam")
    assert browser_page.get_by_text("đang bị mất quyền kiểm soát").is_visible()
    assert fits_the_screen(browser_page)
    shoot(browser_page, f"public-directory-lost-control-{size}")


@pytest.mark.parametrize("size", VIEWPORTS)
def test_the_code_and_criteria_pages_read_in_vietnamese(
    browser: Browser, live_server: Any, db: None, size: str
) -> None:
    load_defaults()
    browser_page = browser.new_page(viewport=VIEWPORTS[size], locale="en-US")  # type: ignore[arg-type]
    browser_page.set_default_timeout(10_000)
    base = live_server.url

    browser_page.goto(f"{base}/legal/qd874/#qd874.code.d5.k2")
    text = browser_page.locator("main").inner_text()
    assert "Tóm tắt" in text
    assert "Công văn số 6389/UBND-KGVX" in text
    assert "restating the Code" not in text
    assert fits_the_screen(browser_page)
    shoot(browser_page, f"legal-code-{size}")

    browser_page.goto(f"{base}/legal/criteria/")
    text = browser_page.locator("main").inner_text()
    assert "xem xét xây dựng nội quy" in text
    assert "Letters 'encourage'" not in text
    assert fits_the_screen(browser_page)
    shoot(browser_page, f"legal-criteria-{size}")
