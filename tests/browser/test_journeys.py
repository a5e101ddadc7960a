"""Whole journeys through the portal in a real Chromium, one person after another.

The other browser tests look at pages one at a time; these follow the work as it moves
between people: a commune registers a page and the district sends it back, then approves
it; a district returns a commune's report and accepts it once corrected; the province
downloads a district's report in three formats; a citizen checks a link and reports a fake.
Screenshots land in ``test-artifacts/screenshots/journey-*.png`` for a person to look at.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, FilePayload, Page

from accounts_registry.models import ContactPerson, PageState, PostingRules, SocialPage
from incidents.models import Incident
from legal.services import load_defaults
from reports import services as report_services
from reports.build import build_period
from reports.models import PeriodKind, ReportingPeriod, ReportState, UnitReport
from reports.periods import ensure_period
from tests import factories
from tests.accounts_registry.factories_bodies import TINY_PDF
from tests.accounts_registry.factories_pages import page as registered_page
from tests.browser.support import VIEWPORTS, fits_the_screen, log_in, shoot, too_wide
from tests.conftest import Tree
from users.models import User

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migrated_data"),
]

DECLARATIONS: dict[str, Any] = {
    "info_consistent": True,
    "security_measures": True,
    "impersonation_scans": 3,
    "fake_pages_found": 1,
    "dissemination_sessions": 2,
    "participants": 45,
    "positive_posts": 12,
    "comments_answered": 7,
}


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> Path:
    """Uploaded rules and exported files go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _open(browser: Browser, base: str, user: User | None, size: str = "laptop") -> Page:
    page = browser.new_page(viewport=VIEWPORTS[size], locale="vi-VN", accept_downloads=True)  # type: ignore[arg-type]
    page.set_default_timeout(10_000)
    if user is not None:
        log_in(page, base, user)
    return page


def _check(page: Page, name: str, size: str = "laptop") -> None:
    shoot(page, f"journey-{name}-{size}")
    assert fits_the_screen(page), too_wide(page)


def _post_and_wait(page: Page, button: Any) -> None:
    """Click a button that posts a form and wait for the page it leads to."""
    with page.expect_navigation():
        button.click()


