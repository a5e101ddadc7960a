"""The public verification finds its page through an index, archived pages included.

The unique constraints on the page's address are partial (archived pages are left out, so
an archived address can be registered again); the verification must find archived pages
too ("no longer official"), so it needs full indexes of its own. PostgreSQL's plan of the
real lookup query is read on a registry large enough for a scan to cost more than the index.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts_registry.models import PageState, Platform, SocialPage
from accounts_registry.selectors import public
from tests.conftest import Tree

PAGES = 4000
NEW_INDEXES = {"page_verify_address", "page_verify_permanent_id"}


@pytest.fixture
def big_registry(tree: Tree) -> None:
    """PAGES Facebook pages over the tree's bodies, one in ten archived; statistics fresh."""
    facebook = Platform.objects.get(code="facebook")
    bodies = [tree.ubnd_cam_ngoc, tree.ubnd_cam_thanh, tree.ubnd_dien_lu, tree.ubnd_muong_khoa]
    now = timezone.now()
    pages = []
    for number in range(PAGES):
        archived = number % 10 == 0
        pages.append(
            SocialPage(
                body=bodies[number % len(bodies)],
                platform=facebook,
                display_name=f"Trang số {number}",
                url=f"https://www.facebook.com/trang{number}",
                canonical_key=f"handle:trang{number}",
                permanent_id=f"1000{number:08d}" if number % 2 else "",
                state=PageState.ARCHIVED if archived else PageState.APPROVED,
                approved_at=now,
                archived_at=now if archived else None,
                search_name=f"trang so {number}",
            )
        )
    SocialPage.objects.bulk_create(pages, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {SocialPage._meta.db_table}")


def _lookup_plan(url: str) -> tuple[public.Verdict, dict[str, Any]]:
    """The verdict on ``url`` and PostgreSQL's plan of the query that found its page."""
    with CaptureQueriesContext(connection) as queries:
        verdict = public.verify_url(url)
    table = SocialPage._meta.db_table
    [lookup] = [
        query["sql"]
        for query in queries.captured_queries
        if f'FROM "{table}"' in query["sql"] and "canonical_key" in query["sql"]
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {lookup}")
        raw = cursor.fetchone()[0]
    plan = raw if isinstance(raw, list) else json.loads(raw)
    return verdict, plan[0]["Plan"]


def _scans_of(node: dict[str, Any], table: str) -> list[tuple[str, str]]:
    """(node type, index name) of every scan of ``table`` in the plan."""
    found = []
    if node.get("Relation Name") == table or (
        node.get("Node Type") == "Bitmap Index Scan" and "Index Name" in node
    ):
        found.append((node["Node Type"], node.get("Index Name", "")))
    for child in node.get("Plans", []):
        found.extend(_scans_of(child, table))
    return found


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("https://www.facebook.com/trang1234", public.VerdictStatus.OFFICIAL),
        # An archived page: left out of the partial unique indexes.
        ("https://m.facebook.com/trang1230/?ref=share", public.VerdictStatus.NO_LONGER_OFFICIAL),
        # A permanent id: the lookup matches the address or the id.
        ("https://www.facebook.com/profile.php?id=100000001235", public.VerdictStatus.OFFICIAL),
        ("https://www.facebook.com/chuaxacdinh", public.VerdictStatus.NOT_REGISTERED),
    ],
)
def test_the_verification_reads_an_index_not_the_whole_registry(
    big_registry: None, url: str, status: public.VerdictStatus
) -> None:
    verdict, plan = _lookup_plan(url)

    assert verdict.status is status
    scans = _scans_of(plan, SocialPage._meta.db_table)
    assert scans, plan
    assert all(kind != "Seq Scan" for kind, _ in scans), scans
    used = {index for kind, index in scans if "Index" in kind}
    assert used & NEW_INDEXES, scans


def test_without_those_indexes_the_verification_scanned_every_page(big_registry: None) -> None:
    # Given the registry as it was before the full indexes (dropped inside the test's
    # transaction, which is rolled back)
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX page_verify_address, page_verify_permanent_id")

    # When a citizen checks an archived page
    verdict, plan = _lookup_plan("https://www.facebook.com/trang1230")

    # Then the partial indexes cannot serve, and every page is read: what the indexes fix
    assert verdict.status is public.VerdictStatus.NO_LONGER_OFFICIAL
    assert ("Seq Scan", "") in _scans_of(plan, SocialPage._meta.db_table)
