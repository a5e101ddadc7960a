"""The registry list's search (staff: ``/registry/pages/?q=`` and the registry API's ``q``)
through the pages' staff search document.

On PostgreSQL each page's ``staff_search_document`` (its and its body's folded names) is
written by the triggers of migrations accounts_registry.0007/0008 and the list asks one
trigram condition per word of it. These tests rename through the portal's writers and look
at what the list finds afterwards (the new names, never the old ones), check that the list
still matches the page's and the body's names only (not the units', unlike the public
directory), and that it finds exactly what the two sub-queries per word (still used on
SQLite) find, in the same order.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts_registry.models import PageState, SocialPage
from accounts_registry.selectors import pages as selectors
from accounts_registry.services.pages import page_update
from portal.search import search_words
from portal.text import fold
from tests import factories
from tests.accounts_registry import factories_pages as make
from tests.accounts_registry import factories_public
from tests.conftest import Tree
from units.models import Body

API = "/api/v1/registry/pages/"


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(factories.admin_user())
    return client


@pytest.fixture
def cam_ngoc_page(tree: Tree) -> SocialPage:
    return factories_public.page(
        tree.ubnd_cam_ngoc, "https://www.facebook.com/page874", display_name="Trang tin"
    )


def listed(client: Client, query: str) -> str:
    """The staff list's page for ``query``, as HTML."""
    response = client.get(reverse("registry:page_list"), {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def listed_by_api(client: Client, query: str) -> list[str]:
    response = client.get(API, {"q": query})
    assert response.status_code == 200
    return [row["display_name"] for row in response.json()["results"]]


def test_the_document_holds_the_page_and_its_body_only(cam_ngoc_page: SocialPage) -> None:
    cam_ngoc_page.refresh_from_db()

    document = cam_ngoc_page.staff_search_document
    assert fold("Trang tin") in document
    assert "facebook.com/page874" in document
    assert fold("UBND Xã Cẩm Ngọc") in document
    assert "huyen" not in document
    assert "thanh hoa" not in document


def test_a_body_renamed_is_found_by_its_new_name_only(
    admin_client: Client, tree: Tree, cam_ngoc_page: SocialPage
) -> None:
    assert "Trang tin" in listed(admin_client, "ubnd cẩm ngọc")

    body = tree.ubnd_cam_ngoc
    body.name = "Ủy ban nhân dân xã Hòa Bình Mới"
    body.save()

    assert "Trang tin" in listed(admin_client, "Hòa Bình Mới")
    assert listed_by_api(admin_client, "uy ban nhan dan hoa binh moi") == ["Trang tin"]
    assert "Trang tin" not in listed(admin_client, "ubnd cẩm ngọc")
    assert listed_by_api(admin_client, "ubnd cam ngoc") == []


def test_bodies_renamed_in_bulk_are_found_by_their_new_names(
    admin_client: Client, tree: Tree, cam_ngoc_page: SocialPage
) -> None:
    # As the reorganisation and the synthetic generator write: bulk_update, no save().
    body = Body.objects.get(pk=tree.ubnd_cam_ngoc.pk)
    body.name = "Hội đồng nhân dân xã Cẩm Ngọc"
    body.search_name = fold(body.name)
    Body.objects.bulk_update([body], ["name", "search_name"])

    assert listed_by_api(admin_client, "hoi dong nhan dan cam ngoc") == ["Trang tin"]
    assert listed_by_api(admin_client, "ubnd cam ngoc") == []


def test_a_page_renamed_or_moved_is_found_by_its_new_names(
    admin_client: Client, tree: Tree, cam_ngoc_page: SocialPage
) -> None:
    page_update(
        page=cam_ngoc_page,
        by=factories.staff_of(tree.ubnd_cam_ngoc),
        display_name="Cổng thông tin điện tử",
    )
    assert listed_by_api(admin_client, "cong thong tin") == ["Cổng thông tin điện tử"]
    assert listed_by_api(admin_client, "trang tin") == []

    SocialPage.objects.filter(pk=cam_ngoc_page.pk).update(body=tree.ubnd_dien_lu)

    assert listed_by_api(admin_client, "cong thong tin dien lu") == ["Cổng thông tin điện tử"]
    assert listed_by_api(admin_client, "cong thong tin cam ngoc") == []


def test_the_list_does_not_search_the_units_names(
    admin_client: Client, cam_ngoc_page: SocialPage
) -> None:
    # The public directory finds it under its district and province; the staff list, as
    # before the document, by the page's and the body's names only.
    assert listed_by_api(admin_client, "trang tin cam ngoc") == ["Trang tin"]
    assert listed_by_api(admin_client, "trang tin huyen cam thuy") == []
    assert listed_by_api(admin_client, "trang tin thanh hoa") == []


QUERIES = [
    "",
    "cam",
    "cẩm thủy",
    "ubnd xa cam ngoc",
    "xa",
    "x",
    "an",
    "huyen",
    "thanh hoa truong",
    "facebook sinh1",
    "ngoc thuy hoi an",
    "nobody",
    "%",
    "x_",
]


@pytest.mark.parametrize("seed", [874, 2025])
def test_the_document_finds_what_the_two_sub_queries_find_in_the_same_order(
    tree: Tree, seed: int
) -> None:
    make.generated_registry(states=list(PageState), count=150, seed=seed)
    officer = factories.officer_of(tree.cam_thuy)

    for query in QUERIES:
        for scoped, state in (
            (SocialPage.objects.all(), None),
            (SocialPage.objects.all(), PageState.DRAFT),
            (selectors.pages_for(officer), None),
        ):
            by_parts = scoped.exclude(state=PageState.ARCHIVED) if state is None else scoped
            if state is not None:
                by_parts = by_parts.filter(state=state)
            for word in search_words(query):
                by_parts = by_parts.filter(selectors.page_or_body_matches(word))
            expected = list(selectors.page_rows(by_parts).values_list("pk", flat=True))

            found = selectors.page_rows(selectors.filter_pages(scoped, state=state, q=query))
            assert list(found.values_list("pk", flat=True)) == expected, query


def test_the_list_search_asks_one_trigram_index(tree: Tree) -> None:
    make.generated_registry(states=list(PageState), count=1500, seed=874)
    body = factories.BodyFactory.create(unit=tree.cam_ngoc, name="UBND xã Xuân Liên")
    factories_public.page(body, "https://www.facebook.com/xuanlien", display_name="Xuân Liên")
    with connection.cursor() as cursor:
        # The rows just written leave the index's pending list, as autovacuum does in time.
        cursor.execute("SELECT gin_clean_pending_list('page_staff_document_trgm')")
        cursor.execute("ANALYZE accounts_registry_socialpage")
        # On so few rows the planner rightly prefers a scan: turned off, the plan shows
        # which index the search can use (on the national data set it picks it itself).
        cursor.execute("SET enable_seqscan = off")
    try:
        pages = selectors.filter_pages(SocialPage.objects.all(), q="ubnd xuân liên")
        plan = str(pages.explain())
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET enable_seqscan")

    assert "page_staff_document_trgm" in plan
    assert "body_search_trgm" not in plan
    assert [page.display_name for page in pages] == ["Xuân Liên"]


def test_the_api_search_is_answered_by_the_document_too(
    tree: Tree, cam_ngoc_page: SocialPage
) -> None:
    api = APIClient()
    api.force_authenticate(factories.officer_of(tree.cam_thuy))

    response = api.get(API, {"q": "TRANG TIN cẩm ngọc"})

    assert response.status_code == 200
    assert [row["display_name"] for row in response.json()["results"]] == ["Trang tin"]
