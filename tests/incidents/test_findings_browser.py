"""A monitoring finding in a real Chromium, at laptop and phone sizes: the officer records
the finding from the body's page, the body answers it; every page stays within the screen
width. (The fake-page review's journey is in tests/reports/test_fake_page_reviews_browser.py.)"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser

from incidents.models import FindingState, MonitoringFinding
from tests import factories
from tests.browser.support import VIEWPORTS, fits_the_screen, log_in, shoot
from tests.conftest import Tree

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migrated_data"),
]


@pytest.mark.parametrize("size", VIEWPORTS)
def test_a_finding_in_a_browser(browser: Browser, live_server: Any, tree: Tree, size: str) -> None:
    today = timezone.localdate()
    officer = factories.officer_of(tree.cam_thuy, username="vhtt", full_name="Trịnh Văn Nam")
    staff = factories.staff_of(tree.ubnd_cam_ngoc, username="hoa", full_name="Lê Thị Hoa")
    base = live_server.url

    page = browser.new_page(viewport=VIEWPORTS[size], locale="vi-VN")  # type: ignore[arg-type]
    page.set_default_timeout(10_000)
    log_in(page, base, officer)
    page.goto(f"{base}/registry/bodies/{tree.ubnd_cam_ngoc.pk}/")
    assert fits_the_screen(page)
    page.get_by_role("link", name="Ghi nhận kết quả giám sát").click()
    page.get_by_label("Nguồn phát hiện").select_option("ministry")
    page.get_by_label("Văn bản nêu kết quả").fill("1332/STTTT-TTBCXB")
    page.get_by_label("Ngày phát hiện").fill(today.strftime("%d/%m/%Y"))
    page.get_by_label("Loại tồn tại").select_option("not_verified")
    page.get_by_label("Nội dung phát hiện").fill("Trang chưa được xác thực tên hiệu.")
    page.get_by_label("Yêu cầu khắc phục").fill("Đăng ký xác thực với Facebook.")
    page.get_by_label("Hạn khắc phục").fill((today + timedelta(days=10)).strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Ghi nhận kết quả").click()
    assert page.get_by_role("heading", name="Kết quả giám sát #").is_visible()
    assert fits_the_screen(page)
    shoot(page, f"finding-officer-{size}")
    finding = MonitoringFinding.objects.get()
    page.context.clear_cookies()

    log_in(page, base, staff)
    page.goto(f"{base}/incidents/findings/{finding.pk}/")
    page.get_by_role("textbox", name="Kết quả khắc phục").fill(
        "Đã gửi hồ sơ xác thực cho Facebook."
    )
    page.get_by_role("button", name="Gửi đơn vị phát hiện").click()
    assert page.get_by_text("Đã báo cáo khắc phục").first.is_visible()
    assert fits_the_screen(page)
    shoot(page, f"finding-body-{size}")
    finding.refresh_from_db()
    assert finding.state == FindingState.REMEDIATED