def test_a_commune_registers_a_page_the_district_returns_it_then_approves_it(
    browser: Browser,
    live_server: Any,
    tree: Tree,
) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc, full_name="Lê Thị Hoa")
    officer = factories.officer_of(tree.cam_thuy, full_name="Trịnh Văn Nam")
    body = tree.ubnd_cam_ngoc
    base = live_server.url

    # The commune staff registers the page from the list of pages
    page = _open(browser, base, staff)
    page.goto(f"{base}/registry/pages/")
    page.locator("main a[href='/registry/pages/new/']").first.click()
    page.wait_for_url("**/registry/pages/new/")
    page.locator("#id_platform").select_option(label="Facebook (trang)")
    page.locator("#id_url").fill("https://www.facebook.com/ubndxacamngoc")
    page.locator("#id_display_name").fill("UBND xã Cẩm Ngọc")
    page.locator("#id_responsible_unit").fill("Văn phòng HĐND-UBND xã")
    page.locator("#id_set_up_on").fill("15/03/2021")
    _check(page, "page-register")
    _post_and_wait(page, page.get_by_role("button", name="Đăng ký", exact=True))
    registered = SocialPage.objects.get(url__contains="ubndxacamngoc")
    assert page.url.endswith(f"/registry/pages/{registered.pk}/")
    assert registered.state == PageState.DRAFT
    assert registered.body == body
    assert registered.set_up_on == date(2021, 3, 15)
    assert page.locator(".badge--state-draft").is_visible()

    # ... and submits it for review
    _post_and_wait(page, page.get_by_role("button", name="Gửi duyệt"))
    assert page.locator(".badge--state-submitted").is_visible()
    _check(page, "page-submitted")

    # A contact person for the body, and its posting rules (a real PDF)
    page.goto(f"{base}/registry/bodies/{body.pk}/")
    contact = page.locator("form[action$='/contact/']")
    contact.locator("#id_name").fill("Nguyễn Thị Hoa")
    contact.locator("#id_position").fill("Công chức Văn phòng - Thống kê")
    contact.locator("#id_phone").fill("0912 345 678")
    contact.locator("#id_notice_number").fill("15/UBND-VP")
    contact.locator("#id_notice_date").fill("01/03/2026")
    _post_and_wait(page, page.get_by_role("button", name="Lưu đầu mối liên lạc"))
    recorded = ContactPerson.objects.get(body=body, name="Nguyễn Thị Hoa")
    assert recorded.notice_date == date(2026, 3, 1)
    assert page.locator(f"a[href='tel:{recorded.phone}']").first.is_visible()
    rules = page.locator("form[action$='/rules/']")
    rules.locator("#id_document_number").fill("12/QĐ-UBND")
    rules.locator("#id_issued_on").fill("02/05/2024")
    rules.locator("#id_signed_by").fill("Chủ tịch UBND xã")
    rules_file: FilePayload = {
        "name": "Nội quy đăng tin.pdf",
        "mimeType": "application/pdf",
        "buffer": TINY_PDF,
    }
    rules.locator("#id_file").set_input_files(rules_file)
    _post_and_wait(page, page.get_by_role("button", name="Tải lên", exact=True))
    stored = PostingRules.objects.get(body=body)
    assert stored.document_number == "12/QĐ-UBND"
    assert stored.size == len(TINY_PDF)
    download = page.locator(f"a[href$='/rules/{stored.pk}/download/']")
    assert download.inner_text().strip() == "Nội quy đăng tin.pdf"
    _check(page, "body-contact-rules")
    page.close()

    # The district returns the page with a note
    page = _open(browser, base, officer)
    page.goto(f"{base}/registry/pages/{registered.pk}/")
    page.locator("#review-note").fill("Đề nghị ghi rõ mã định danh của trang.")
    _check(page, "page-review")
    _post_and_wait(page, page.get_by_role("button", name="Trả lại kèm ý kiến"))
    assert page.locator(".badge--state-returned").is_visible()
    page.close()

    # The staff sees the note, adds the missing id and submits again
    page = _open(browser, base, staff)
    page.goto(f"{base}/registry/pages/{registered.pk}/")
    note = page.locator(".callout--warning").filter(has_text="mã định danh")
    assert note.is_visible()
    _check(page, "page-returned")
    page.locator(f"a[href='/registry/pages/{registered.pk}/edit/']").click()
    page.wait_for_url(f"**/registry/pages/{registered.pk}/edit/")
    assert page.locator(".callout--warning").filter(has_text="mã định danh").is_visible()
    page.locator("#id_permanent_id").fill("100064612345678")
    _post_and_wait(page, page.get_by_role("button", name="Lưu", exact=True))
    _post_and_wait(page, page.get_by_role("button", name="Gửi duyệt"))
    assert page.locator(".badge--state-submitted").is_visible()
    page.close()

    # The district approves it
    page = _open(browser, base, officer)
    page.goto(f"{base}/registry/pages/{registered.pk}/")
    _post_and_wait(page, page.get_by_role("button", name="Phê duyệt"))
    assert page.locator(".badge--state-approved").is_visible()
    assert page.locator(".timeline__note").filter(has_text="mã định danh").is_visible()
    _check(page, "page-approved")
    registered.refresh_from_db()
    assert registered.state == PageState.APPROVED
    assert registered.permanent_id == "100064612345678"
    page.close()


def _quarter(tree: Tree) -> ReportingPeriod:
    load_defaults()
    registered_page(tree.ubnd_cam_ngoc, state=PageState.APPROVED, display_name="UBND xã Cẩm Ngọc")
    period = ensure_period(PeriodKind.QUARTERLY, timezone.localdate())
    build_period(period)
    return period


def _submitted(unit: Any, period: ReportingPeriod, by: User, **fields: Any) -> UnitReport:
    report = UnitReport.objects.get(unit=unit, period=period)
    report_services.report_update(report=report, by=by, **DECLARATIONS, **fields)
    return report_services.report_submit(report=report, by=by)


def test_the_district_returns_a_commune_report_then_accepts_it(
    browser: Browser,
    live_server: Any,
    tree: Tree,
) -> None:
    period = _quarter(tree)
    commune_officer = factories.officer_of(tree.cam_ngoc, full_name="Bùi Thị Lan")
    district_officer = factories.officer_of(tree.cam_thuy, full_name="Trịnh Văn Nam")
    report = _submitted(tree.cam_ngoc, period, commune_officer)
    base = live_server.url

    # The district returns it, saying what to correct
    page = _open(browser, base, district_officer)
    page.goto(f"{base}/reports/")
    page.locator(f".report-queue [data-report='{report.pk}'] .report-queue__action").click()
    page.wait_for_url(f"**/reports/{report.pk}/")
    page.locator("#return_note").fill("Số người tham gia phổ biến chưa khớp với biên bản.")
    _post_and_wait(page, page.locator("[data-action=return]"))
    assert page.locator(".report-head [data-state=returned]").is_visible()
    _check(page, "report-returned-district")
    page.close()

    # The commune sees the note, corrects the count and submits again
    page = _open(browser, base, commune_officer)
    page.goto(f"{base}/reports/{report.pk}/")
    assert page.locator(".review-note").filter(has_text="chưa khớp với biên bản").is_visible()
    _check(page, "report-returned-commune")
    page.locator("[data-action=edit]").click()
    page.wait_for_url(f"**/reports/{report.pk}/edit/")
    page.locator("#id_participants").fill("52")
    page.locator("[data-action=save-submit]").click()
    page.wait_for_url(f"**/reports/{report.pk}/submit/")
    page.locator("[data-action=confirm-submit]").click()
    page.wait_for_url(f"**/reports/{report.pk}/")
    assert page.locator(".report-head [data-state=submitted]").is_visible()
    page.close()

    # The district accepts the corrected report
    page = _open(browser, base, district_officer)
    page.goto(f"{base}/reports/{report.pk}/")
    page.locator("#accept_note").fill("Đã chỉnh sửa đúng.")
    _post_and_wait(page, page.locator("[data-action=accept]"))
    assert page.locator(".report-head [data-state=accepted]").is_visible()
    assert page.locator(".report-history__step[data-to=returned]").is_visible()
    _check(page, "report-accepted")
    report.refresh_from_db()
    assert report.state == ReportState.ACCEPTED
    assert report.participants == 52
    page.close()


