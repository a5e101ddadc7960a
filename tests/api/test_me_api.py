"""The /api/v1/me/ endpoint: who the caller is and what their scope holds."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from tests import factories
from tests.conftest import Tree

ME = "/api/v1/me/"


def test_me_shows_an_officer_their_role_anchor_and_counts(
    api_client: APIClient, tree: Tree
) -> None:
    officer = factories.officer_of(tree.cam_thuy, username="hoa", full_name="Lê Thị Hoa")
    api_client.force_login(officer)

    me = api_client.get(ME).json()

    assert me["username"] == "hoa"
    assert me["full_name"] == "Lê Thị Hoa"
    assert me["is_admin"] is False
    assert me["roles"] == [
        {
            "role": "unit_officer",
            "role_display": me["roles"][0]["role_display"],
            "unit": {
                "id": tree.cam_thuy.pk,
                "code": "394",
                "name": "Huyện Cẩm Thủy",
                "level": "district",
            },
            "body": None,
        }
    ]
    assert me["counts"]["units"] == 3
    assert me["counts"]["bodies"] == 3
    assert {row["level"]: row["count"] for row in me["counts"]["units_by_level"]} == {
        "district": 1,
        "commune": 2,
    }


def test_me_shows_staff_the_body_they_work_for(api_client: APIClient, tree: Tree) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    api_client.force_login(staff)

    me = api_client.get(ME).json()

    assert [role["role"] for role in me["roles"]] == ["body_staff"]
    assert me["roles"][0]["unit"] is None
    assert me["roles"][0]["body"] == {
        "id": tree.ubnd_cam_ngoc.pk,
        "name": "UBND Xã Cẩm Ngọc",
        "unit": tree.cam_ngoc.pk,
        "unit_name": "Xã Cẩm Ngọc",
    }
    assert me["counts"] == {
        "units": 1,
        "bodies": 1,
        "units_by_level": [{"level": "commune", "name": "Cấp xã", "count": 1}],
    }


def test_me_for_a_user_without_roles_is_empty_not_an_error(
    api_client: APIClient, tree: Tree
) -> None:
    user = factories.UserFactory.create()
    api_client.force_login(user)

    me = api_client.get(ME).json()

    assert me["roles"] == []
    assert me["counts"] == {"units": 0, "bodies": 0, "units_by_level": []}


def test_me_for_an_admin_counts_everything(api_client: APIClient, tree: Tree) -> None:
    admin = factories.admin_user()
    api_client.force_login(admin)

    me = api_client.get(ME).json()

    assert me["is_admin"] is True
    assert me["roles"][0]["role"] == "system_admin"
    assert me["counts"]["units"] == 9
    assert me["counts"]["bodies"] == 5


def test_me_needs_authentication(api_client: APIClient, db: None) -> None:
    assert api_client.get(ME).status_code in (401, 403)


def test_me_stays_within_its_query_budget(
    api_client: APIClient, tree: Tree, django_assert_max_num_queries: Any
) -> None:
    user = factories.officer_of(tree.thanh_hoa)
    factories.RoleAssignment.objects.create(user=user, role="body_staff", body=tree.ubnd_muong_khoa)
    api_client.force_login(user)

    # session, user, grants, roles, levels, unit counts, body count
    with django_assert_max_num_queries(7):
        response = api_client.get(ME)

    assert response.status_code == 200
    assert len(response.json()["roles"]) == 2
