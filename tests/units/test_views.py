"""Browsing units and bodies: each page per role, search, scope and formatting."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date, datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.conftest import Tree
from units.models import AdministrativeUnit, BodyKind
from users.models import User

ROLES: dict[str, Callable[[Tree], User]] = {
    "commune staff": lambda tree: factories.staff_of(tree.ubnd_cam_ngoc),
    "district officer": lambda tree: factories.officer_of(tree.cam_thuy),
    "province officer": lambda tree: factories.officer_of(tree.thanh_hoa),
    "system admin": lambda tree: factories.admin_user(is_staff=True),
}

# Session, user, grants, the header's unread-notification and unacknowledged-directive
# counts, and the page's own reads (the body page also asks whether the user may register
# pages), and the unit page's latest fake-page reviews (incidents): none may grow with the data.
LIST_BUDGET = 10
DETAIL_BUDGET = 13


def logged_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_unit_list_renders_for_each_role_within_budget(
    client: Client, tree: Tree, role: str, django_assert_max_num_queries: Callable
) -> None:
    logged_in(client, ROLES[role](tree))

    with django_assert_max_num_queries(LIST_BUDGET):
        response = client.get(reverse("units:unit_list"))

    assert response.status_code == 200
    assert "Xã Cẩm Ngọc" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_unit_detail_renders_for_each_role_within_budget(
    client: Client, tree: Tree, role: str, django_assert_max_num_queries: Callable
) -> None:
    logged_in(client, ROLES[role](tree))

    with django_assert_max_num_queries(DETAIL_BUDGET):
        response = client.get(reverse("units:unit_detail", args=[tree.cam_ngoc.pk]))

    assert response.status_code == 200
    assert "UBND Xã Cẩm Ngọc" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_body_list_renders_for_each_role_within_budget(
    client: Client, tree: Tree, role: str, django_assert_max_num_queries: Callable
) -> None:
    logged_in(client, ROLES[role](tree))

    with django_assert_max_num_queries(LIST_BUDGET):
        response = client.get(reverse("units:body_list"))

    assert response.status_code == 200
    assert "UBND Xã Cẩm Ngọc" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_body_detail_renders_for_each_role_within_budget(
    client: Client, tree: Tree, role: str, django_assert_max_num_queries: Callable
) -> None:
    logged_in(client, ROLES[role](tree))

    with django_assert_max_num_queries(DETAIL_BUDGET):
        response = client.get(reverse("units:body_detail", args=[tree.ubnd_cam_ngoc.pk]))

    assert response.status_code == 200
    assert "UBND Xã Cẩm Ngọc" in response.content.decode()


def test_list_budget_does_not_grow_with_the_number_of_units(
    client: Client, tree: Tree, django_assert_max_num_queries: Callable
) -> None:
    for n in range(30):
        factories.commune(tree.ba_thuoc, f"Xã Thử {n}", code=f"9{n:04d}")
    logged_in(client, factories.officer_of(tree.thanh_hoa))

    with django_assert_max_num_queries(LIST_BUDGET):
        response = client.get(reverse("units:unit_list"))

    assert response.status_code == 200


def test_detail_budget_does_not_grow_with_children_and_bodies(
    client: Client, tree: Tree, django_assert_max_num_queries: Callable
) -> None:
    for n in range(20):
        commune = factories.commune(tree.cam_thuy, f"Xã Thử {n}", code=f"7{n:04d}")
        factories.BodyFactory.create(
            unit=tree.cam_thuy, name=f"Phòng thử {n}", supervising_body=tree.vhtt_cam_thuy
        )
        factories.BodyFactory.create(unit=commune, name=f"UBND Xã Thử {n}")
    logged_in(client, factories.officer_of(tree.thanh_hoa))

    with django_assert_max_num_queries(DETAIL_BUDGET):
        unit_page = client.get(reverse("units:unit_detail", args=[tree.cam_thuy.pk]))
    with django_assert_max_num_queries(DETAIL_BUDGET):
        body_page = client.get(reverse("units:body_detail", args=[tree.vhtt_cam_thuy.pk]))
    with django_assert_max_num_queries(LIST_BUDGET):
        body_list = client.get(reverse("units:body_list"))

    assert unit_page.status_code == body_page.status_code == body_list.status_code == 200
    assert len(body_page.context["supervised"]) == 20


def test_search_without_diacritics_finds_the_commune(client: Client, tree: Tree) -> None:
    logged_in(client, factories.officer_of(tree.thanh_hoa))

    response = client.get(reverse("units:unit_list"), {"q": "cam ngoc"})

    page = response.content.decode()
    assert "Xã Cẩm Ngọc" in page
    assert "Xã Cẩm Thành" not in page
    assert "Xã Điền Lư" not in page


def test_search_typed_in_nfd_finds_the_commune(client: Client, tree: Tree) -> None:
    logged_in(client, factories.officer_of(tree.thanh_hoa))
    typed = unicodedata.normalize("NFD", "Cẩm Ngọc")
    assert typed != "Cẩm Ngọc"

    response = client.get(reverse("units:unit_list"), {"q": typed})

    page = response.content.decode()
    assert "Xã Cẩm Ngọc" in page
    assert "Xã Cẩm Thành" not in page


def test_level_filter_shows_only_units_of_that_level(client: Client, tree: Tree) -> None:
    logged_in(client, factories.officer_of(tree.thanh_hoa))

    response = client.get(reverse("units:unit_list"), {"level": "district"})

    units = list(response.context["page"])
    assert set(units) == {tree.cam_thuy, tree.ba_thuoc}


def test_unit_list_shows_type_code_and_parent(client: Client, tree: Tree) -> None:
    logged_in(client, factories.officer_of(tree.cam_thuy))

    response = client.get(reverse("units:unit_list"), {"q": "cam ngoc"})

    page = response.content.decode()
    assert "15010" in page
    assert "Xã" in page
    assert f'href="{reverse("units:unit_detail", args=[tree.cam_thuy.pk])}"' in page


def test_closed_unit_shows_the_date_it_was_in_force_until(client: Client, tree: Tree) -> None:
    AdministrativeUnit.objects.filter(pk=tree.cam_thanh.pk).update(
        valid_until=date(2025, 6, 30), succeeded_by=tree.cam_ngoc
    )
    logged_in(client, factories.officer_of(tree.cam_thuy))

    listing = client.get(reverse("units:unit_list")).content.decode()
    detail = client.get(reverse("units:unit_detail", args=[tree.cam_thanh.pk])).content.decode()

    assert "30/06/2025" in listing
    assert "30/06/2025" in detail
    assert reverse("units:unit_detail", args=[tree.cam_ngoc.pk]) in detail


def test_successor_lists_the_units_it_was_formed_from(client: Client, tree: Tree) -> None:
    AdministrativeUnit.objects.filter(pk=tree.cam_thanh.pk).update(
        valid_until=date(2025, 6, 30), succeeded_by=tree.cam_ngoc
    )
    logged_in(client, factories.officer_of(tree.cam_thuy))

    response = client.get(reverse("units:unit_detail", args=[tree.cam_ngoc.pk]))

    assert response.context["predecessors"] == [tree.cam_thanh]
    assert "Xã Cẩm Thành" in response.content.decode()


def test_unit_list_paginates_and_keeps_the_filters(client: Client, tree: Tree) -> None:
    for n in range(55):
        factories.commune(tree.ba_thuoc, f"Xã Thử {n:02d}", code=f"8{n:04d}")
    logged_in(client, factories.officer_of(tree.thanh_hoa))

    first = client.get(reverse("units:unit_list"), {"q": "xa thu"})
    second = client.get(reverse("units:unit_list"), {"q": "xa thu", "page": "2"})

    assert len(first.context["page"]) == 50
    assert "?q=xa+thu&amp;page=2" in first.content.decode()
    assert len(second.context["page"]) == 5


def test_breadcrumbs_link_only_to_ancestors_in_scope(client: Client, tree: Tree) -> None:
    logged_in(client, factories.officer_of(tree.cam_thuy))

    response = client.get(reverse("units:unit_detail", args=[tree.cam_ngoc.pk]))

    page = response.content.decode()
    assert "Tỉnh Thanh Hóa" in page
    assert reverse("units:unit_detail", args=[tree.thanh_hoa.pk]) not in page
    assert reverse("units:unit_detail", args=[tree.cam_thuy.pk]) in page


def test_unit_detail_lists_children_and_bodies(client: Client, tree: Tree) -> None:
    logged_in(client, factories.officer_of(tree.cam_thuy))

    response = client.get(reverse("units:unit_detail", args=[tree.cam_thuy.pk]))

    page = response.content.decode()
    assert "Xã Cẩm Ngọc" in page
    assert "Xã Cẩm Thành" in page
    assert "Phòng Văn hóa và Thông tin huyện Cẩm Thủy" in page


def test_commune_staff_gets_404_on_another_communes_unit(client: Client, tree: Tree) -> None:
    logged_in(client, factories.staff_of(tree.ubnd_cam_ngoc))

    response = client.get(reverse("units:unit_detail", args=[tree.cam_thanh.pk]))

    assert response.status_code == 404


def test_commune_staff_gets_404_on_another_communes_body(client: Client, tree: Tree) -> None:
    logged_in(client, factories.staff_of(tree.ubnd_cam_ngoc))

    response = client.get(reverse("units:body_detail", args=[tree.ubnd_cam_thanh.pk]))

    assert response.status_code == 404


def test_district_officer_gets_404_outside_the_district(client: Client, tree: Tree) -> None:
    logged_in(client, factories.officer_of(tree.cam_thuy))

    assert client.get(reverse("units:unit_detail", args=[tree.dien_lu.pk])).status_code == 404
    assert client.get(reverse("units:body_detail", args=[tree.ubnd_dien_lu.pk])).status_code == 404


def test_body_list_search_is_accent_insensitive(client: Client, tree: Tree) -> None:
    logged_in(client, factories.officer_of(tree.cam_thuy))

    response = client.get(reverse("units:body_list"), {"q": "UBND CAM NGOC"})

    assert list(response.context["page"]) == [tree.ubnd_cam_ngoc]


def test_body_list_filters_by_kind(client: Client, tree: Tree) -> None:
    logged_in(client, factories.officer_of(tree.cam_thuy))

    response = client.get(reverse("units:body_list"), {"kind": BodyKind.DEPARTMENT})

    assert list(response.context["page"]) == [tree.vhtt_cam_thuy]


def test_archived_bodies_are_hidden_unless_asked_for(client: Client, tree: Tree) -> None:
    tree.ubnd_cam_thanh.archived_at = timezone.now()
    tree.ubnd_cam_thanh.save()
    logged_in(client, factories.officer_of(tree.cam_thuy))

    default = client.get(reverse("units:body_list"))
    with_archived = client.get(reverse("units:body_list"), {"archived": "1"})

    assert tree.ubnd_cam_thanh not in list(default.context["page"])
    assert tree.ubnd_cam_thanh in list(with_archived.context["page"])


def test_body_detail_shows_kind_supervisor_contacts_and_archived_badge(
    client: Client, tree: Tree
) -> None:
    body = tree.ubnd_cam_ngoc
    body.supervising_body = tree.vhtt_cam_thuy
    body.phone = "0237 3876 123"
    body.archived_at = datetime(2025, 7, 1, 9, 0, tzinfo=timezone.get_current_timezone())
    body.save()
    logged_in(client, factories.officer_of(tree.cam_thuy))

    page = client.get(reverse("units:body_detail", args=[body.pk])).content.decode()

    assert "Ủy ban nhân dân" in page  # the kind, in Vietnamese
    assert "Phòng Văn hóa và Thông tin huyện Cẩm Thủy" in page
    assert reverse("units:body_detail", args=[tree.vhtt_cam_thuy.pk]) in page
    assert body.email in page
    assert "0237 3876 123" in page
    assert "01/07/2025" in page


def test_supervising_body_outside_scope_is_plain_text(client: Client, tree: Tree) -> None:
    body = tree.ubnd_cam_ngoc
    body.supervising_body = tree.vhtt_cam_thuy
    body.save()
    logged_in(client, factories.staff_of(body))

    page = client.get(reverse("units:body_detail", args=[body.pk])).content.decode()

    assert "Phòng Văn hóa và Thông tin huyện Cẩm Thủy" in page
    assert reverse("units:body_detail", args=[tree.vhtt_cam_thuy.pk]) not in page


def test_pages_need_a_login(client: Client, tree: Tree) -> None:
    response = client.get(reverse("units:unit_list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
