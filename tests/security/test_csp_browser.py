"""The main pages under the Content-Security-Policy in a real Chromium: nothing is blocked.

A blocked inline script, style or event handler shows up as a ``securitypolicyviolation``
event in the page and as a console error; both are collected on every page visited.
"""

from __future__ import annotations

from typing import Any

import pytest
from django_celery_beat.models import CrontabSchedule
from playwright.sync_api import Browser, ConsoleMessage, Page

from accounts_registry.models import PageState
from tests import factories
from tests.accounts_registry.factories_pages import page as registered_page
from tests.conftest import Tree

pytestmark = [
    pytest.mark.browser,
    # live_server serves another thread: the data must be committed.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migrated_data"),
]

# Runs before any page script; Playwright injects it outside the page's CSP.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


class Watcher:
    """Visits pages and keeps every CSP complaint, with the page it came from."""

    def __init__(self, page: Page, base: str) -> None:
        self.page, self.base = page, base
        self.complaints: list[str] = []
        page.add_init_script(LISTEN)
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.complaints.append(f"{self.page.url}: {message.text}")

    def visit(self, path: str, ready: str = "main, #content, #swagger-ui") -> None:
        response = self.page.goto(self.base + path)
        assert response is not None, path
        assert response.status < 400, path
        self.page.wait_for_load_state("networkidle")
        self.page.locator(ready).first.wait_for()
        found: Any = self.page.evaluate("window.__cspViolations")
        self.complaints += [f"{path}: {violation}" for violation in found]


def test_the_main_pages_run_under_the_policy_with_no_violation(
    browser: Browser, live_server: Any, tree: Tree
) -> None:
    admin = factories.admin_user(username="quantri", is_staff=True, is_superuser=True)
    approved = registered_page(tree.ubnd_cam_ngoc, state=PageState.APPROVED)
    crontab = CrontabSchedule.objects.create(minute="0", hour="7", timezone="Asia/Ho_Chi_Minh")
    page = browser.new_page(locale="vi-VN")
    page.set_default_timeout(15_000)
    watcher = Watcher(page, live_server.url)

    # What the public sees.
    for path in ("/accounts/login/", "/verify/", "/directory/", "/admin/login/"):
        watcher.visit(path)
    watcher.visit("/api/docs/")
    # Swagger UI's own script ran: it drew the API's title from the schema.
    page.locator(".swagger-ui .info .title").wait_for()

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(admin.username)
    page.get_by_label("Mật khẩu").fill(factories.DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{live_server.url}/")

    for path in (
        "/",
        "/registry/pages/",
        f"/registry/pages/{approved.pk}/",
        f"/registry/bodies/{tree.ubnd_cam_ngoc.pk}/",
        "/units/",
        "/directives/",
        "/legal/",
        "/incidents/",
        "/admin/",
        "/admin/audit/auditevent/",
        "/admin/django_celery_beat/periodictask/add/",
    ):
        watcher.visit(path)
    # The periodic-task form's script, moved out of its template, still runs: choosing a
    # schedule shows it in words under the field.
    page.select_option("#id_crontab", str(crontab.pk))
    assert "Translation:" in page.locator(".field-crontab .help").inner_text()

    assert watcher.complaints == []

    # The watcher does see a violation: an inline script added to the page is blocked.
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.__inlineRan = true";
            document.body.append(script);
        }"""
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__inlineRan") is None
    assert "script-src" in page.evaluate("window.__cspViolations[0]")
    page.close()
