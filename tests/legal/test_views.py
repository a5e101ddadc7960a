"""The public pages of the legal library: the whole Code, its search, and the criteria."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from legal.models import LegalNode
from legal.services import LoadResult, load_file
from tests.legal.conftest import LibraryWriter, node

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.legal.urls")]

# The library, its nodes and the criteria citing them: the same for 33 nodes or 300.
PAGE_BUDGET = 4


def _node_block(page: str, ref: str) -> str:
    """The HTML of one node's block on the Code page."""
    start = page.index(f'id="{ref}"')
    end = page.find('<div class="legal-node', start + 1)
    return page[start : end if end != -1 else len(page)]


def test_the_code_page_is_public_and_anchors_every_article_and_clause(
    client: Client, loaded: list[LoadResult]
) -> None:
    response = client.get("/legal/qd874/")

    page = response.content.decode()
    assert response.status_code == 200
    for ref in ("qd874.code.d1", "qd874.code.d4.k2", "qd874.code.d6.k4", "qd874.code.d8.k1"):
        assert f'id="{ref}"' in page
        assert f'href="#{ref}"' in page
    assert "tên hiệu thật của tổ chức" in page


def test_a_verbatim_clause_is_labelled_verbatim(client: Client, loaded: list[LoadResult]) -> None:
    page = client.get("/legal/qd874/").content.decode()

    block = _node_block(page, "qd874.code.d4.k2")
    with translation.override("vi"):
        assert translation.gettext("Verbatim") in block
    assert 'data-text-status="verbatim"' in block


def test_article_5_shows_the_summary_label_and_its_source(
    client: Client, loaded: list[LoadResult]
) -> None:
    page = client.get("/legal/qd874/").content.decode()

    with translation.override("vi"):
        label = translation.gettext("Summary — not the official wording")
    for ref in ("qd874.code.d5", "qd874.code.d5.k2"):
        block = _node_block(page, ref)
        assert label in block
        assert label.startswith("Tóm tắt")
        assert 'data-text-status="summary"' in block
        assert "Nguồn:" in block
    # The clause says, in Vietnamese, which letters it is restated from.
    block = _node_block(page, "qd874.code.d5.k2")
    assert "Công văn năm 2024 của UBND xã Cẩm Ngọc" in block
    assert "Công văn số 6389/UBND-KGVX ngày 03/11/2021 của UBND tỉnh Đắk Nông" in block


def test_search_without_diacritics_finds_the_clause_and_highlights_it(
    client: Client, loaded: list[LoadResult]
) -> None:
    response = client.get("/legal/qd874/", {"q": "ten hieu that"})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="qd874.code.d4.k2"' in page
    assert "<mark>tên hiệu thật</mark>" in page
    # Its article is kept for context; unrelated clauses are left out.
    assert 'id="qd874.code.d4"' in page
    assert 'id="qd874.code.d1.k1"' not in page


def test_search_with_nothing_found_says_so(client: Client, loaded: list[LoadResult]) -> None:
    response = client.get("/legal/qd874/", {"q": "khong co gi nhu the nay"})

    assert response.status_code == 200
    assert 'class="legal-node' not in response.content.decode()


def test_each_clause_lists_the_criteria_citing_it(client: Client, loaded: list[LoadResult]) -> None:
    page = client.get("/legal/qd874/").content.decode()

    block = _node_block(page, "qd874.code.d5.k2")
    assert 'href="/legal/criteria/#criterion-posting_rules"' in block
    assert "Đã ban hành nội quy cung cấp thông tin lên mạng xã hội" in block


def test_criteria_page_links_each_criterion_to_the_clauses_it_cites(
    client: Client, loaded: list[LoadResult], django_assert_max_num_queries: Callable[..., Any]
) -> None:
    with django_assert_max_num_queries(PAGE_BUDGET):
        response = client.get("/legal/criteria/")

    page = response.content.decode()
    assert response.status_code == 200
    row = page[page.index('id="criterion-real_name"') :]
    row = row[: row.index("</tr>")]
    assert 'href="/legal/qd874/#qd874.code.d4.k2"' in row
    assert 'href="/legal/qd874/#qd874.code.d6.k1"' in row


def test_library_list_links_to_the_code(client: Client, loaded: list[LoadResult]) -> None:
    response = client.get(reverse("legal:library_list"))

    assert response.status_code == 200
    assert 'href="/legal/qd874/"' in response.content.decode()
    assert "/legal/criteria-874/" not in response.content.decode()


def test_an_unknown_library_or_a_criteria_set_is_not_found(
    client: Client, loaded: list[LoadResult]
) -> None:
    assert client.get("/legal/nope/").status_code == 404
    assert client.get("/legal/criteria-874/").status_code == 404


