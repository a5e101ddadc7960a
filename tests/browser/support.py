"""What the browser tests share besides their fixtures (which live in ``tests/conftest.py``):
screen sizes, logging in, screenshots and the checks that nothing scrolls sideways."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from playwright.sync_api import Page

from tests import factories
from users.models import User

SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
VIEWPORTS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}

_TOO_WIDE = """() => {
    const width = window.innerWidth;
    const clipped = (e) => {
        for (let a = e.parentElement; a; a = a.parentElement) {
            if (getComputedStyle(a).overflowX !== "visible") return a.getBoundingClientRect().right <= width + 1;
        }
        return false;
    };
    return [...document.querySelectorAll("body *")]
        .filter(e => e.getBoundingClientRect().right > width + 1 && !clipped(e))
        .slice(0, 8)
        .map(e => e.tagName.toLowerCase() + "." + [...e.classList].join(".") + " " + Math.round(e.getBoundingClientRect().right));
}"""


def log_in(page: Page, base_url: str, user: User) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(factories.DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}/")


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def fits_the_screen(page: Page) -> bool:
    """Nothing but table boxes may scroll sideways: the page itself must not."""
    width: Any = page.evaluate("document.documentElement.scrollWidth")
    viewport: Any = page.evaluate("window.innerWidth")
    return int(width) <= int(viewport)


def too_wide(page: Page) -> Any:
    """The elements (at most eight) that stick out of the screen without a scroll box."""
    return page.evaluate(_TOO_WIDE)
