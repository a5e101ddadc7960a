"""The pages and platforms endpoints: tokens in and out of scope, transitions, filters, budgets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts_registry.models import PageState, SocialPage
from accounts_registry.services import pages as services
from tests import factories
from tests.accounts_registry import factories_pages as make
from tests.api.auth import token_for
from tests.conftest import Tree
from users.models import User

PAGES = "/api/v1/registry/pages/"
PLATFORMS = "/api/v1/registry/platforms/"
LIST_BUDGET = 6


def page_url(page: SocialPage, step: str = "") -> str:
    return f"{PAGES}{page.pk}/" + (f"{step}/" if step else "")


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for(api_client: APIClient) -> Callable[[User], APIClient]:
    """A client authenticated with the user's API token, as an integration would call."""

    def authenticate(user: User) -> APIClient:
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
        return api_client

    return authenticate


def _names(payload: Any) -> set[str]:
    return {row["display_name"] for row in payload["results"]}


def test_anonymous_callers_get_nothing(api_client: APIClient, tree: Tree) -> None:
    make.page(tree.ubnd_cam_ngoc)

    response = api_client.get(PAGES)

    assert response.status_code in (401, 403)
    assert "results" not in response.json()


def test_list_is_scoped_per_token(client_for: Callable[[User], APIClient], tree: Tree) -> None:
    make.page(tree.ubnd_cam_ngoc, display_name="Trang Cẩm Ngọc")
    make.page(tree.ubnd_dien_lu, display_name="Trang Điền Lư")
    make.page(tree.ubnd_muong_khoa, display_name="Trang Mường Khoa")

    staff = client_for(factories.staff_of(tree.ubnd_cam_ngoc)).get(PAGES).json()
    district = client_for(factories.officer_of(tree.cam_thuy)).get(PAGES).json()
    province = client_for(factories.officer_of(tree.thanh_hoa)).get(PAGES).json()
    admin = client_for(factories.admin_user()).get(PAGES).json()

    assert _names(staff) == {"Trang Cẩm Ngọc"}
    assert _names(district) == {"Trang Cẩm Ngọc"}
    assert _names(province) == {"Trang Cẩm Ngọc", "Trang Điền Lư"}
    assert admin["count"] == 3


def test_a_page_out_of_scope_is_not_found(
    client_for: Callable[[User], APIClient], tree: Tree
) -> None:
    page = make.page(tree.ubnd_dien_lu, state="submitted")
    client = client_for(factories.staff_of(tree.ubnd_cam_ngoc))

    assert client.get(page_url(page)).status_code == 404
    assert client.patch(page_url(page), {"display_name": "x"}, format="json").status_code == 404
    for step in ("submit", "approve", "return", "confirm", "archive"):
        assert client.post(page_url(page, step), {"note": "x"}, format="json").status_code == 404
    page.refresh_from_db()
    assert page.state == PageState.SUBMITTED


def test_retrieve_shows_the_page_and_its_gaps(
    client_for: Callable[[User], APIClient], tree: Tree
) -> None:
    page = make.page(tree.ubnd_cam_ngoc, url="fb.com/UBNDXaCamNgoc")
    make.contact(tree.ubnd_cam_ngoc)

    row = client_for(factories.officer_of(tree.cam_thuy)).get(page_url(page)).json()

    assert row["url"] == "https://www.facebook.com/ubndxacamngoc"
    assert row["platform"] == "facebook"
    assert row["body_name"] == "UBND Xã Cẩm Ngọc"
    assert row["unit"] == tree.cam_ngoc.pk
    assert (row["has_contact"], row["has_rules"], row["needs_review"]) == (True, False, False)


