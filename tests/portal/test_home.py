"""The home page of each role, the language switch, the error pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.conftest import Tree
from units.models import Body, BodyKind

# Session, user, grants, roles, counts per level, bodies, the page-gap summary (one aggregate)
# and the header's unread notifications: fixed, whatever the size of the scope.
HOME_BUDGET = 11


def test_commune_staff_sees_their_body_first(
    client: Client, tree: Tree, django_assert_max_num_queries: Callable
) -> None:
    client.force_login(factories.staff_of(tree.ubnd_cam_ngoc, full_name="Lê Thị Hoa"))

    with django_assert_max_num_queries(HOME_BUDGET):
        response = client.get(reverse("home"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Lê Thị Hoa" in page
    assert response.context["my_bodies"] == [tree.ubnd_cam_ngoc]
    assert reverse("units:body_detail", args=[tree.ubnd_cam_ngoc.pk]) in page
    assert "Cán bộ của cơ quan" in page  # the role, in Vietnamese


def test_district_officer_sees_the_district_with_its_counts(
    client: Client, tree: Tree, django_assert_max_num_queries: Callable
) -> None:
    client.force_login(factories.officer_of(tree.cam_thuy))

    with django_assert_max_num_queries(HOME_BUDGET):
        response = client.get(reverse("home"))

    [unit] = response.context["my_units"]
    assert unit == tree.cam_thuy
    assert unit.child_count == 2
    assert unit.subtree_body_count == 3
    assert reverse("units:unit_detail", args=[tree.cam_thuy.pk]) in response.content.decode()
    counts = {row.level.code: row.count for row in response.context["level_counts"]}
    assert counts == {"district": 1, "commune": 2}
    assert response.context["body_count"] == 3


def test_province_officer_sees_counts_for_the_province(
    client: Client, tree: Tree, django_assert_max_num_queries: Callable
) -> None:
    client.force_login(factories.officer_of(tree.thanh_hoa))

    with django_assert_max_num_queries(HOME_BUDGET):
        response = client.get(reverse("home"))

    counts = {row.level.code: row.count for row in response.context["level_counts"]}
    assert counts == {"province": 1, "district": 2, "commune": 3}
    [unit] = response.context["my_units"]
    assert unit.child_count == 2


def test_system_admin_sees_the_whole_country_and_the_admin_link(
    client: Client, tree: Tree, django_assert_max_num_queries: Callable
) -> None:
    client.force_login(factories.admin_user(is_staff=True))

    with django_assert_max_num_queries(HOME_BUDGET):
        response = client.get(reverse("home"))

    page = response.content.decode()
    counts = {row.level.code: row.count for row in response.context["level_counts"]}
    assert counts == {"province": 2, "district": 3, "commune": 4}
    assert "Cả nước" in page
    assert reverse("admin:index") in page


def test_user_without_a_role_gets_an_explanation(client: Client, tree: Tree) -> None:
    client.force_login(factories.UserFactory.create())

    response = client.get(reverse("home"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Tài khoản của bạn chưa được phân quyền" in page
    assert response.context["level_counts"] == []


def test_counts_leave_out_units_no_longer_in_force(client: Client, tree: Tree) -> None:
    from datetime import date

    from units.models import AdministrativeUnit

    AdministrativeUnit.objects.filter(pk=tree.cam_thanh.pk).update(valid_until=date(2025, 6, 30))
    client.force_login(factories.officer_of(tree.cam_thuy))

    response = client.get(reverse("home"))

    counts = {row.level.code: row.count for row in response.context["level_counts"]}
    assert counts == {"district": 1, "commune": 1}


def test_home_needs_a_login(client: Client, db: None) -> None:
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_pages_are_vietnamese_by_default_and_english_after_switching(
    client: Client, tree: Tree
) -> None:
    client.force_login(factories.officer_of(tree.cam_thuy))

    vietnamese = client.get(reverse("home")).content.decode()
    switched = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("units:unit_list")}
    )
    english = client.get(reverse("units:unit_list")).content.decode()

    assert '<html lang="vi">' in vietnamese
    assert "Trang chủ" in vietnamese
    assert switched.status_code == 302
    assert switched["Location"] == reverse("units:unit_list")
    assert '<html lang="en">' in english
    assert "Administrative units" in english
    assert "Trang chủ" not in english


def test_header_has_skip_link_nav_logout_form_and_footer(client: Client, tree: Tree) -> None:
    client.force_login(factories.staff_of(tree.ubnd_cam_ngoc))

    page = client.get(reverse("home")).content.decode()

    assert 'href="#main"' in page
    assert f'action="{reverse("logout")}"' in page
    assert f'action="{reverse("set_language")}"' in page
    assert "874/QĐ-BTTTT" in page
    assert reverse("admin:index") not in page  # not staff


def test_unknown_page_uses_the_portal_404_template(client: Client, tree: Tree) -> None:
    client.force_login(factories.staff_of(tree.ubnd_cam_ngoc))

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


@pytest.mark.parametrize("template", ["404.html", "500.html", "403.html"])
def test_error_templates_render_without_a_request(template: str, db: None) -> None:
    from django.template.loader import render_to_string

    html = render_to_string(template)

    assert "874/QĐ-BTTTT" in html


def test_healthz_answers_ok(client: Client, db: None) -> None:
    response = client.get(reverse("healthz"))

    assert response.json() == {"status": "ok"}


def test_counts_are_shown_with_thousands_separators(client: Client, tree: Tree) -> None:
    Body.objects.bulk_create(
        Body(unit=tree.dien_lu, kind=BodyKind.VILLAGE_BOARD, name=f"Ban điều hành thôn {n}")
        for n in range(1200)
    )
    client.force_login(factories.admin_user())

    page = client.get(reverse("home")).content.decode()

    assert "1.205" in page  # 1,200 village boards and the five bodies of the tree


def test_admin_site_carries_the_portal_title(client: Client, db: None) -> None:
    client.force_login(factories.UserFactory.create(is_staff=True, is_superuser=True))

    page = client.get(reverse("admin:index")).content.decode()

    assert "Cổng quản lý trang mạng xã hội chính thức" in page


def test_staff_home_shows_what_their_pages_still_lack(client: Client, tree: Tree) -> None:
    from accounts_registry.models import Platform
    from accounts_registry.services.pages import page_register

    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    page_register(
        body=tree.ubnd_cam_ngoc,
        platform=Platform.objects.get(code="facebook"),
        url="https://www.facebook.com/ubndxacamngoc",
        display_name="UBND xã Cẩm Ngọc",
        by=staff,
    )
    client.force_login(staff)

    page = client.get(reverse("home")).content.decode()

    assert "Trang chính thức: việc còn phải làm" in page
    assert "?gap=no_contact" in page
    assert "?gap=no_rules" in page
    assert "?state=draft" in page
