"""Every search, public or staff, is bounded: an over-long one gets a clear 400, at once.

Each word of a search is a condition (the directory's is a sub-query over the units above a
page), so 2,000 words once took 44 s and a 500. The routes are enumerated from the URLconf:
a search page added tomorrow is covered without anyone remembering it here.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver

from portal.search import MAX_SEARCH_LENGTH, MAX_SEARCH_WORDS, search_words
from tests import factories
from tests.conftest import Tree
from tests.test_url_access import _example_path, _patterns

LONG_WORDS = " ".join(f"tu{n}" for n in range(400))  # 400 words, about 2 KB
LONG_TEXT = "a" * (MAX_SEARCH_LENGTH + 1)
FITS = " ".join(["cam"] * MAX_SEARCH_WORDS)


def _get_routes() -> list[str]:
    """Every parameterless route outside the admin: any of them may read a search."""
    paths = set()
    for route, _name, _ns in _patterns(get_resolver().url_patterns):
        if route.startswith(("admin/", "static/", "media/")) or "<" in route:
            continue
        path = _example_path(route)
        if path is not None:
            paths.add(path)
    return sorted(paths)


def test_the_public_directory_refuses_four_hundred_words_with_a_clear_400(tree: Tree) -> None:
    client = Client()

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/directory/", {"q": LONG_WORDS})

    assert response.status_code == 400
    text = response.content.decode()
    assert "Từ khóa tìm kiếm có quá nhiều từ" in text
    assert str(MAX_SEARCH_WORDS) in text
    # Refused before any search ran: no query touched the pages.
    assert not any("accounts_registry_socialpage" in q["sql"] for q in queries.captured_queries)


def test_the_public_api_refuses_an_over_long_search_in_json(tree: Tree) -> None:
    response = Client().get("/api/v1/public/directory/", {"q": LONG_TEXT})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "quá dài" in response.json()["q"][0]


def test_a_search_of_the_largest_allowed_size_still_runs(tree: Tree) -> None:
    response = Client().get("/directory/", {"q": FITS})

    assert response.status_code == 200


@pytest.mark.parametrize("path", _get_routes())
def test_every_route_refuses_an_over_long_search_for_an_administrator(
    tree: Tree, path: str
) -> None:
    client = Client()
    client.force_login(factories.admin_user())

    for value in (LONG_WORDS, LONG_TEXT):
        response = client.get(path, {"q": value})

        assert response.status_code == 400, (path, response.status_code)


def test_search_words_caps_what_a_selector_uses() -> None:
    words = search_words(LONG_WORDS)

    assert len(words) == MAX_SEARCH_WORDS
    assert search_words("Cẩm  NGỌC cẩm ngọc") == ["cam", "ngoc"]
