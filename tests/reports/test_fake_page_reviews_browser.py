"""The fake-page review in a real Chromium, at laptop and phone sizes: the commune records
its review of the quarter, sees it on its unit's page, and finds its figures offered on its
report's fill-in form; every page stays within the screen width."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser

from reports.build import build_period
from reports.models import FakePageReview, PeriodKind, UnitReport
from reports.periods import ensure_period
from tests import factories
from tests.browser.support import VIEWPORTS, fits_the_screen, log_in, shoot
from tests.conftest import Tree

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migrated_data"),
]


@pytest.mark.parametrize("size", VIEWPORTS)
def test_a_review_recorded_then_offered_on_the_report(
    browser: Browser, live_server: Any, tree: Tree, size: str
) -> None:
    period = ensure_period(PeriodKind.QUARTERLY, timezone.localdate())
    build_period(period, unit_ids=[tree.cam_ngoc.pk])
    report = UnitReport.objects.get(unit=tree.cam_ngoc, period=period)
    commune = factories.officer_of(tree.cam_ngoc, username="vhxh", full_name="Bùi Thị Lan")
    base = live_server.url

    page = browser.new_page(viewport=VIEWPORTS[size], locale="vi-VN")  # type: ignore[arg-type]
    page.set_default_timeout(10_000)
    log_in(page, base, commune)
    page.goto(f"{base}/reports/fake-page-reviews/")
    page.get_by_label("Đơn vị").select_option(str(tree.cam_ngoc.pk))
    page.get_by_label("Kỳ báo cáo").select_option(str(period.pk))
    page.get_by_label("Số lần rà soát").fill("5")
    page.get_by_label("Số trang mạo danh phát hiện").fill("1")
    page.get_by_label("Đã báo nền tảng").fill("1")
    page.get_by_label("Số trang đã bị gỡ").fill("0")
    page.get_by_role("button", name="Lưu kết quả rà soát").click()
    assert fits_the_screen(page)
    shoot(page, f"fake-page-reviews-{size}")
    assert FakePageReview.objects.get().scans_done == 5

    page.goto(f"{base}/units/{tree.cam_ngoc.pk}/")
    assert page.get_by_role("heading", name="Rà soát trang mạo danh").is_visible()
    assert fits_the_screen(page)

    page.goto(f"{base}/reports/{report.pk}/edit/")
    assert page.get_by_text("Lấy từ kết quả rà soát trang giả mạo").is_visible()
    assert page.locator("#id_impersonation_scans").input_value() == "5"
    assert page.locator("#id_fake_pages_found").input_value() == "1"
    assert fits_the_screen(page)
    shoot(page, f"report-form-prefilled-{size}")
