"""The portal speaks of today's Vietnam: since 01/07/2025 there are no districts, the culture
work of a commune sits with its Phòng Văn hóa - Xã hội and a province's with its Sở Văn hóa,
Thể thao và Du lịch (the Sở Thông tin và Truyền thông is gone). Roles name no level."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts_registry.services.pages import TAKEN_ELSEWHERE
from tests import factories
from tests.conftest import Tree
from units.models import AdministrativeUnit

COMMUNE_OFFICE = "Phòng Văn hóa - Xã hội"
PROVINCE_DEPARTMENT = "Sở Văn hóa, Thể thao và Du lịch"
# What the portal said before the reform, as if it were still there.
ABOLISHED = ("cấp huyện", "Phòng Văn hóa và Thông tin", "Sở Thông tin và Truyền thông")


def _assert_speaks_of_today(page: str) -> None:
    for old in ABOLISHED:
        assert old not in page, old


def test_the_login_page_sends_users_to_the_bodies_that_exist_now(client: Client, db: None) -> None:
    page = client.get(reverse("login")).content.decode()

    assert "Nếu cần tài khoản, hãy liên hệ Phòng Văn hóa - Xã hội" in page
    assert "Ủy ban nhân dân xã, phường, đặc khu" in page
    assert PROVINCE_DEPARTMENT in page
    assert "từ xã, phường lên tỉnh" in page
    _assert_speaks_of_today(page)


@pytest.mark.parametrize("name", ["public:verify", "public:directory"])
def test_the_footer_of_a_public_page_names_todays_bodies(
    client: Client, db: None, name: str
) -> None:
    page = client.get(reverse(name)).content.decode()

    assert f"Cần hỗ trợ? Liên hệ {COMMUNE_OFFICE}" in page
    assert PROVINCE_DEPARTMENT in page
    _assert_speaks_of_today(page)


def test_the_unit_officer_role_names_no_level(client: Client, tree: Tree) -> None:
    # Given the officer of a unit (the role that reviews the bodies and units below it)
    client.force_login(factories.officer_of(tree.cam_thuy))

    # Then the home page names the role without a level, in Vietnamese
    vietnamese = client.get(reverse("home")).content.decode()
    assert "Cán bộ phụ trách đơn vị hành chính" in vietnamese
    assert "Cán bộ phòng văn hóa" not in vietnamese
    # and its search box asks for today's units first
    assert "Tên tỉnh, xã, phường (hoặc huyện trước đây)" in vietnamese
    _assert_speaks_of_today(vietnamese)

    # and in English after switching
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("home")).content.decode()
    assert "Administrative unit officer" in english
    assert "culture office of your district" not in english


def test_an_account_without_a_role_is_told_of_todays_roles(client: Client, tree: Tree) -> None:
    client.force_login(factories.UserFactory.create())

    page = client.get(reverse("home")).content.decode()

    assert "cán bộ phụ trách đơn vị hành chính (ví dụ Phòng Văn hóa - Xã hội" in page
    _assert_speaks_of_today(page)


def test_registering_a_page_says_who_reviews_it_without_a_level(client: Client, tree: Tree) -> None:
    client.force_login(factories.staff_of(tree.ubnd_cam_ngoc))

    page = client.get(reverse("registry:page_register")).content.decode()

    assert "sau đó cán bộ phụ trách của cấp trên xem xét" in page
    _assert_speaks_of_today(page)


def test_a_page_taken_by_another_body_points_to_the_reviewing_officer() -> None:
    with translation.override("vi"):
        message = str(TAKEN_ELSEWHERE)

    assert "cán bộ phụ trách duyệt trang của cơ quan bạn" in message
    _assert_speaks_of_today(message)


def test_the_unit_list_speaks_of_administrative_units(client: Client, tree: Tree) -> None:
    client.force_login(factories.officer_of(tree.thanh_hoa))

    page = client.get(reverse("units:unit_list")).content.decode()

    assert "Các đơn vị hành chính trong phạm vi bạn được xem." in page
    _assert_speaks_of_today(page)


def test_a_two_tier_commune_page_names_its_own_culture_office(client: Client, db: None) -> None:
    # Given the new Xã Cẩm Thủy, right under the two-tier province
    province = factories.province("Thanh Hóa", code="38", valid_from=date(2025, 7, 1))
    commune = factories.commune(province, "Xã Cẩm Thủy", code="14977", valid_from=date(2025, 7, 1))
    client.force_login(factories.officer_of(province))

    province_page = client.get(reverse("units:unit_detail", args=[province.pk])).content.decode()
    commune_page = client.get(reverse("units:unit_detail", args=[commune.pk])).content.decode()

    assert "Sở Văn hóa, Thể thao và Du lịch của tỉnh" in province_page
    assert "Phòng Văn hóa - Xã hội thuộc Ủy ban nhân dân xã, phường này" in commune_page
    _assert_speaks_of_today(province_page)
    _assert_speaks_of_today(commune_page)


def test_a_three_tier_unit_page_names_what_existed_then(client: Client, tree: Tree) -> None:
    # Given the three-tier history: a province closed on 30/06/2025 and one of its districts
    AdministrativeUnit.objects.filter(pk__in=[tree.thanh_hoa.pk, tree.cam_thuy.pk]).update(
        valid_until=date(2025, 6, 30)
    )
    client.force_login(factories.admin_user())

    province = client.get(reverse("units:unit_detail", args=[tree.thanh_hoa.pk])).content
    district = client.get(reverse("units:unit_detail", args=[tree.cam_thuy.pk])).content

    assert "Sở Thông tin và Truyền thông; từ 01/03/2025 là Sở Văn hóa" in province.decode()
    assert "Phòng Văn hóa và Thông tin thuộc Ủy ban nhân dân huyện" in district.decode()
    assert "kết thúc hoạt động ngày 30/06/2025" in district.decode()