def test_staff_register_a_page(client_for: Callable[[User], APIClient], tree: Tree) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)

    response = client_for(staff).post(
        PAGES,
        {
            "body": tree.ubnd_cam_ngoc.pk,
            "platform": "zalo",
            "url": "https://zalo.me/1234567890123456789",
            "display_name": "UBND xã Cẩm Ngọc",
            "is_platform_verified": True,
            "platform_verified_on": "2024-03-15",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "draft"
    assert body["permanent_id"] == "1234567890123456789"
    assert SocialPage.objects.get().created_by == staff


def test_registering_for_a_body_out_of_scope_is_refused(
    client_for: Callable[[User], APIClient], tree: Tree
) -> None:
    client = client_for(factories.staff_of(tree.ubnd_cam_ngoc))

    response = client.post(
        PAGES,
        {
            "body": tree.ubnd_dien_lu.pk,
            "platform": "facebook",
            "url": "https://www.facebook.com/ubnddienlu",
            "display_name": "Trang Điền Lư",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "body" in response.json()
    assert not SocialPage.objects.exists()


def test_officers_cannot_register(client_for: Callable[[User], APIClient], tree: Tree) -> None:
    response = client_for(factories.officer_of(tree.cam_thuy)).post(
        PAGES,
        {
            "body": tree.ubnd_cam_ngoc.pk,
            "platform": "facebook",
            "url": "https://www.facebook.com/ubndxacamngoc",
            "display_name": "Trang",
        },
        format="json",
    )

    assert response.status_code == 400
    assert not SocialPage.objects.exists()


def test_a_duplicate_is_refused_without_naming_the_other_body(
    client_for: Callable[[User], APIClient], tree: Tree
) -> None:
    make.page(tree.ubnd_cam_ngoc, url="https://www.facebook.com/ubndxacamngoc")

    response = client_for(factories.staff_of(tree.ubnd_dien_lu)).post(
        PAGES,
        {
            "body": tree.ubnd_dien_lu.pk,
            "platform": "facebook",
            "url": "m.facebook.com/ubndxacamngoc/?ref=share",
            "display_name": "Trang giả",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"url": [str(services.TAKEN_ELSEWHERE)]}


def test_a_wrong_platform_address_is_refused_on_the_url_field(
    client_for: Callable[[User], APIClient], tree: Tree
) -> None:
    response = client_for(factories.staff_of(tree.ubnd_cam_ngoc)).post(
        PAGES,
        {
            "body": tree.ubnd_cam_ngoc.pk,
            "platform": "youtube",
            "url": "https://www.facebook.com/ubndxacamngoc",
            "display_name": "Kênh",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "url" in response.json()


def test_the_whole_workflow_through_the_api(
    client_for: Callable[[User], APIClient], tree: Tree
) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    officer = factories.officer_of(tree.cam_thuy)
    page = make.page(tree.ubnd_cam_ngoc, by=staff)

    assert client_for(staff).post(page_url(page, "submit")).json()["state"] == "submitted"
    assert client_for(staff).post(page_url(page, "approve")).status_code == 404
    refused = client_for(officer).post(page_url(page, "return"), {}, format="json")
    returned = client_for(officer).post(
        page_url(page, "return"), {"note": "Sửa tên."}, format="json"
    )
    edited = client_for(staff).patch(page_url(page), {"display_name": "Tên mới"}, format="json")
    client_for(staff).post(page_url(page, "submit"))
    approved = client_for(officer).post(page_url(page, "approve"), {"note": "Đạt."}, format="json")
    confirmed = client_for(staff).post(page_url(page, "confirm"))
    again = client_for(officer).post(page_url(page, "approve"))
    archived = client_for(staff).post(page_url(page, "archive"), {"note": "Ngừng."}, format="json")

    assert refused.status_code == 400
    assert "note" in refused.json()
    assert returned.json()["state"] == "returned"
    assert returned.json()["review_note"] == "Sửa tên."
    assert edited.json()["display_name"] == "Tên mới"
    assert approved.json()["state"] == "approved"
    assert approved.json()["confirmed_at"] is not None
    assert confirmed.json()["confirmed_at"] >= approved.json()["confirmed_at"]
    assert again.status_code == 400
    assert archived.json()["state"] == "archived"
    assert list(page.reviews.values_list("to_state", flat=True)) == [
        "draft",
        "submitted",
        "returned",
        "submitted",
        "approved",
        "approved",
        "archived",
    ]


def test_patching_a_submitted_page_is_refused(
    client_for: Callable[[User], APIClient], tree: Tree
) -> None:
    page = make.page(tree.ubnd_cam_ngoc, state="submitted")

    response = client_for(factories.staff_of(tree.ubnd_cam_ngoc)).patch(
        page_url(page), {"display_name": "Tên mới"}, format="json"
    )

    assert response.status_code == 400


def test_put_is_not_offered(client_for: Callable[[User], APIClient], tree: Tree) -> None:
    page = make.page(tree.ubnd_cam_ngoc)

    response = client_for(factories.staff_of(tree.ubnd_cam_ngoc)).put(
        page_url(page), {"display_name": "x"}, format="json"
    )

    assert response.status_code == 405


def test_filters_match_the_ui(client_for: Callable[[User], APIClient], tree: Tree) -> None:
    make.page(tree.ubnd_cam_ngoc, display_name="Trang Cẩm Ngọc", state="approved")
    make.page(
        tree.ubnd_cam_thanh,
        display_name="Zalo Cẩm Thành",
        url="https://zalo.me/1234567890123456789",
        platform_code="zalo",
    )
    make.page(tree.ubnd_dien_lu, display_name="Trang Điền Lư", is_platform_verified=True)
    make.rules(tree.ubnd_dien_lu)
    make.page(tree.ubnd_dien_lu, display_name="Trang cũ", state="archived")
    client = client_for(factories.officer_of(tree.thanh_hoa))

    def names(**params: Any) -> set[str]:
        response = client.get(PAGES, params)
        assert response.status_code == 200, response.content
        return _names(response.json())

    assert names(unit=tree.cam_thuy.pk) == {"Trang Cẩm Ngọc", "Zalo Cẩm Thành"}
    assert names(unit=tree.lai_chau.pk) == set()
    assert names(body=tree.ubnd_cam_thanh.pk) == {"Zalo Cẩm Thành"}
    assert names(platform="zalo") == {"Zalo Cẩm Thành"}
    assert names(state="approved") == {"Trang Cẩm Ngọc"}
    assert names(state="archived") == {"Trang cũ"}
    assert names(gap="no_rules") == {"Trang Cẩm Ngọc", "Zalo Cẩm Thành"}
    assert names(gap="not_verified") == {"Trang Cẩm Ngọc", "Zalo Cẩm Thành"}
    assert names(gap="no_contact") == {"Trang Cẩm Ngọc", "Zalo Cẩm Thành", "Trang Điền Lư"}
    assert names(gap="needs_review") == set()
    assert names(q="CAM NGOC") == {"Trang Cẩm Ngọc"}
    assert client.get(PAGES, {"gap": "nonsense"}).status_code == 400


def test_list_query_count_is_flat(client_for: Callable[[User], APIClient], tree: Tree) -> None:
    client = client_for(factories.officer_of(tree.thanh_hoa))
    for _ in range(5):
        make.page(tree.ubnd_cam_ngoc)
    with CaptureQueriesContext(connection) as small:
        first = client.get(PAGES).json()
    for _ in range(25):
        make.page(tree.ubnd_dien_lu)

    with CaptureQueriesContext(connection) as large:
        second = client.get(PAGES).json()

    assert (first["count"], second["count"]) == (5, 30)
    assert len(large) == len(small) <= LIST_BUDGET


def test_steps_stay_within_budget(
    client_for: Callable[[User], APIClient], tree: Tree, django_assert_max_num_queries: Callable
) -> None:
    page = make.page(tree.ubnd_cam_ngoc)
    client = client_for(factories.staff_of(tree.ubnd_cam_ngoc))

    # One of them finds the page's reviewers, to tell them it waits for review.
    with django_assert_max_num_queries(15):
        response = client.post(page_url(page, "submit"))

    assert response.status_code == 200


def test_platforms_are_listed_for_any_logged_in_user(
    client_for: Callable[[User], APIClient], tree: Tree
) -> None:
    client = client_for(factories.staff_of(tree.ubnd_cam_ngoc))

    rows = client.get(PLATFORMS).json()
    one = client.get(f"{PLATFORMS}zalo/").json()

    assert [row["code"] for row in rows][:2] == ["facebook", "zalo"]
    assert one["hosts"] == ["zalo.me", "oa.zalo.me"]
    assert client.post(PLATFORMS, {"code": "new"}).status_code == 405
