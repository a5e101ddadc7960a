"""The directive form's pickers: recipients and the letter implemented (issue #14).

Whatever the number of units and bodies below the issuer, the drafting form holds no list
of them: recipients are search fields backed by autocompletes scoped to what the issuer may
address, and without JavaScript the server resolves the names typed (several at once,
separated by semicolons).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directives import services
from directives.models import Directive
from portal.text import fold
from tests import factories
from tests.browser.support import VIEWPORTS, fits_the_screen, log_in, too_wide
from tests.conftest import Tree
from tests.directives.conftest import World, draft
from units.models import AdministrativeUnit, Body, BodyKind
from units.pickers import SMALL_SCOPE

# 2,000 bodies below the issuer: far more than any list in a page should hold.
MANY = 2_000
# Bytes the form may grow by when the bodies below the issuer go from a handful to MANY.
GROWTH_BOUND = 2_000
# Queries of the drafting form, whatever the number of units and bodies below the issuer.
FORM_BUDGET = 24
# Session, user, grants, the issuer, the search.
AUTOCOMPLETE_BUDGET = 6

NEW = "/directives/new/"
RECIPIENT_UNITS = reverse("directives:autocomplete_recipient_units")
RECIPIENT_BODIES = reverse("directives:autocomplete_recipient_bodies")
DIRECTIVES = reverse("directives:autocomplete_directives")
ISSUERS = reverse("directives:autocomplete_issuers")
# The first step of drafting for an administrator, who issues for any body of the country.
ISSUER_PAGE_SIZE = 60_000
ISSUER_BUDGET = 10
SHOTS = "/tmp/h/shots"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _many_bodies(tree: Tree, count: int = MANY, communes: int = 60) -> list[AdministrativeUnit]:
    """``count`` schools over ``communes`` new communes of Huyện Cẩm Thủy, written in bulk."""
    units = [
        factories.commune(tree.cam_thuy, f"Xã Thử Nghiệm {n}", code=f"9{n:04d}")
        for n in range(communes)
    ]
    rows = []
    for n in range(count):
        unit = units[n % len(units)]
        name = f"Trường Tiểu học số {n} {unit.name}"
        rows.append(
            Body(unit=unit, kind=BodyKind.PUBLIC_SERVICE_UNIT, name=name, search_name=fold(name))
        )
    Body.objects.bulk_create(rows, batch_size=1000)
    return units


def _form_page(client: Client, url: str = NEW) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def _select_sizes(html: str) -> list[int]:
    return [
        len(re.findall(r"<option", block))
        for block in re.findall(r"<select.*?</select>", html, re.S)
    ]


def _checkboxes(html: str, name: str) -> list[str]:
    return re.findall(rf'type="checkbox"\s+name="{name}"\s+value="(\d+)"', html)


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def letter(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "number": "",
        "symbol": "UBND-VHTT",
        "place": "Thanh Hóa",
        "issued_on": "",
        "subject": "Rà soát trang mạo danh cơ quan nhà nước",
        "addressees": "",
        "basis": "",
        "body": "Ủy ban nhân dân tỉnh yêu cầu các đơn vị thực hiện các nội dung sau:",
        "instructions": "Rà soát trang mạo danh.",
        "closing": "",
        "implements": "",
        "distribution": "",
        "signing_capacity": "CHỦ TỊCH",
        "signer_name": "Lê Văn Bình",
        "report_deadline": "",
    }
    data.update(overrides)
    return data


def _receipts(directive: Directive) -> set[tuple[int, int | None]]:
    return set(directive.receipts.values_list("unit_id", "body_id"))


# --- The page stays small ----------------------------------------------------------------------


def test_the_form_does_not_grow_with_the_bodies_below_the_issuer(world: World) -> None:
    client = _client(world.province_officer)
    small_html, small_queries = _form_page(client)

    _many_bodies(world.tree)
    html, queries = _form_page(client)

    assert len(html) - len(small_html) <= GROWTH_BOUND
    assert queries <= FORM_BUDGET
    assert queries <= small_queries + 1
    assert all(size <= SMALL_SCOPE + 1 for size in _select_sizes(html))
    assert "Trường Tiểu học số 17 " not in html
    assert "Xã Thử Nghiệm 17" not in html
    assert _checkboxes(html, "recipient_bodies") == []
    assert _checkboxes(html, "recipient_units") == []
    issuer = world.ubnd_thanh_hoa.pk
    assert f'data-source="{RECIPIENT_BODIES}"' in html
    assert f'data-source="{RECIPIENT_UNITS}"' in html
    assert f'data-source-query="issuer={issuer}"' in html
    assert 'src="/static/js/autocomplete.js"' in html


def test_a_small_scope_keeps_its_checkboxes(world: World) -> None:
    html, _queries = _form_page(
        _client(world.cam_thuy_officer), f"{NEW}?issuer={world.ubnd_cam_thuy.pk}"
    )

    assert sorted(_checkboxes(html, "recipient_units")) == sorted(
        [str(world.tree.cam_ngoc.pk), str(world.tree.cam_thanh.pk)]
    )
    assert str(world.tree.ubnd_cam_ngoc.pk) in _checkboxes(html, "recipient_bodies")
    assert "data-picker" not in html.split('id="recipients"')[1].split("</fieldset>")[0]


def test_the_edit_form_shows_the_chosen_recipients_as_ticked_chips(world: World) -> None:
    _many_bodies(world.tree)
    school = Body.objects.get(name="Trường Tiểu học số 17 Xã Thử Nghiệm 17")
    letter_ = draft(
        world.ubnd_thanh_hoa,
        world.province_officer,
        recipients=services.Recipients(units=[world.tree.cam_ngoc], bodies=[school]),
    )

    html = _client(world.province_officer).get(f"/directives/{letter_.pk}/edit/").content.decode()

    assert _checkboxes(html, "recipient_bodies") == [str(school.pk)]
    assert _checkboxes(html, "recipient_units") == [str(world.tree.cam_ngoc.pk)]
    assert "Trường Tiểu học số 17 Xã Thử Nghiệm 17 — Xã Thử Nghiệm 17" in html
    assert "Trường Tiểu học số 18 " not in html


def test_an_administrator_searches_the_issuer_instead_of_a_list_of_every_body(
    world: World,
) -> None:
    _many_bodies(world.tree)
    client = _client(factories.admin_user())

    html, queries = _form_page(client)

    assert len(html) <= ISSUER_PAGE_SIZE
    assert queries <= ISSUER_BUDGET
    assert 'type="radio"' not in html
    assert "Trường Tiểu học số 17 " not in html
    assert f'data-source="{ISSUERS}"' in html

    # Without JavaScript: the typed name is resolved, and the drafting form is for that body.
    response = client.get(NEW, {"issuer": "", "issuer_q": "ubnd xã cẩm ngọc"})
    assert response.status_code == 200
    assert response.context["issuer"] == world.tree.ubnd_cam_ngoc
    # Several match: the choice page offers them.
    response = client.get(NEW, {"issuer": "", "issuer_q": "ubnd xa cam"})
    assert "issuer" not in response.context
    offered = re.findall(r'name="issuer_pick" value="(\d+)"', response.content.decode())
    assert sorted(map(int, offered)) == sorted(
        [world.tree.ubnd_cam_ngoc.pk, world.tree.ubnd_cam_thanh.pk]
    )


def test_the_issuers_offered_are_those_the_user_issues_for(world: World) -> None:
    tree = world.tree
    district = _client(world.cam_thuy_officer)

    assert sorted(_ids(district.get(ISSUERS, {"q": "cam thuy"}))) == sorted(
        [world.ubnd_cam_thuy.pk, tree.vhtt_cam_thuy.pk]
    )
    # Not the communes below it: a district officer never signs for a commune.
    assert _ids(district.get(ISSUERS, {"q": "ubnd xa"})) == []
    assert _ids(_client(world.cam_ngoc_staff).get(ISSUERS, {"q": "ubnd"})) == [
        tree.ubnd_cam_ngoc.pk
    ]
    # Nor can another body be asked for by id.
    response = district.get(NEW, {"issuer": world.ubnd_thanh_hoa.pk})
    assert "issuer" not in response.context
    assert response.context["bodies"]


# --- The suggestions: what the issuer may address, no more -------------------------------------


def test_the_recipient_suggestions_are_those_of_the_issuer(world: World) -> None:
    tree = world.tree
    province = _client(world.province_officer)
    issuer: dict[str, Any] = {"issuer": world.ubnd_thanh_hoa.pk}

    assert _ids(province.get(RECIPIENT_BODIES, {"q": "ubnd cam ngoc", **issuer})) == [
        tree.ubnd_cam_ngoc.pk
    ]
    assert _ids(province.get(RECIPIENT_UNITS, {"q": "cam ngoc", **issuer})) == [tree.cam_ngoc.pk]
    # Another province's bodies and units are never offered.
    assert _ids(province.get(RECIPIENT_BODIES, {"q": "muong khoa", **issuer})) == []
    assert _ids(province.get(RECIPIENT_UNITS, {"q": "muong khoa", **issuer})) == []
    # Nor the issuer itself, nor its own unit.
    assert _ids(province.get(RECIPIENT_BODIES, {"q": "tinh thanh hoa", **issuer})) == []
    assert _ids(province.get(RECIPIENT_UNITS, {"q": "tinh thanh hoa", **issuer})) == []

    # A district addresses its communes, not those of the district next door.
    district = _client(world.cam_thuy_officer)
    own: dict[str, Any] = {"issuer": world.ubnd_cam_thuy.pk}
    assert _ids(district.get(RECIPIENT_BODIES, {"q": "ubnd xa", **own})) == [
        tree.ubnd_cam_ngoc.pk,  # the shorter name first
        tree.ubnd_cam_thanh.pk,
    ]
    assert _ids(district.get(RECIPIENT_BODIES, {"q": "dien lu", **own})) == []


def test_an_issuer_the_user_does_not_issue_for_gets_nothing(world: World) -> None:
    district = _client(world.cam_thuy_officer)

    for url in (RECIPIENT_BODIES, RECIPIENT_UNITS):
        # The province's body, or no issuer at all: the province's list is never given.
        province = str(world.ubnd_thanh_hoa.pk)
        assert district.get(url, {"q": "ubnd", "issuer": province}).status_code == 404
        assert district.get(url, {"q": "ubnd", "issuer": "x"}).status_code == 404
        assert district.get(url, {"q": "ubnd"}).status_code == 404
    assert Client().get(RECIPIENT_BODIES, {"q": "ubnd"}).status_code == 302


def test_the_letters_offered_to_implement_are_those_the_user_may_read(world: World) -> None:
    mine = services.directive_issue(
        draft(
            world.ubnd_thanh_hoa,
            world.province_officer,
            recipients=services.Recipients(units=[world.tree.cam_thuy]),
            number="6389",
            symbol="UBND-KGVX",
            deadline=None,
        ),
        by=world.province_officer,
    )
    other = services.directive_issue(
        draft(
            world.ubnd_tan_uyen,
            world.tan_uyen_officer,
            recipients=services.Recipients(units=[world.tree.muong_khoa]),
            number="6390",
            symbol="UBND-VHTT",
            deadline=None,
        ),
        by=world.tan_uyen_officer,
    )

    district = _client(world.cam_thuy_officer)
    assert _ids(district.get(DIRECTIVES, {"q": "6389/ubnd"})) == [mine.pk]
    assert _ids(district.get(DIRECTIVES, {"q": "quy tac ung xu"})) == [mine.pk]
    assert _ids(district.get(DIRECTIVES, {"q": "6390"})) == []
    assert other.pk not in _ids(district.get(DIRECTIVES, {"q": "ung xu"}))


def test_the_recipient_autocomplete_answers_within_budget_and_is_rate_limited(
    world: World, settings: Any
) -> None:
    _many_bodies(world.tree)
    client = _client(world.province_officer)
    issuer = str(world.ubnd_thanh_hoa.pk)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(RECIPIENT_BODIES, {"q": "truong tieu hoc", "issuer": issuer})

    assert len(queries) <= AUTOCOMPLETE_BUDGET
    data = response.json()
    assert len(data["results"]) == 10
    assert data["more"] is True
    assert response["Cache-Control"] == "private, no-store"

    settings.PORTAL_AUTOCOMPLETE_RATE = "2/min"
    district = _client(world.cam_thuy_officer)  # an allowance not yet used
    own = {"q": "xa cam", "issuer": str(world.ubnd_cam_thuy.pk)}
    codes = [district.get(RECIPIENT_UNITS, own).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


# --- Ids outside the scope, and the path without JavaScript ------------------------------------


def test_a_recipient_outside_the_scope_is_refused_by_id(world: World) -> None:
    client = _client(world.province_officer)

    response = client.post(
        NEW, letter(recipient_bodies=[world.tree.ubnd_muong_khoa.pk], recipient_units="")
    )

    assert response.status_code == 400
    assert response.context["form"].errors["recipient_bodies"]
    assert "Mường Khoa" not in response.content.decode()
    assert not Directive.objects.exists()


def test_typed_names_are_resolved_without_javascript(world: World) -> None:
    _many_bodies(world.tree)
    tree = world.tree
    client = _client(world.province_officer)

    response = client.post(
        NEW,
        letter(
            recipient_bodies_q="ubnd xã cẩm ngọc; UBND XA DIEN LU",
            recipient_units_q="xa thu nghiem 17",
        ),
    )

    assert response.status_code == 302, response.context["form"].errors
    assert _receipts(Directive.objects.get()) == {
        (tree.cam_ngoc.pk, tree.ubnd_cam_ngoc.pk),
        (tree.dien_lu.pk, tree.ubnd_dien_lu.pk),
        (AdministrativeUnit.objects.get(name="Xã Thử Nghiệm 17").pk, None),
    }


def test_several_matches_are_offered_to_tick(world: World) -> None:
    _many_bodies(world.tree)
    tree = world.tree
    client = _client(world.province_officer)

    response = client.post(
        NEW,
        letter(recipient_bodies=[tree.ubnd_dien_lu.pk], recipient_bodies_q="ubnd xa cam"),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Có nhiều kết quả khớp với “ubnd xa cam”" in html
    offered = re.findall(r'name="recipient_bodies_pick" value="(\d+)"', html)
    assert sorted(map(int, offered)) == sorted([tree.ubnd_cam_ngoc.pk, tree.ubnd_cam_thanh.pk])
    # What was already chosen stays chosen.
    assert _checkboxes(html, "recipient_bodies") == [str(tree.ubnd_dien_lu.pk)]
    assert not Directive.objects.exists()

    # The person ticks one and sends the form again, the typed text still there.
    response = client.post(
        NEW,
        letter(
            recipient_bodies=[tree.ubnd_dien_lu.pk],
            recipient_bodies_q="ubnd xa cam",
            recipient_bodies_pick=[tree.ubnd_cam_thanh.pk],
        ),
    )

    assert response.status_code == 302
    assert _receipts(Directive.objects.get()) == {
        (tree.dien_lu.pk, tree.ubnd_dien_lu.pk),
        (tree.cam_thanh.pk, tree.ubnd_cam_thanh.pk),
    }


def test_a_name_matching_nothing_says_so_and_keeps_the_others(world: World) -> None:
    _many_bodies(world.tree)
    tree = world.tree
    client = _client(world.province_officer)

    response = client.post(NEW, letter(recipient_bodies_q="ubnd xa cam ngoc; ubnd xa muong khoa"))

    assert response.status_code == 400
    html = response.content.decode()
    assert "Không có kết quả nào khớp với “ubnd xa muong khoa”" in html
    # The name found became a chip; only the one not found stays typed.
    assert _checkboxes(html, "recipient_bodies") == [str(tree.ubnd_cam_ngoc.pk)]
    assert 'value="ubnd xa muong khoa"' in html
    assert not Directive.objects.exists()


def test_the_letter_implemented_is_found_by_its_number(world: World) -> None:
    province = services.directive_issue(
        draft(
            world.ubnd_thanh_hoa,
            world.province_officer,
            recipients=services.Recipients(units=[world.tree.cam_thuy]),
            number="6389",
            symbol="UBND-KGVX",
            deadline=None,
        ),
        by=world.province_officer,
    )
    client = _client(world.cam_thuy_officer)

    response = client.post(
        f"{NEW}?issuer={world.ubnd_cam_thuy.pk}",
        letter(
            implements="",
            implements_q="6389/UBND-KGVX",
            recipient_bodies=[world.tree.ubnd_cam_ngoc.pk],
        ),
    )

    assert response.status_code == 302, response.context["form"].errors
    assert Directive.objects.get(issuer=world.ubnd_cam_thuy).implements == province


# --- In a browser -------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("restore_migrated_data")
@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_two_recipients_are_picked_by_typing_and_the_draft_saved(
    browser: Any, live_server: Any, world: World, size: str
) -> None:
    _many_bodies(world.tree, count=200, communes=40)
    tree = world.tree
    page = browser.new_page(viewport=VIEWPORTS[size], locale="vi-VN")
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    base = live_server.url
    log_in(page, base, world.province_officer)
    page.goto(f"{base}{NEW}")
    page.locator("#id_symbol").fill("UBND-VHTT")
    page.locator("#id_subject").fill("Rà soát trang mạo danh cơ quan nhà nước")
    page.locator("#id_body").fill("Ủy ban nhân dân tỉnh yêu cầu các đơn vị thực hiện:")
    page.locator("#id_signing_capacity").fill("CHỦ TỊCH")
    page.locator("#id_signer_name").fill("Lê Văn Bình")

    field = page.get_by_role("combobox", name="Cơ quan, đơn vị", exact=True)
    field.press_sequentially("ubnd cam ngoc", delay=20)
    listbox = page.locator("#id_recipient_bodies_listbox")
    listbox.wait_for()
    assert listbox.get_by_role("option").count() == 1
    field.press("ArrowDown")
    field.press("Enter")
    assert field.input_value() == ""
    field.press_sequentially("thu nghiem 17", delay=20)
    listbox.get_by_role("option").first.wait_for()
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/directive-suggestions-{size}.png")
    chosen = listbox.get_by_role("option").first.inner_text()
    listbox.get_by_role("option").first.click()
    chips = page.locator('.picker__chip input[name="recipient_bodies"]:checked')
    assert chips.count() == 2
    assert (
        "Đã thêm"
        in page.locator("#id_recipient_bodies_listbox ~ [data-picker-status]").inner_text()
    )
    page.locator("#recipients").scroll_into_view_if_needed()
    page.screenshot(path=f"{SHOTS}/directive-recipients-{size}.png", full_page=False)
    assert fits_the_screen(page), too_wide(page)
    page.screenshot(path=f"{SHOTS}/directive-form-{size}.png", full_page=True)

    page.get_by_role("button", name="Lưu dự thảo").click()
    page.wait_for_url(re.compile(r"/directives/\d+/$"))

    directive = Directive.objects.get()
    school = Body.objects.get(name=chosen.split(" — ")[0])
    assert _receipts(directive) == {
        (tree.cam_ngoc.pk, tree.ubnd_cam_ngoc.pk),
        (school.unit_id, school.pk),
    }
    assert errors == []
    page.close()
