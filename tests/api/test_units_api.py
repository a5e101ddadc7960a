"""The units and bodies endpoints: contents per role, scope, search and query budgets."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from tests import factories
from tests.conftest import Tree
from users.models import User

UNITS = "/api/v1/units/"
BODIES = "/api/v1/bodies/"


def _get(client: APIClient, user: User, url: str, **params: Any) -> Any:
    client.force_authenticate(user)
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def _names(payload: Any) -> list[str]:
    rows = payload["results"] if isinstance(payload, dict) else payload
    return [row["name"] for row in rows]


def test_anonymous_callers_get_no_data(api_client: APIClient, tree: Tree) -> None:
    response = api_client.get(BODIES)

    assert response.status_code in (401, 403)
    assert "results" not in response.json()


def test_commune_staff_list_only_their_body_and_its_unit(api_client: APIClient, tree: Tree) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)

    bodies = _get(api_client, staff, BODIES)
    units = _get(api_client, staff, UNITS)

    assert _names(bodies) == ["UBND Xã Cẩm Ngọc"]
    assert bodies["count"] == 1
    assert _names(units) == ["Xã Cẩm Ngọc"]


def test_district_officer_lists_the_district_subtree(api_client: APIClient, tree: Tree) -> None:
    officer = factories.officer_of(tree.cam_thuy)

    bodies = _get(api_client, officer, BODIES)
    units = _get(api_client, officer, UNITS)

    assert set(_names(bodies)) == {
        "UBND Xã Cẩm Ngọc",
        "UBND Xã Cẩm Thành",
        "Phòng Văn hóa và Thông tin huyện Cẩm Thủy",
    }
    # Units come in tree order: the district first, then its communes.
    assert _names(units)[0] == "Huyện Cẩm Thủy"
    assert set(_names(units)) == {"Huyện Cẩm Thủy", "Xã Cẩm Ngọc", "Xã Cẩm Thành"}


def test_province_officer_lists_the_province_and_nothing_of_another(
    api_client: APIClient, tree: Tree
) -> None:
    officer = factories.officer_of(tree.thanh_hoa)

    units = _names(_get(api_client, officer, UNITS))
    bodies = _names(_get(api_client, officer, BODIES))

    assert len(units) == 6
    assert "Xã Điền Lư" in units
    assert "Tỉnh Lai Châu" not in units
    assert "Xã Mường Khoa" not in units
    assert len(bodies) == 4
    assert "UBND Xã Mường Khoa" not in bodies


def test_system_admin_lists_everything(api_client: APIClient, tree: Tree) -> None:
    admin = factories.admin_user()

    assert _get(api_client, admin, UNITS)["count"] == 9
    assert _get(api_client, admin, BODIES)["count"] == 5


def test_user_without_roles_lists_nothing(api_client: APIClient, tree: Tree) -> None:
    user = factories.UserFactory.create()

    assert _get(api_client, user, UNITS)["count"] == 0
    assert _get(api_client, user, BODIES)["count"] == 0


def test_body_detail_shows_the_registry_fields(api_client: APIClient, tree: Tree) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)

    body = _get(api_client, staff, f"{BODIES}{tree.ubnd_cam_ngoc.pk}/")

    assert body["name"] == "UBND Xã Cẩm Ngọc"
    assert body["unit"] == tree.cam_ngoc.pk
    assert body["unit_name"] == "Xã Cẩm Ngọc"
    assert body["kind"] == "peoples_committee"
    assert body["archived_at"] is None


def test_unit_detail_shows_level_and_parent(api_client: APIClient, tree: Tree) -> None:
    officer = factories.officer_of(tree.cam_thuy)

    unit = _get(api_client, officer, f"{UNITS}{tree.cam_ngoc.pk}/")

    assert unit["name"] == "Xã Cẩm Ngọc"
    assert unit["level"] == "commune"
    assert unit["parent"] == tree.cam_thuy.pk
    assert unit["is_in_force"] is True


def test_commune_staff_get_404_for_another_communes_body_and_unit(
    api_client: APIClient, tree: Tree
) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    api_client.force_authenticate(staff)

    assert api_client.get(f"{BODIES}{tree.ubnd_cam_thanh.pk}/").status_code == 404
    assert api_client.get(f"{UNITS}{tree.cam_thanh.pk}/").status_code == 404
    assert api_client.get(f"{UNITS}{tree.cam_thuy.pk}/children/").status_code == 404
    assert api_client.get(f"{UNITS}{tree.cam_thanh.pk}/ancestors/").status_code == 404


def test_district_officer_gets_404_for_a_body_of_another_district(
    api_client: APIClient, tree: Tree
) -> None:
    officer = factories.officer_of(tree.cam_thuy)
    api_client.force_authenticate(officer)

    assert api_client.get(f"{BODIES}{tree.ubnd_dien_lu.pk}/").status_code == 404
    assert api_client.get(f"{BODIES}{tree.ubnd_muong_khoa.pk}/").status_code == 404


@pytest.mark.parametrize(
    "query", ["cam ngoc", "CẨM NGỌC", unicodedata.normalize("NFD", "Cẩm Ngọc"), "  Cam   Ngoc "]
)
def test_search_ignores_case_diacritics_and_nfd(
    api_client: APIClient, tree: Tree, query: str
) -> None:
    admin = factories.admin_user()

    assert _names(_get(api_client, admin, UNITS, q=query)) == ["Xã Cẩm Ngọc"]
    assert _names(_get(api_client, admin, BODIES, q=query)) == ["UBND Xã Cẩm Ngọc"]


def test_search_stays_within_scope(api_client: APIClient, tree: Tree) -> None:
    staff = factories.staff_of(tree.ubnd_cam_thanh)

    assert _get(api_client, staff, BODIES, q="cam ngoc")["count"] == 0


def test_filters_by_level_and_kind(api_client: APIClient, tree: Tree) -> None:
    officer = factories.officer_of(tree.thanh_hoa)

    communes = _names(_get(api_client, officer, UNITS, level="commune"))
    departments = _names(_get(api_client, officer, BODIES, kind="department"))

    assert set(communes) == {"Xã Cẩm Ngọc", "Xã Cẩm Thành", "Xã Điền Lư"}
    assert departments == ["Phòng Văn hóa và Thông tin huyện Cẩm Thủy"]


def test_within_lists_a_subtree_and_nothing_outside_scope(
    api_client: APIClient, tree: Tree
) -> None:
    officer = factories.officer_of(tree.thanh_hoa)

    inside = _names(_get(api_client, officer, BODIES, within=tree.cam_thuy.pk))
    outside = _get(api_client, officer, BODIES, within=tree.lai_chau.pk)

    assert set(inside) == {
        "UBND Xã Cẩm Ngọc",
        "UBND Xã Cẩm Thành",
        "Phòng Văn hóa và Thông tin huyện Cẩm Thủy",
    }
    assert outside["count"] == 0


def test_archived_bodies_are_left_out_of_lists_but_reachable_by_id(
    api_client: APIClient, tree: Tree
) -> None:
    officer = factories.officer_of(tree.cam_thuy)
    tree.ubnd_cam_thanh.archived_at = timezone.now()
    tree.ubnd_cam_thanh.save()

    listed = _names(_get(api_client, officer, BODIES))
    with_archived = _names(_get(api_client, officer, BODIES, include_archived="true"))
    detail = _get(api_client, officer, f"{BODIES}{tree.ubnd_cam_thanh.pk}/")

    assert "UBND Xã Cẩm Thành" not in listed
    assert "UBND Xã Cẩm Thành" in with_archived
    assert detail["archived_at"] is not None


def test_ancestors_are_listed_top_first_within_scope(api_client: APIClient, tree: Tree) -> None:
    admin = factories.admin_user()
    officer = factories.officer_of(tree.cam_thuy)

    for_admin = _names(_get(api_client, admin, f"{UNITS}{tree.cam_ngoc.pk}/ancestors/"))
    for_officer = _names(_get(api_client, officer, f"{UNITS}{tree.cam_ngoc.pk}/ancestors/"))

    assert for_admin == ["Tỉnh Thanh Hóa", "Huyện Cẩm Thủy"]
    # The province is outside a district officer's scope, so it is not shown either.
    assert for_officer == ["Huyện Cẩm Thủy"]


def test_children_are_the_direct_children_in_scope(api_client: APIClient, tree: Tree) -> None:
    officer = factories.officer_of(tree.thanh_hoa)

    children = _get(api_client, officer, f"{UNITS}{tree.thanh_hoa.pk}/children/")

    assert _names(children) == ["Huyện Bá Thước", "Huyện Cẩm Thủy"]
    assert children["count"] == 2


def _queries(client: APIClient, url: str, **params: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _add_bodies(tree: Tree, count: int) -> None:
    for _ in range(count):
        factories.BodyFactory.create(unit=tree.cam_ngoc)
        factories.BodyFactory.create(unit=tree.cam_thanh)


@pytest.mark.parametrize("role", ["staff", "officer", "admin"])
def test_body_list_query_count_does_not_grow_with_rows(
    api_client: APIClient, tree: Tree, role: str, django_assert_max_num_queries: Any
) -> None:
    user = {
        "staff": lambda: factories.staff_of(tree.ubnd_cam_ngoc),
        "officer": lambda: factories.officer_of(tree.cam_thuy),
        "admin": lambda: factories.admin_user(),
    }[role]()
    api_client.force_login(user)
    _add_bodies(tree, 2)
    few = _queries(api_client, BODIES)

    _add_bodies(tree, 13)
    with django_assert_max_num_queries(5):  # session, user, grants, count, page
        response = api_client.get(BODIES)

    assert response.status_code == 200
    assert _queries(api_client, BODIES) == few


@pytest.mark.parametrize("url_name", ["list", "children"])
def test_unit_list_query_count_does_not_grow_with_rows(
    api_client: APIClient, tree: Tree, url_name: str, django_assert_max_num_queries: Any
) -> None:
    officer = factories.officer_of(tree.cam_thuy)
    api_client.force_login(officer)
    url = UNITS if url_name == "list" else f"{UNITS}{tree.cam_thuy.pk}/children/"
    for n in range(3):
        factories.commune(tree.cam_thuy, f"Xã Thử {n}")
    few = _queries(api_client, url)

    for n in range(3, 28):
        factories.commune(tree.cam_thuy, f"Xã Thử {n}")
    with django_assert_max_num_queries(6):  # session, user, grants, (unit), count, page
        response = api_client.get(url)

    assert response.status_code == 200
    assert _queries(api_client, url) == few


def test_token_authenticated_list_stays_within_budget(
    api_client: APIClient, tree: Tree, django_assert_max_num_queries: Any
) -> None:
    from tests.api.auth import token_for

    officer = factories.officer_of(tree.thanh_hoa)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(officer)}")
    _add_bodies(tree, 10)

    with django_assert_max_num_queries(4):  # token and user, grants, count, page
        response = api_client.get(BODIES)

    assert response.status_code == 200
    assert response.json()["count"] == 24
