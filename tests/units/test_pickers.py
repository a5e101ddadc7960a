"""Body, unit and page pickers: nothing in a page grows with the register (issue #14).

The pickers are search fields backed by scoped, rate-limited autocompletes; without
JavaScript the server resolves what was typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts_registry.models import SocialPage
from incidents.models import Incident
from portal.text import fold
from tests import factories
from tests.accounts_registry import factories_pages as make
from tests.conftest import Tree
from tests.incidents.factories_incidents import incident
from units.models import AdministrativeUnit, Body, BodyKind
from units.pickers import SMALL_SCOPE

# 2,000+ bodies in scope: far more than any <select> should hold.
MANY = 2_100
# Bytes: a page of the list must not carry the scope with it.
SIZE_BOUND = 300_000
# Session, user, grants, the list's own reads, and one read per picker: flat in the data.
LIST_BUDGET = 14
FORM_BUDGET = 10
AUTOCOMPLETE_BUDGET = 5

BODIES = reverse("units:autocomplete_bodies")
UNITS = reverse("units:autocomplete_units")
PAGES = reverse("units:autocomplete_pages")
PUBLIC = reverse("public:autocomplete_bodies")
REPORT = "/incidents/report/"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _many_bodies(tree: Tree, count: int = MANY) -> None:
    """``count`` schools over 60 new communes of Thanh Hóa, written in bulk as the importers
    and the synthetic generator write them (search_name folded by the writer)."""
    communes = [
        factories.commune(tree.cam_thuy, f"Xã Thử Nghiệm {n}", code=f"9{n:04d}") for n in range(60)
    ]
    rows = []
    for n in range(count):
        unit = communes[n % len(communes)]
        name = f"Trường Tiểu học số {n} {unit.name}"
        rows.append(
            Body(unit=unit, kind=BodyKind.PUBLIC_SERVICE_UNIT, name=name, search_name=fold(name))
        )
    Body.objects.bulk_create(rows, batch_size=1000)


def _select_sizes(html: str) -> list[int]:
    """How many options each <select> of the page holds."""
    return [
        len(re.findall(r"<option", block))
        for block in re.findall(r"<select.*?</select>", html, re.S)
    ]


def _results(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return list(response.json()["results"])


# --- Pages stay small --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/registry/pages/", "/registry/pages/new/", "/incidents/", "/incidents/new/"],
)
def test_an_administrator_gets_no_select_of_thousands_of_bodies(
    tree: Tree, path: str, django_assert_max_num_queries: Callable
) -> None:
    _many_bodies(tree)
    make.page(tree.ubnd_cam_ngoc, display_name="Trang UBND xã Cẩm Ngọc")
    client = _client(factories.admin_user())

    budget = LIST_BUDGET if path in ("/registry/pages/", "/incidents/") else FORM_BUDGET
    with django_assert_max_num_queries(budget):
        response = client.get(path)

    assert response.status_code == 200
    assert len(response.content) <= SIZE_BOUND
    html = response.content.decode()
    assert all(size <= SMALL_SCOPE + 1 for size in _select_sizes(html))
    assert "Trường Tiểu học số 17 " not in html
    assert "data-picker" in html


def test_the_public_report_form_holds_no_list_of_bodies(
    client: Client, tree: Tree, django_assert_max_num_queries: Callable
) -> None:
    _many_bodies(tree)

    with django_assert_max_num_queries(3):
        response = client.get(REPORT)

    assert response.status_code == 200
    assert len(response.content) <= SIZE_BOUND
    html = response.content.decode()
    assert all(size <= SMALL_SCOPE + 1 for size in _select_sizes(html))
    assert f'data-source="{PUBLIC}"' in html
    assert 'src="/static/js/autocomplete.js"' in html


def test_staff_of_one_body_keep_a_preselected_select(client: Client, tree: Tree) -> None:
    client.force_login(factories.staff_of(tree.ubnd_cam_ngoc))

    html = client.get("/registry/pages/new/").content.decode()

    select = re.search(r'<select name="body".*?</select>', html, re.S)
    assert select is not None
    assert f'value="{tree.ubnd_cam_ngoc.pk}" selected' in select.group(0)
    assert _select_sizes(select.group(0)) == [1]


# --- The autocomplete: only what the user may pick --------------------------------------------


def test_the_autocomplete_finds_bodies_whatever_the_accents_and_case(tree: Tree) -> None:
    client = _client(factories.officer_of(tree.thanh_hoa))

    for typed in ("cam ngoc", "CẨM NGỌC", "ngọc cẩm", "Ca\u0309m Ngo\u0323c"):
        found = _results(client.get(BODIES, {"q": typed}))
        assert [row["id"] for row in found] == [tree.ubnd_cam_ngoc.pk], typed
    assert found[0]["label"] == "UBND Xã Cẩm Ngọc — Xã Cẩm Ngọc"


def test_another_provinces_body_is_never_offered_nor_taken_by_id(tree: Tree) -> None:
    officer = factories.officer_of(tree.thanh_hoa)
    client = _client(officer)
    make.page(tree.ubnd_muong_khoa, display_name="Trang UBND xã Mường Khoa")

    assert _results(client.get(BODIES, {"q": "muong khoa"})) == []
    assert _results(client.get(UNITS, {"q": "muong khoa"})) == []
    assert _results(client.get(UNITS, {"q": "lai chau"})) == []
    # Picked by id anyway: the list shows nothing and says the choice is not valid.
    listed = client.get("/registry/pages/", {"body": tree.ubnd_muong_khoa.pk})
    assert "Trang UBND xã Mường Khoa" not in listed.content.decode()
    assert listed.context["form"].errors["body"]
    # Nor can a page be registered for it, by staff of a body of Thanh Hóa.
    response = _client(factories.staff_of(tree.ubnd_cam_ngoc)).post(
        "/registry/pages/new/",
        {
            "body": tree.ubnd_muong_khoa.pk,
            "platform": make.platform("facebook").pk,
            "url": "https://www.facebook.com/ubndmuongkhoa2",
            "display_name": "Trang giả",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["body"]
    assert SocialPage.objects.count() == 1


def test_the_edit_autocomplete_offers_only_bodies_the_user_may_edit(tree: Tree) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    client = _client(staff)

    assert [r["id"] for r in _results(client.get(BODIES, {"q": "ubnd", "for": "edit"}))] == [
        tree.ubnd_cam_ngoc.pk
    ]
    assert _results(client.get(BODIES, {"q": "cam thanh", "for": "edit"})) == []


def test_archived_bodies_are_not_offered(tree: Tree) -> None:
    Body.objects.filter(pk=tree.ubnd_cam_thanh.pk).update(archived_at=timezone.now())
    client = _client(factories.admin_user())

    assert _results(client.get(BODIES, {"q": "cam thanh"})) == []
    assert _results(client.get(PUBLIC, {"q": "cam thanh"})) == []


def test_the_public_autocomplete_offers_only_bodies_in_force(client: Client, tree: Tree) -> None:
    AdministrativeUnit.objects.filter(pk=tree.dien_lu.pk).update(valid_until=date(2025, 6, 30))

    assert _results(client.get(PUBLIC, {"q": "dien lu"})) == []
    assert [r["id"] for r in _results(client.get(PUBLIC, {"q": "cam ngoc"}))] == [
        tree.ubnd_cam_ngoc.pk
    ]


def test_the_autocomplete_answers_a_few_rows_within_budget(
    tree: Tree, django_assert_max_num_queries: Callable
) -> None:
    _many_bodies(tree)
    client = _client(factories.admin_user())

    with django_assert_max_num_queries(AUTOCOMPLETE_BUDGET):
        response = client.get(BODIES, {"q": "truong tieu hoc"})

    data = response.json()
    assert len(data["results"]) == 10
    assert data["more"] is True
    assert response["Cache-Control"] == "private, no-store"


def test_a_single_letter_asks_nothing(tree: Tree, django_assert_max_num_queries: Callable) -> None:
    client = _client(factories.admin_user())

    assert _results(client.get(BODIES, {"q": "a"})) == []


def test_the_autocomplete_needs_a_login(client: Client) -> None:
    assert client.get(BODIES, {"q": "ubnd"}).status_code == 302
    assert client.get(PAGES, {"q": "ubnd"}).status_code == 302


def test_the_autocomplete_is_rate_limited_per_user(tree: Tree, settings: Any) -> None:
    settings.PORTAL_AUTOCOMPLETE_RATE = "3/min"
    client = _client(factories.admin_user())

    codes = [client.get(BODIES, {"q": "ubnd"}).status_code for _ in range(4)]

    assert codes == [200, 200, 200, 429]
    refused = client.get(BODIES, {"q": "ubnd"})
    assert int(refused["Retry-After"]) >= 1
    assert "Quá nhiều" in refused.json()["detail"]
    # Another user has an allowance of their own.
    assert _client(factories.admin_user()).get(BODIES, {"q": "ubnd"}).status_code == 200


def test_the_public_autocomplete_is_rate_limited_per_address(
    client: Client, tree: Tree, settings: Any
) -> None:
    settings.PORTAL_PUBLIC_DIRECTORY_RATE = "2/min"

    codes = [client.get(PUBLIC, {"q": "ubnd"}).status_code for _ in range(3)]

    assert codes == [200, 200, 429]


def test_the_pages_autocomplete_offers_the_pages_of_editable_bodies(tree: Tree) -> None:
    mine = make.page(tree.ubnd_cam_ngoc, display_name="Trang UBND xã Cẩm Ngọc")
    make.page(tree.ubnd_cam_thanh, display_name="Trang UBND xã Cẩm Thành")
    client = _client(factories.staff_of(tree.ubnd_cam_ngoc))

    assert [r["id"] for r in _results(client.get(PAGES, {"q": "trang ubnd"}))] == [mine.pk]


# --- Without JavaScript: the typed text is resolved on the server ------------------------------


def _register(client: Client, **fields: Any) -> Any:
    return client.post(
        "/registry/pages/new/",
        {
            "platform": make.platform("facebook").pk,
            "url": "https://www.facebook.com/trang.thu.nghiem.1",
            "display_name": "Trang thử nghiệm",
            **fields,
        },
    )


def test_a_unique_typed_name_is_taken(tree: Tree) -> None:
    _many_bodies(tree)
    client = _client(factories.admin_user())

    response = _register(client, body="", body_q="ubnd cẩm ngọc")

    assert response.status_code == 302
    assert SocialPage.objects.get().body == tree.ubnd_cam_ngoc


def test_several_matches_offer_a_short_choice_list(tree: Tree) -> None:
    _many_bodies(tree)
    client = _client(factories.admin_user())

    response = _register(client, body="", body_q="ubnd xa cam")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Có nhiều kết quả khớp với “ubnd xa cam”" in html
    choices = re.findall(r'name="body_pick" value="(\d+)"', html)
    assert sorted(int(pk) for pk in choices) == sorted(
        [tree.ubnd_cam_ngoc.pk, tree.ubnd_cam_thanh.pk]
    )
    assert not SocialPage.objects.exists()

    # The person picks one of them and sends the form again.
    response = _register(client, body="", body_q="ubnd xa cam", body_pick=tree.ubnd_cam_thanh.pk)

    assert response.status_code == 302
    assert SocialPage.objects.get().body == tree.ubnd_cam_thanh


def test_no_match_says_so(tree: Tree) -> None:
    client = _client(factories.admin_user())

    response = _register(client, body="", body_q="không có cơ quan này")

    assert response.status_code == 200
    assert "Không có kết quả nào khớp với “không có cơ quan này”" in response.content.decode()


def test_a_typed_name_outside_the_scope_matches_nothing(tree: Tree) -> None:
    client = _client(factories.staff_of(tree.ubnd_cam_ngoc))

    response = _register(client, body="", body_q="ubnd xa cam thanh")

    assert response.status_code == 200
    assert response.context["form"].errors["body"]
    assert not SocialPage.objects.exists()


def test_text_changed_after_a_pick_wins_over_the_old_id(tree: Tree) -> None:
    """Without JavaScript the hidden id stays; the person typed another name over it."""
    client = _client(factories.admin_user())

    response = _register(client, body=tree.ubnd_cam_ngoc.pk, body_q="điền lư")

    assert response.status_code == 302
    assert SocialPage.objects.get().body == tree.ubnd_dien_lu


def test_the_label_of_a_pick_keeps_the_id(tree: Tree) -> None:
    client = _client(factories.admin_user())

    response = _register(
        client, body=tree.ubnd_cam_ngoc.pk, body_q="UBND Xã Cẩm Ngọc — Xã Cẩm Ngọc"
    )

    assert response.status_code == 302
    assert SocialPage.objects.get().body == tree.ubnd_cam_ngoc


def test_the_page_list_filters_on_typed_names(tree: Tree) -> None:
    _many_bodies(tree)
    make.page(tree.ubnd_cam_ngoc, display_name="Trang UBND xã Cẩm Ngọc")
    make.page(tree.ubnd_dien_lu, display_name="Trang UBND xã Điền Lư")
    client = _client(factories.admin_user())

    by_body = client.get("/registry/pages/", {"body_q": "ubnd cam ngoc"}).content.decode()
    by_unit = client.get("/registry/pages/", {"unit_q": "huyen ba thuoc"}).content.decode()

    assert "Trang UBND xã Cẩm Ngọc" in by_body
    assert "Trang UBND xã Điền Lư" not in by_body
    assert "Trang UBND xã Điền Lư" in by_unit
    assert "Trang UBND xã Cẩm Ngọc" not in by_unit
    # The typed text stays in the field, and the id of what it resolved to is not needed.
    assert 'value="ubnd cam ngoc"' in by_body


def test_the_incident_list_filters_on_a_typed_unit(tree: Tree) -> None:
    mine = incident(tree.ubnd_cam_ngoc, by=factories.staff_of(tree.ubnd_cam_ngoc))
    other = incident(tree.ubnd_muong_khoa, by=factories.staff_of(tree.ubnd_muong_khoa))
    client = _client(factories.admin_user())

    html = client.get("/incidents/", {"unit_q": "tỉnh thanh hóa"}).content.decode()

    assert f"/incidents/{mine.pk}/" in html
    assert f"/incidents/{other.pk}/" not in html


def test_the_public_report_resolves_a_typed_body(client: Client, tree: Tree) -> None:
    response = client.post(
        REPORT,
        {
            "url": "https://www.facebook.com/ubnd.cam.ngoc.gia",
            "body": "",
            "body_q": "ubnd cẩm ngọc",
            "description": "Trang này mạo danh UBND xã để xin tiền.",
        },
    )

    assert response.status_code == 302
    assert Incident.objects.get().body == tree.ubnd_cam_ngoc


def test_the_public_report_refuses_a_closed_unit_body_by_id(client: Client, tree: Tree) -> None:
    AdministrativeUnit.objects.filter(pk=tree.dien_lu.pk).update(valid_until=date(2025, 6, 30))

    response = client.post(
        REPORT,
        {
            "url": "https://www.facebook.com/ubnd.dien.lu.gia",
            "body": tree.ubnd_dien_lu.pk,
            "description": "Trang này mạo danh UBND xã để xin tiền.",
        },
    )

    assert response.status_code == 400
    assert not Incident.objects.exists()
