"""The directory's search document stays in step with every writer of pages, bodies and units.

On PostgreSQL each page's ``search_document`` (its, its body's and its units' folded names)
is written by triggers (migration accounts_registry.0007_page_search_document) and the
directory asks one trigram condition per word of it. These tests rename, move and import
through the portal's own writers and look at what the public directory finds afterwards:
the new names, never the old ones. They also check, on a generated data set, that the
document finds exactly what the three-table search (still used on SQLite) finds, in the
same order, and that the search costs the same few queries whatever it finds.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook
from rest_framework.test import APIClient

from accounts_registry import bulk
from accounts_registry.models import PageState, SocialPage
from accounts_registry.selectors import public
from accounts_registry.services.pages import page_approve, page_update
from portal.search import search_words
from portal.text import fold
from tests import factories
from tests.accounts_registry import factories_pages as make
from tests.accounts_registry import factories_public
from tests.conftest import Tree
from units.models import Body
from units.services import unit_merge, unit_rename

DIRECTORY = "/api/v1/public/directory/"
ORDER = ("body__unit__path", "body__name", "platform__order", "display_name", "pk")


def found(api: APIClient, query: str) -> list[str]:
    """The display names the public directory API lists for ``query`` (first page)."""
    response = api.get(DIRECTORY, {"q": query})
    assert response.status_code == 200
    return [row["display_name"] for row in response.json()["results"]]


def found_on_page(client: Client, query: str) -> str:
    response = client.get(reverse("public:directory"), {"q": query})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def cam_ngoc_page(tree: Tree) -> SocialPage:
    return factories_public.page(
        tree.ubnd_cam_ngoc, "https://www.facebook.com/camngoc874", display_name="Trang tin"
    )


def test_the_document_is_used_on_postgresql() -> None:
    assert connection.vendor == "postgresql"
    assert public.search_document_in_use()


def test_the_document_holds_the_page_body_and_every_unit_above(
    cam_ngoc_page: SocialPage,
) -> None:
    cam_ngoc_page.refresh_from_db()

    document = cam_ngoc_page.search_document
    for name in (
        "Trang tin",
        "facebook.com/camngoc874",
        "UBND Xã Cẩm Ngọc",
        "Huyện Cẩm Thủy",
        "Tỉnh Thanh Hóa",
    ):
        assert fold(name) in document


def test_a_body_renamed_is_found_by_its_new_name_only(
    api: APIClient, client: Client, tree: Tree, cam_ngoc_page: SocialPage
) -> None:
    assert found(api, "ubnd cẩm ngọc") == ["Trang tin"]

    body = tree.ubnd_cam_ngoc
    body.name = "Ủy ban nhân dân xã Hòa Bình Mới"
    body.save()

    assert found(api, "hoa binh moi") == ["Trang tin"]
    assert found(api, "ủy ban nhân dân") == ["Trang tin"]
    assert found(api, "ubnd") == []
    assert "Trang tin" in found_on_page(client, "Hòa Bình Mới")


def test_a_unit_renamed_is_found_by_its_new_name_for_the_pages_below_it(
    api: APIClient, tree: Tree, cam_ngoc_page: SocialPage
) -> None:
    cam_thanh = factories_public.page(
        tree.ubnd_cam_thanh, "https://www.facebook.com/camthanh", display_name="Cẩm Thành"
    )
    assert sorted(found(api, "huyện cẩm thủy")) == ["Cẩm Thành", "Trang tin"]

    unit_rename(unit=tree.cam_thuy, name="Thị xã Cẩm Thủy Xanh", effective_on=date(2025, 1, 1))

    assert sorted(found(api, "thi xa cam thuy xanh")) == ["Cẩm Thành", "Trang tin"]
    assert found(api, "huyện cẩm thủy") == []
    assert found(api, "xanh camthanh") == [cam_thanh.display_name]


def test_a_province_renamed_reaches_the_pages_of_its_communes(
    api: APIClient, tree: Tree, cam_ngoc_page: SocialPage
) -> None:
    unit_rename(unit=tree.thanh_hoa, name="Tỉnh Hạc Thành", effective_on=date(2025, 1, 1))

    assert found(api, "hac thanh cam ngoc") == ["Trang tin"]
    assert found(api, "thanh hoa cam ngoc") == []


def test_units_merged_move_their_pages_under_the_successor(
    api: APIClient, tree: Tree, cam_ngoc_page: SocialPage
) -> None:
    muong_khoa = factories_public.page(
        tree.ubnd_muong_khoa, "https://www.facebook.com/muongkhoa", display_name="Mường Khoa"
    )
    # Huyện Tân Uyên (Lai Châu) merged into Huyện Cẩm Thủy: its commune and body move too.
    unit_merge(predecessors=[tree.tan_uyen], successor=tree.cam_thuy, effective_on=date(2025, 7, 1))

    assert muong_khoa.display_name in found(api, "cam thuy muong khoa")
    assert found(api, "thanh hoa muong khoa") == ["Mường Khoa"]
    assert found(api, "lai chau") == []
    assert found(api, "tan uyen") == []


def test_a_body_moved_to_another_unit_is_found_under_it(
    api: APIClient, tree: Tree, cam_ngoc_page: SocialPage
) -> None:
    Body.objects.filter(pk=tree.ubnd_cam_ngoc.pk).update(unit=tree.muong_khoa)

    assert found(api, "trang tin lai chau") == ["Trang tin"]
    assert found(api, "trang tin thanh hoa") == []


def test_a_page_edited_is_found_by_its_new_name_only(
    api: APIClient, tree: Tree, cam_ngoc_page: SocialPage
) -> None:
    editor = factories.staff_of(tree.ubnd_cam_ngoc)

    page_update(page=cam_ngoc_page, by=editor, display_name="Cổng thông tin Cẩm Ngọc")
    # A renamed official page goes back to review; the district's officer approves it.
    cam_ngoc_page.refresh_from_db()
    page_approve(page=cam_ngoc_page, by=factories.officer_of(tree.cam_thuy))

    assert found(api, "cong thong tin cam ngoc") == ["Cổng thông tin Cẩm Ngọc"]
    assert found(api, "trang tin") == []


def test_a_page_moved_to_another_body_is_found_under_it(
    api: APIClient, tree: Tree, cam_ngoc_page: SocialPage
) -> None:
    SocialPage.objects.filter(pk=cam_ngoc_page.pk).update(body=tree.ubnd_dien_lu)

    assert found(api, "trang tin dien lu ba thuoc") == ["Trang tin"]
    assert found(api, "trang tin huyen cam thuy") == []


def test_pages_of_a_bulk_import_are_found_once_approved(
    api: APIClient, client: Client, tree: Tree, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(factories.staff_of(tree.ubnd_cam_ngoc))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(bulk.HEADERS)
    for n, name in enumerate(("Tuổi trẻ Cẩm Ngọc", "Phụ nữ Cẩm Ngọc")):
        sheet.append(
            [
                tree.ubnd_cam_ngoc.pk,
                "facebook",
                f"https://www.facebook.com/nhap{n}",
                name,
                "",
                "không",
                "",
                "Văn phòng",
                "15/01/2020",
                "",
            ]
        )
    content = io.BytesIO()
    book.save(content)
    uploaded = client.post(
        reverse("registry:bulk_upload"),
        {"file": SimpleUploadedFile("trang.xlsx", content.getvalue())},
    )
    assert uploaded.status_code == 302
    assert client.post(reverse("registry:bulk_commit")).status_code == 302
    assert found(api, "cam ngoc") == []  # drafts are not public
    SocialPage.objects.update(state=PageState.APPROVED)

    assert sorted(found(api, "huyen cam thuy cam ngoc")) == ["Phụ nữ Cẩm Ngọc", "Tuổi trẻ Cẩm Ngọc"]
    assert found(api, "tuoi tre thanh hoa") == ["Tuổi trẻ Cẩm Ngọc"]


def test_bodies_renamed_in_bulk_are_found_by_their_new_names(
    api: APIClient, tree: Tree, cam_ngoc_page: SocialPage
) -> None:
    # As the reorganisation and the synthetic generator write: bulk_update, no save().
    bodies = list(Body.objects.filter(pk__in=[tree.ubnd_cam_ngoc.pk, tree.ubnd_dien_lu.pk]))
    for body in bodies:
        body.name = f"Hội đồng nhân dân {body.pk}"
        body.search_name = fold(body.name)
    Body.objects.bulk_update(bodies, ["name", "search_name"])

    assert found(api, "hoi dong nhan dan cam ngoc") == ["Trang tin"]
    assert found(api, "ubnd cam ngoc") == []


# Two approved pages for one draft: the directory lists approved pages only.
DIRECTORY_STATES = [PageState.APPROVED, PageState.APPROVED, PageState.DRAFT]

QUERIES = [
    "",
    "cam",
    "cẩm thủy",
    "ubnd xa cam ngoc",
    "xa",
    "x",
    "an",
    "thanh hoa truong",
    "lai chau doan",
    "huyen",
    "facebook sinh1",
    "ngoc thuy hoi an",
    "nobody",
    "%",
    "x_",
]


@pytest.mark.parametrize("seed", [874, 2025])
def test_the_document_finds_what_the_three_tables_find_in_the_same_order(
    tree: Tree, seed: int
) -> None:
    make.generated_registry(states=DIRECTORY_STATES, count=150, seed=seed)

    for query in QUERIES:
        by_parts = SocialPage.objects.official()
        for word in search_words(query):
            by_parts = by_parts.filter(public.word_in_page_body_or_units(word))
        expected = list(by_parts.order_by(*ORDER).values_list("pk", flat=True))

        assert list(public.directory_pages(query=query).values_list("pk", flat=True)) == expected
        for platform, province in (("zalo", None), ("", tree.lai_chau.pk)):
            filtered = public.directory_pages(query=query, platform=platform, province=province)
            narrowed = by_parts.filter(platform__code=platform) if platform else by_parts
            if province:
                narrowed = narrowed.filter(body__unit__path__startswith=tree.lai_chau.path)
            assert list(filtered.values_list("pk", flat=True)) == list(
                narrowed.order_by(*ORDER).values_list("pk", flat=True)
            )


def test_a_search_of_common_words_costs_the_same_queries_as_no_search(
    api: APIClient, client: Client, tree: Tree, django_assert_max_num_queries: Any
) -> None:
    make.generated_registry(states=DIRECTORY_STATES, count=60, seed=874)
    with django_assert_max_num_queries(3) as plain:
        api.get(DIRECTORY)

    with django_assert_max_num_queries(len(plain.captured_queries)):
        response = api.get(DIRECTORY, {"q": "ubnd xã cẩm ngọc thanh hóa an x"})
    assert response.status_code == 200

    with django_assert_max_num_queries(4) as page:
        client.get(reverse("public:directory"))
    with django_assert_max_num_queries(len(page.captured_queries)):
        assert client.get(reverse("public:directory"), {"q": "ubnd xa cam"}).status_code == 200


def test_the_directory_search_asks_one_trigram_index(tree: Tree) -> None:
    make.generated_registry(states=DIRECTORY_STATES, count=1500, seed=874)
    body = factories.BodyFactory.create(unit=tree.cam_ngoc, name="UBND xã Xuân Liên")
    factories_public.page(body, "https://www.facebook.com/xuanlien", display_name="Xuân Liên")
    # On so few rows the planner rightly prefers scans: turned off, the plan shows which
    # index the search *can* use (on the national data set the planner picks it itself).
    with connection.cursor() as cursor:
        # What autovacuum does in time: the rows just written leave the index's pending list
        # (which the planner would count as a scan of every row written since).
        cursor.execute("SELECT gin_clean_pending_list('page_document_trgm')")
        for table in ("accounts_registry_socialpage", "units_body", "units_administrativeunit"):
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
    try:
        pages = public.directory_pages(query="ubnd xuân liên")
        plan = str(pages.explain())
        names = [page.display_name for page in pages]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_indexscan")

    assert names == ["Xuân Liên"]
    assert "page_document_trgm" in plan, plan
    assert "body_search_trgm" not in plan
    assert "unit_search_trgm" not in plan
