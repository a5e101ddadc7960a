"""Two-step verification in a real Chromium: a provincial officer enrols on first login, logs
out, logs in with password and code; a wrong code is refused; a recovery code works once."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests import factories
from tests.browser.support import VIEWPORTS, fits_the_screen, shoot
from tests.conftest import Tree
from tests.users.otp_support import app_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migrated_data"),
]


@pytest.fixture(autouse=True)
def _second_factor_required(settings: Any) -> None:
    settings.PORTAL_OTP_REQUIRED = True


def csp_watch(page: Page) -> list[str]:
    complaints: list[str] = []
    page.on(
        "console",
        lambda message: (
            complaints.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return complaints


def password(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(factories.DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def code(page: Page, text: str) -> None:
    page.get_by_role("textbox", name="Mã xác thực").fill(text)
    page.get_by_role("button", name="Xác nhận").click()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Đăng xuất").first.click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def test_a_provincial_officer_enrols_then_logs_in_with_a_code_or_a_recovery_code(
    browser: Browser, live_server: Any, tree: Tree
) -> None:
    factories.officer_of(tree.thanh_hoa, username="tinh", full_name="Lê Thị Thu Hà")
    page = browser.new_page(viewport=VIEWPORTS["phone"], locale="vi-VN")  # type: ignore[arg-type]
    page.set_default_timeout(10_000)
    complaints = csp_watch(page)
    base = live_server.url

    # First login: the password is right, and the portal asks for enrolment before anything.
    password(page, base, "tinh")
    page.wait_for_url(re.compile(r"/accounts/second-factor/setup/"))
    assert page.get_by_text("Vai trò của bạn bắt buộc xác thực hai bước").is_visible()
    assert page.get_by_role("img", name="Mã QR để thiết lập ứng dụng xác thực").is_visible()
    assert fits_the_screen(page)
    shoot(page, "otp-setup-phone")
    page.goto(f"{base}/registry/pages/")
    page.wait_for_url(re.compile(r"/accounts/second-factor/setup/"))

    secret = page.locator("[data-otp-secret]").inner_text().replace(" ", "")
    page.get_by_label("Mã do ứng dụng hiển thị").fill(app_code(secret))
    page.get_by_role("button", name="Bật xác thực hai bước").click()

    page.wait_for_url(re.compile(r"/accounts/second-factor/recovery-codes/"))
    codes = page.locator("[data-otp-recovery-codes] code").all_inner_texts()
    assert len(codes) == 10
    shoot(page, "otp-recovery-codes-phone")
    # Then on to the page last asked for.
    page.get_by_role("link", name="Tôi đã cất giữ các mã, tiếp tục").click()
    page.wait_for_url(f"{base}/registry/pages/")
    log_out(page)

    # Password, then a wrong code (refused), then the app's code.
    password(page, base, "tinh")
    page.wait_for_url(re.compile(r"/accounts/login/code/"))
    code(page, "000000")
    assert page.get_by_text("Mã không đúng").is_visible()
    page.goto(f"{base}/registry/pages/")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    password(page, base, "tinh")
    page.wait_for_url(re.compile(r"/accounts/login/code/"))
    time.sleep(2)  # the portal makes a guesser wait after a wrong code
    # The enrolment used the current code: the app's next one is accepted once.
    code(page, app_code(secret, steps_ahead=1))
    page.wait_for_url(f"{base}/")
    assert page.get_by_role("heading", name="Xin chào, Lê Thị Thu Hà").is_visible()
    log_out(page)

    # A recovery code instead of the phone: accepted once.
    password(page, base, "tinh")
    page.wait_for_url(re.compile(r"/accounts/login/code/"))
    code(page, codes[0])
    page.wait_for_url(f"{base}/")
    assert page.get_by_text("Bạn đã đăng nhập bằng một mã khôi phục").is_visible()
    log_out(page)
    password(page, base, "tinh")
    page.wait_for_url(re.compile(r"/accounts/login/code/"))
    code(page, codes[0])
    assert page.get_by_text("Mã khôi phục này không hợp lệ hoặc đã được dùng").is_visible()
    assert page.url.endswith("/accounts/login/code/")

    assert complaints == []


def test_the_admin_site_sends_an_administrator_through_both_steps(
    browser: Browser, live_server: Any
) -> None:
    factories.UserFactory.create(username="quantri", is_staff=True, is_superuser=True)
    page = browser.new_page(viewport=VIEWPORTS["laptop"], locale="vi-VN")  # type: ignore[arg-type]
    page.set_default_timeout(10_000)
    base = live_server.url

    page.goto(f"{base}/admin/")
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill(factories.DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    # No way round: the admin is held at enrolment, then reaches the admin site.
    page.wait_for_url(re.compile(r"/accounts/second-factor/setup/\?next=%2Fadmin%2F"))
    page.goto(f"{base}/admin/audit/auditevent/")
    page.wait_for_url(re.compile(r"/accounts/second-factor/setup/"))
    secret = page.locator("[data-otp-secret]").inner_text().replace(" ", "")
    page.get_by_label("Mã do ứng dụng hiển thị").fill(app_code(secret))
    page.get_by_role("button", name="Bật xác thực hai bước").click()
    page.get_by_role("link", name="Tôi đã cất giữ các mã, tiếp tục").click()
    page.wait_for_url(re.compile(r"/admin/audit/auditevent/$"))
    assert page.locator("#site-name").is_visible()