def test_the_province_downloads_a_district_report_in_three_formats(
    browser: Browser,
    live_server: Any,
    tree: Tree,
) -> None:
    period = _quarter(tree)
    commune_officer = factories.officer_of(tree.cam_ngoc)
    district_officer = factories.officer_of(tree.cam_thuy)
    province_officer = factories.officer_of(tree.thanh_hoa, full_name="Lê Thị Thu Hà")
    commune = _submitted(tree.cam_ngoc, period, commune_officer)
    report_services.report_accept(report=commune, by=district_officer)
    district = _submitted(
        tree.cam_thuy,
        period,
        district_officer,
        missing_children_reason="Xã Cẩm Thành đã sáp nhập vào xã Cẩm Ngọc.",
    )
    district = report_services.report_accept(report=district, by=province_officer)
    base = live_server.url

    page = _open(browser, base, province_officer)
    page.goto(f"{base}/reports/{district.pk}/")
    assert page.locator(".report-head [data-state=accepted]").is_visible()
    _check(page, "province-district-report")
    magic = {"xlsx": b"PK", "docx": b"PK", "pdf": b"%PDF"}
    for fmt, start in magic.items():
        with page.expect_download() as info:
            page.locator(
                f"[data-report-exports='{district.pk}'] [data-export-format={fmt}]"
            ).click()
        download = info.value
        assert download.suggested_filename.endswith(f".{fmt}")
        content = Path(download.path()).read_bytes()
        assert len(content) > 100, fmt
        assert content.startswith(start), (fmt, content[:8])
    page.close()


@pytest.mark.parametrize("size", VIEWPORTS)
def test_a_citizen_checks_links_and_reports_a_fake_page(
    browser: Browser,
    live_server: Any,
    tree: Tree,
    size: str,
) -> None:
    registered_page(
        tree.ubnd_cam_ngoc,
        state=PageState.APPROVED,
        url="https://www.facebook.com/ubndxacamngoc",
        display_name="UBND xã Cẩm Ngọc",
    )
    base = live_server.url
    page = _open(browser, base, None, size)

    # An official page, pasted as people copy it from the app
    page.goto(f"{base}/verify/")
    page.locator("#verify-url").fill("facebook.com/ubndxacamngoc?mibextid=ZbWKwL")
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    page.wait_for_selector("#verdict")
    assert page.locator(".verdict--official").is_visible()
    assert page.locator(".verdict__facts").filter(has_text="UBND xã Cẩm Ngọc").is_visible()
    _check(page, "verify-official", size)

    # An address nobody registered: a warning, and a way to report it
    fake = "https://www.facebook.com/ubnd.camngoc.hotro"
    page.locator("#verify-url").fill(fake)
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    page.wait_for_selector(".verdict--not_registered")
    assert page.locator(".verdict__url code").inner_text() == fake
    _check(page, "verify-unknown", size)
    page.locator(".verdict__report a").click()
    page.wait_for_url("**/incidents/report/**")
    assert page.locator("#id_url").input_value() == fake
    page.locator("#id_body").select_option(str(tree.ubnd_cam_ngoc.pk))
    page.locator("#id_description").fill(
        "Trang này dùng logo của UBND xã và nhắn tin xin tiền người dân để làm hồ sơ."
    )
    page.locator("#id_reporter_phone").fill("0987 654 321")
    _check(page, "fake-report-form", size)
    _post_and_wait(page, page.get_by_role("button", name="Gửi báo cáo"))
    assert page.url.endswith("/incidents/report/thanks/")
    _check(page, "fake-report-thanks", size)
    incident = Incident.objects.get()
    assert incident.body == tree.ubnd_cam_ngoc
    assert "ubnd.camngoc.hotro" in incident.url
    page.close()