def test_the_code_page_query_count_stays_flat_as_the_text_grows(
    client: Client,
    loaded: list[LoadResult],
    shipped_library: dict[str, Any],
    write_file: LibraryWriter,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    with django_assert_max_num_queries(PAGE_BUDGET):
        client.get("/legal/qd874/")
    article = node(shipped_library, "qd874.code.d4")
    extra = [
        dict(
            article,
            id=f"qd874.code.d4.k{number}",
            kind="clause",
            number=str(number),
            parent="qd874.code.d4",
            text=f"Khoản thêm {number}.",
        )
        for number in range(9, 109)
    ]
    shipped_library["nodes"] += extra
    load_file(path=write_file(dict(shipped_library, version="2027-01-15")))

    with django_assert_max_num_queries(PAGE_BUDGET):
        response = client.get("/legal/qd874/")

    assert 'id="qd874.code.d4.k108"' in response.content.decode()


def test_a_retired_clause_still_cited_stays_reachable_by_its_anchor(
    client: Client,
    loaded: list[LoadResult],
    shipped_library: dict[str, Any],
    write_file: LibraryWriter,
) -> None:
    shipped_library["nodes"] = [
        item for item in shipped_library["nodes"] if item["id"] != "qd874.code.d5.k2"
    ]
    load_file(path=write_file(dict(shipped_library, version="2027-01-15")))

    page = client.get("/legal/qd874/").content.decode()
    criteria_page = client.get("/legal/criteria/").content.decode()

    assert re.search(r'class="legal-node legal-node--retired" id="qd874.code.d5.k2"', page)
    assert 'href="/legal/qd874/#qd874.code.d5.k2"' in criteria_page


# The maintainers' notes of the shipped files, in English: never on a Vietnamese page.
MAINTAINER_NOTES = (
    "a quiz on the Code",
    "Letters 'encourage' verification",
    "thuvienphapluat.vn Q&A pages",
    "restating the Code",
    "clause order not confirmed",
    "A reviewer confirms",
)


def test_the_code_and_criteria_pages_show_no_maintainers_notes(
    client: Client, loaded: list[LoadResult]
) -> None:
    for url in ("/legal/qd874/", "/legal/criteria/"):
        page = client.get(url).content.decode()

        for note in MAINTAINER_NOTES:
            assert note not in page, (url, note)


def test_each_criterion_is_explained_in_vietnamese(
    client: Client, loaded: list[LoadResult]
) -> None:
    page = client.get("/legal/criteria/").content.decode()

    row = page[page.index('id="criterion-platform_verified"') :]
    row = row[: row.index("</tr>")]
    assert "khuyến khích" in row
    assert "dấu tích xanh" in row


def test_the_internal_rules_criterion_cites_what_the_letter_asks(
    client: Client, loaded: list[LoadResult]
) -> None:
    page = client.get("/legal/criteria/").content.decode()

    row = page[page.index('id="criterion-posting_rules"') :]
    row = row[: row.index("</tr>")]
    assert "6389/UBND-KGVX" in row
    assert "xem xét xây dựng nội quy" in row


def test_the_english_interface_explains_in_english(
    client: Client, loaded: list[LoadResult]
) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    code = client.get("/legal/qd874/").content.decode()
    criteria = client.get("/legal/criteria/").content.decode()

    assert "Summary as restated in the 2024 letter of UBND xã Cẩm Ngọc" in code
    assert "Công văn năm 2024" not in code
    assert "The letters “encourage” verification" in criteria
    # The maintainers' own notes stay in the admin in English too.
    assert "GitHub" not in code
    assert "Letters 'encourage' verification" not in criteria


def test_administrators_find_the_maintainers_notes_from_the_pages(
    admin_client: Client, loaded: list[LoadResult]
) -> None:
    code = admin_client.get("/legal/qd874/").content.decode()
    criteria = admin_client.get("/legal/criteria/").content.decode()

    node = LegalNode.objects.get(ref="qd874.code.d6.k1")
    assert f"/admin/legal/legalnode/{node.pk}/change/" in code
    assert "/admin/legal/compliancecriterion/" in criteria
    # The admin itself shows the note.
    admin_page = admin_client.get(f"/admin/legal/legalnode/{node.pk}/change/").content.decode()
    assert "a quiz on the Code" in admin_page


def test_the_public_sees_no_link_to_the_administration_site(
    client: Client, loaded: list[LoadResult]
) -> None:
    assert "/admin/legal/" not in client.get("/legal/qd874/").content.decode()
    assert "/admin/legal/" not in client.get("/legal/criteria/").content.decode()
