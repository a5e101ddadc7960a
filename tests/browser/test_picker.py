"""The search-as-you-type body picker in a real Chromium: type, pick with the keyboard, submit.

It runs under the portal's strict Content-Security-Policy (no inline script or style), so
a picker that needed either would not work here.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

from accounts_registry.models import SocialPage
from incidents.models import Incident
from portal.text import fold
from tests import factories
from tests.browser.support import VIEWPORTS, log_in, shoot
from tests.conftest import Tree
from units.models import Body, BodyKind
from units.pickers import SMALL_SCOPE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migrated_data"),
]


def _more_bodies_than_a_select(tree: Tree) -> None:
    names = [f"Trường Mầm non số {n} xã Cẩm Ngọc" for n in range(SMALL_SCOPE + 10)]
    Body.objects.bulk_create(
        Body(
            unit=tree.cam_ngoc,
            kind=BodyKind.PUBLIC_SERVICE_UNIT,
            name=name,
            search_name=fold(name),
        )
        for name in names
    )


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_an_administrator_picks_a_body_with_the_keyboard(
    browser: Browser, live_server: Any, tree: Tree, size: str
) -> None:
    _more_bodies_than_a_select(tree)
    admin = factories.admin_user()
    page = browser.new_page(viewport=VIEWPORTS[size], locale="vi-VN")  # type: ignore[arg-type]
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    base = live_server.url
    log_in(page, base, admin)

    page.goto(f"{base}/registry/pages/new/")
    field = page.get_by_role("combobox", name="Cơ quan")
    assert field.get_attribute("aria-expanded") == "false"
    field.press_sequentially("ubnd cam", delay=30)
    listbox = page.get_by_role("listbox")
    listbox.wait_for()
    assert field.get_attribute("aria-expanded") == "true"
    options = listbox.get_by_role("option")
    assert options.count() == 2
    assert page.locator("[data-picker-status]").inner_text().startswith("2 kết quả")
    shoot(page, f"picker-open-{size}")

    field.press("ArrowDown")
    field.press("ArrowDown")
    active = field.get_attribute("aria-activedescendant")
    assert active
    assert page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    chosen_label = page.locator(f"#{active}").inner_text()
    field.press("Enter")

    assert listbox.is_hidden()
    assert field.input_value() == chosen_label
    chosen = Body.objects.get(name=chosen_label.split(" — ")[0])
    assert page.locator('input[type="hidden"][name="body"]').input_value() == str(chosen.pk)

    page.locator("#id_platform").select_option(label="Facebook (trang)")
    page.locator("#id_url").fill("https://www.facebook.com/trang.thu.nghiem.picker")
    page.locator("#id_display_name").fill("Trang thử nghiệm")
    page.get_by_role("button", name="Đăng ký").click()
    page.wait_for_url("**/registry/pages/*/")

    assert SocialPage.objects.get().body == chosen
    assert not [e for e in errors if "Content Security Policy" in e]
    page.close()


def test_escape_closes_and_typing_again_forgets_the_pick(
    browser: Browser, live_server: Any, tree: Tree
) -> None:
    _more_bodies_than_a_select(tree)
    page = browser.new_page(viewport=VIEWPORTS["laptop"], locale="vi-VN")  # type: ignore[arg-type]
    base = live_server.url

    # The public fake-page form: no login, the public autocomplete.
    page.goto(f"{base}/incidents/report/?url=https://www.facebook.com/ubnd.gia")
    field = page.get_by_role("combobox", name="Cơ quan bị mạo danh")
    field.press_sequentially("mam non so 7", delay=30)
    page.get_by_role("listbox").get_by_role("option").first.wait_for()
    field.press("Escape")
    assert page.get_by_role("listbox").is_hidden()
    field.press("ArrowDown")
    field.press("Enter")
    hidden = page.locator('input[type="hidden"][name="body"]')
    picked = hidden.input_value()
    assert picked
    field.press("Backspace")
    assert hidden.input_value() == ""

    # What is left typed is resolved by the server on submit, as without JavaScript.
    field.fill("mầm non số 17")
    page.get_by_label("Vì sao bạn cho rằng trang này giả mạo?").fill(
        "Trang này dùng logo của trường và xin tiền phụ huynh."
    )
    page.get_by_role("button", name="Gửi báo cáo").click()
    page.wait_for_url("**/incidents/report/thanks/")

    assert Incident.objects.get().body.name == "Trường Mầm non số 17 xã Cẩm Ngọc"
    page.close()
