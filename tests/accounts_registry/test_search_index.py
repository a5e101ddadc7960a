"""Name searches are answered by the trigram indexes on the folded names (units/search.py).

The indexes exist on PostgreSQL (migrations units.0005 and accounts_registry.0005), and
the SQL that the directory, the registry list and the pickers' autocomplete send can use
them: a ``LIKE '%word%'`` on the folded column, not on an expression the index cannot
answer. On a few thousand rows a sequential scan is still the planner's cheaper choice, so
the tests turn sequential scans off to see which index the query *can* use; on the national
data set (100,000 bodies, 150,000 pages) the planner picks the trigram indexes by itself
(docs/registry.md, "Search at national scale").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from accounts_registry.models import PageState, Platform, SocialPage
from accounts_registry.selectors import pages as page_selectors
from accounts_registry.selectors import public
from portal.text import fold
from tests.conftest import Tree
from units.models import Body, BodyKind
from units.pickers import PickerKind, search_scope

ROWS = 3_000


@pytest.fixture
def many_rows(tree: Tree) -> None:
    """A few thousand bodies and approved pages, written in bulk with their folded names."""
    facebook = Platform.objects.get(code="facebook")
    bodies = Body.objects.bulk_create(
        Body(
            unit=tree.cam_ngoc if n % 2 else tree.dien_lu,
            kind=BodyKind.PUBLIC_SERVICE_UNIT,
            name=f"Trường Trung học cơ sở số {n}",
            search_name=fold(f"Trường Trung học cơ sở số {n}"),
        )
        for n in range(ROWS)
    )
    bodies[7].name = "Ban Quản lý rừng phòng hộ Xuân Liên"
    bodies[7].save()
    SocialPage.objects.bulk_create(
        SocialPage(
            body=body,
            platform=facebook,
            display_name=body.name,
            url=f"https://www.facebook.com/truong{n}",
            canonical_key=f"facebook:truong{n}",
            state=PageState.APPROVED,
            search_name=fold(f"{body.name} https://www.facebook.com/truong{n}"),
        )
        for n, body in enumerate(bodies)
    )
    with connection.cursor() as cursor:
        # As autovacuum would: the rows leave the GIN pending list the planner counts in.
        cursor.execute("SELECT gin_clean_pending_list('page_document_trgm')")
        cursor.execute("SELECT gin_clean_pending_list('page_staff_document_trgm')")
        cursor.execute("ANALYZE units_body")
        cursor.execute("ANALYZE accounts_registry_socialpage")
        cursor.execute("ANALYZE units_administrativeunit")


@pytest.fixture
def no_seq_scan() -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET enable_seqscan")


def _plan(queryset: Any) -> str:
    return str(queryset.explain())


@pytest.mark.django_db
def test_the_trigram_indexes_exist() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE %s", ["%_trgm"]
        )
        found = dict(cursor.fetchall())

    assert set(found) >= {"unit_search_trgm", "body_search_trgm", "page_search_trgm"}
    assert all("gin_trgm_ops" in definition for definition in found.values())


@pytest.mark.usefixtures("many_rows", "no_seq_scan")
def test_the_directory_search_uses_the_trigram_indexes() -> None:
    pages = public.directory_pages(query="xuân liên")

    plan = _plan(pages)

    # One trigram index: the pages' search document (migration accounts_registry.0007).
    assert "page_document_trgm" in plan
    assert [page.display_name for page in pages] == ["Ban Quản lý rừng phòng hộ Xuân Liên"]


@pytest.mark.usefixtures("many_rows", "no_seq_scan")
def test_the_registry_list_search_uses_the_trigram_indexes() -> None:
    pages = page_selectors.filter_pages(SocialPage.objects.all(), q="phòng hộ xuân liên")

    plan = _plan(pages)

    # One trigram index: the pages' staff search document (migration accounts_registry.0008).
    assert "page_staff_document_trgm" in plan
    assert pages.count() == 1


@pytest.mark.usefixtures("many_rows", "no_seq_scan")
def test_the_autocomplete_uses_the_trigram_index() -> None:
    bodies = search_scope(Body.objects.all(), PickerKind.BODY, "xuan lien")

    assert "body_search_trgm" in _plan(bodies)
    assert [body.name for body in bodies] == ["Ban Quản lý rừng phòng hộ Xuân Liên"]
