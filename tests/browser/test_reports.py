"""The report pages in a real Chromium, at laptop and phone sizes, with screenshots.

A commune officer fills in her commune's report (a count that cannot be true is refused
first) and submits it; the district office finds it in its review queue and accepts it;
the province builds the period and watches the progress bar move. Screenshots land in
``test-artifacts/screenshots/reports-*.png`` for a person to look at.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page

from accounts_registry.models import PageState
from legal.services import load_defaults
from reports.build import build_period
from reports.models import BuildRun, PeriodKind, ReportState, UnitReport
from reports.periods import ensure_period
from reports.tasks import build_period_task
from tests import factories
from tests.accounts_registry.factories_pages import page as registered_page
from tests.browser.support import VIEWPORTS, fits_the_screen, log_in, shoot, too_wide
from tests.conftest import Tree

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migrated_data"),
]


def _open(browser: Browser, base: str, user: Any, size: str) -> Page:
    page = browser.new_page(viewport=VIEWPORTS[size], locale="vi-VN")  # type: ignore[arg-type]
    page.set_default_timeout(10_000)
    log_in(page, base, user)
    return page


def _check(page: Page, name: str, size: str) -> None:
    shoot(page, f"reports-{name}-{size}")
    assert fits_the_screen(page), too_wide(page)


@pytest.mark.parametrize("size", VIEWPORTS)
def test_a_commune_submits_its_report_and_the_district_accepts_it(
    browser: Browser,
    live_server: Any,
    tree: Tree,
    size: str,
) -> None:
    load_defaults()
    for name, state in [
        ("UBND xã Cẩm Ngọc", PageState.APPROVED),
        ("Tuổi trẻ Cẩm Ngọc", PageState.APPROVED),
        ("Cẩm Ngọc quê hương", PageState.DRAFT),
    ]:
        registered_page(tree.ubnd_cam_ngoc, state=state, display_name=name)
    for n, name in enumerate(["Xã Cẩm Tâm", "Xã Cẩm Vân", "Thị trấn Phong Sơn"]):
        unit = factories.commune(tree.cam_thuy, name, code=f"150{20 + n}")
        factories.BodyFactory.create(unit=unit, name=f"UBND {name}")
    period = ensure_period(PeriodKind.QUARTERLY, timezone.localdate())
    build_period(period)
    commune_officer = factories.officer_of(tree.cam_ngoc, full_name="Bùi Thị Lan")
    district_officer = factories.officer_of(tree.cam_thuy, full_name="Trịnh Văn Nam")
    province_officer = factories.officer_of(tree.thanh_hoa, full_name="Lê Thị Thu Hà")
    report = UnitReport.objects.get(unit=tree.cam_ngoc, period=period)
    base = live_server.url

    # The commune: its report waits on top of the list, to fill in
    page = _open(browser, base, commune_officer, size)
    page.goto(f"{base}/reports/")
    assert page.locator(f".report-todo [data-report='{report.pk}']").is_visible()
    _check(page, "list-commune", size)
    page.locator(f".report-todo a[href='/reports/{report.pk}/edit/']").click()
    page.wait_for_load_state()

    # A count that cannot be true is refused on its field
    page.locator("#id_info_consistent_0").check()
    page.locator("#id_security_measures_0").check()
    for name, value in [
        ("impersonation_scans", "3"),
        ("fake_pages_found", "1"),
        ("dissemination_sessions", "0"),
        ("participants", "45"),
        ("positive_posts", "12"),
        ("comments_answered", "7"),
    ]:
        page.locator(f"#id_{name}").fill(value)
    page.locator("#id_achievements").fill(
        "Đã tổ chức phổ biến Bộ Quy tắc ứng xử cho cán bộ, công chức xã; rà soát và phát "
        "hiện 01 trang mạo danh, đã báo cáo Phòng Văn hóa và Thông tin."
    )
    page.locator("[data-action=save]").click()
    page.wait_for_load_state()
    assert page.locator(".field--error #id_participants").is_visible()
    _check(page, "form-error", size)

    # Corrected, saved and submitted through the confirmation
    page.locator("#id_dissemination_sessions").fill("2")
    page.locator("[data-action=save-submit]").click()
    page.wait_for_url(f"**/reports/{report.pk}/submit/")
    _check(page, "submit-confirm", size)
    page.locator("[data-action=confirm-submit]").click()
    page.wait_for_url(f"**/reports/{report.pk}/")
    assert page.locator(".report-head [data-state=submitted]").is_visible()
    _check(page, "detail-submitted", size)
    page.close()

    # The district: the report is in its review queue; it accepts it with a note
    page = _open(browser, base, district_officer, size)
    page.goto(f"{base}/reports/")
    assert page.locator(f".report-queue [data-report='{report.pk}']").is_visible()
    _check(page, "list-district", size)
    page.locator(f".report-queue [data-report='{report.pk}'] .report-queue__action").click()
    page.wait_for_load_state()
    _check(page, "detail-review", size)
    page.locator("#accept_note").fill("Báo cáo đầy đủ, đúng hạn.")
    page.locator("[data-action=accept]").click()
    page.wait_for_load_state()
    assert page.locator(".report-head [data-state=accepted]").is_visible()
    assert page.locator(".report-history__step[data-to=accepted]").is_visible()
    _check(page, "detail-accepted", size)
    report.refresh_from_db()
    assert report.state == ReportState.ACCEPTED
    page.close()

    # The province: the period's deadlines, and a build whose bar follows the worker
    page = _open(browser, base, province_officer, size)
    page.goto(f"{base}/reports/periods/{period.pk}/")
    page.locator(".build-form button").click()
    page.wait_for_load_state()
    panel = page.locator(".build-panel")
    assert panel.get_attribute("data-build-state") == "queued"
    assert page.locator(".build-progress__bar").is_visible()
    run = BuildRun.objects.get(period=period)
    assert build_period_task(run.pk) == "done"
    page.wait_for_selector(".build-panel[data-build-state=done]")
    page.wait_for_load_state()
    page.wait_for_timeout(1500)  # the page reloads itself once the build is done
    assert page.locator(".build-progress__bar").get_attribute("value") == str(
        BuildRun.objects.get(pk=run.pk).total
    )
    _check(page, "period", size)
    page.goto(f"{base}/reports/{UnitReport.objects.get(unit=tree.cam_thuy, period=period).pk}/")
    assert page.locator(f".child-table [data-child='{tree.cam_ngoc.pk}'] a").is_visible()
    _check(page, "detail-district", size)
    page.close()
