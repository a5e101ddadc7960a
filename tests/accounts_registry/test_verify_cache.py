"""The verdict cache of the public verification: fast while nothing changed, never stale after.

A page archived or reported hijacked must never be answered "official" from the cache; a
verdict answered from the cache costs no database query.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
import redis
import redis.connection
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from accounts_registry import verify_cache
from accounts_registry.models import PageState, SocialPage
from accounts_registry.selectors.public import VerdictStatus, verify_url
from accounts_registry.services import pages as page_services
from accounts_registry.transfers import page_transfer, pages_archive
from tests import factories
from tests.accounts_registry import factories_public
from tests.accounts_registry.test_public_lost_control import close, lose_control
from tests.conftest import Tree
from units.importers import import_divisions
from units.models import AdministrativeUnit

PAGE = "/verify/"
API = "/api/v1/public/verify"
FB_URL = "https://www.facebook.com/ubndxacamngoc"
# Another shape of the same page, as people paste it from the mobile app.
FB_SHARED = "https://m.facebook.com/ubndxacamngoc/?ref=share"


@pytest.fixture
def fb_page(tree: Tree) -> SocialPage:
    return factories_public.page(tree.ubnd_cam_ngoc, FB_URL, display_name="UBND xã Cẩm Ngọc")


def test_a_verdict_asked_again_is_answered_without_a_query(
    fb_page: SocialPage, django_assert_num_queries: Any
) -> None:
    # Given a citizen checked the page once
    first = verify_url(FB_SHARED)
    assert first.status is VerdictStatus.OFFICIAL

    # When the next one asks the same
    with django_assert_num_queries(0):
        again = verify_url(FB_SHARED)

    # Then the same answer comes from the cache
    assert again == first


def test_an_archived_page_is_never_answered_official_from_the_cache(
    fb_page: SocialPage, django_assert_num_queries: Any
) -> None:
    # Given the page's verdict is cached as official
    assert verify_url(FB_SHARED).status is VerdictStatus.OFFICIAL
    with django_assert_num_queries(0):
        assert verify_url(FB_SHARED).status is VerdictStatus.OFFICIAL

    # When its body archives it
    page_services.page_archive(page=fb_page, by=factories.staff_of(fb_page.body))

    # Then the next check says it is no longer official
    verdict = verify_url(FB_SHARED)
    assert verdict.status is VerdictStatus.NO_LONGER_OFFICIAL
    assert verdict.page is not None
    assert verdict.page.archived_at is not None


def test_a_page_reported_hijacked_is_never_answered_official_from_the_cache(
    tree: Tree, fb_page: SocialPage
) -> None:
    # Given the page's verdict is cached as official
    assert verify_url(FB_SHARED).status is VerdictStatus.OFFICIAL

    # When its body reports losing control of it
    incident = lose_control(fb_page)

    # Then the next check warns; once the incident is resolved, official again
    assert verify_url(FB_SHARED).status is VerdictStatus.LOST_CONTROL
    close(incident, tree, "resolved")
    assert verify_url(FB_SHARED).status is VerdictStatus.OFFICIAL


def test_pages_archived_in_bulk_are_not_answered_official_from_the_cache(
    fb_page: SocialPage,
) -> None:
    # Given a cached "official" and a reorganisation archiving the body's pages in bulk
    # (an UPDATE that sends no signal)
    assert verify_url(FB_URL).status is VerdictStatus.OFFICIAL

    pages_archive(pages=[fb_page], by=None, reason="Sáp nhập xã")

    assert verify_url(FB_URL).status is VerdictStatus.NO_LONGER_OFFICIAL


def test_a_page_transferred_names_its_new_body(tree: Tree, fb_page: SocialPage) -> None:
    before = verify_url(FB_URL)
    assert before.page is not None
    assert before.page.body_name == tree.ubnd_cam_ngoc.name

    page_transfer(page=fb_page, to_body=tree.ubnd_cam_thanh, by=None, reason="Sáp nhập")

    after = verify_url(FB_URL)
    assert after.status is VerdictStatus.OFFICIAL
    assert after.page is not None
    assert after.page.body_name == tree.ubnd_cam_thanh.name


def test_a_body_renamed_is_named_anew(tree: Tree, fb_page: SocialPage) -> None:
    assert verify_url(FB_URL).page is not None

    body = tree.ubnd_cam_ngoc
    body.name = "UBND phường Cẩm Ngọc"
    body.save()

    verdict = verify_url(FB_URL)
    assert verdict.page is not None
    assert verdict.page.body_name == "UBND phường Cẩm Ngọc"
    assert "UBND phường Cẩm Ngọc" in verdict.message


def test_an_unknown_page_is_known_once_approved(tree: Tree) -> None:
    # Given a citizen was told the page is not registered
    assert verify_url(FB_URL).status is VerdictStatus.NOT_REGISTERED
    page = factories_public.page(tree.ubnd_cam_ngoc, FB_URL, state=PageState.SUBMITTED)
    assert verify_url(FB_URL).status is VerdictStatus.NOT_REGISTERED

    # When the page is approved
    page_services.page_approve(page=page, by=factories.officer_of(tree.cam_thuy))

    # Then it is official at once
    assert verify_url(FB_URL).status is VerdictStatus.OFFICIAL


def test_a_page_returned_is_not_answered_official(tree: Tree) -> None:
    page = factories_public.page(tree.ubnd_cam_ngoc, FB_URL, state=PageState.SUBMITTED)
    assert verify_url(FB_URL).status is VerdictStatus.NOT_REGISTERED
    page_services.page_return(
        page=page, by=factories.officer_of(tree.cam_thuy), note="Thiếu số văn bản."
    )
    assert verify_url(FB_URL).status is VerdictStatus.NOT_REGISTERED


def test_the_cache_keeps_each_language_apart(fb_page: SocialPage) -> None:
    # The same page asked on the Vietnamese page and the English API: each in its language
    vi = Client().get(PAGE, {"url": FB_URL})
    en = APIClient().get(API, {"url": FB_URL}, HTTP_ACCEPT_LANGUAGE="en")
    vi_again = Client().get(PAGE, {"url": FB_URL})

    assert "Đây là trang chính thức" in vi.content.decode()
    assert en.json()["message"].startswith("This is the official page")
    assert "Đây là trang chính thức" in vi_again.content.decode()
    assert "This is the official page" not in vi_again.content.decode()


def test_a_verification_costs_one_redis_round_trip_for_the_limit_and_one_for_the_verdict(
    fb_page: SocialPage, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the public limit, and the verdict already cached by a first request
    settings.PORTAL_PUBLIC_VERIFY_RATE = "2/min"
    api = APIClient()
    assert api.get(API, {"url": FB_URL}).status_code == 200
    round_trips: list[bytes] = []
    send = redis.connection.Connection.send_packed_command

    def counted(connection: Any, command: Any, check_health: bool = True) -> None:
        round_trips.append(bytes(command if isinstance(command, bytes) else b"".join(command)))
        send(connection, command, check_health)

    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", counted)

    # When the client asks again, then over its allowance
    second = api.get(API, {"url": FB_URL})
    allowed_trips = len(round_trips)
    third = api.get(API, {"url": FB_URL})

    # Then the second is answered with two round trips (the limiter's script, the cached
    # verdict with the registry version), the third refused after one, with a wait
    assert second.status_code == 200
    assert second.json()["status"] == "official"
    assert allowed_trips == 2
    assert third.status_code == 429
    assert int(third["Retry-After"]) >= 1
    assert len(round_trips) == 3
    assert all(b"EVALSHA" in trip or b"MGET" in trip for trip in round_trips)


def test_the_cache_is_redis() -> None:
    # The round trips above are Redis's: make sure that is what the cache is.
    assert "Redis" in settings.CACHES["default"]["BACKEND"]


def test_a_verdict_cached_while_the_archive_commits_is_dropped_at_the_commit(
    fb_page: SocialPage, django_capture_on_commit_callbacks: Any
) -> None:
    # Given the official verdict, as a verification running on another connection before
    # the archive commits would read it (the old rows)
    official = verify_url(FB_URL)
    assert official.status is VerdictStatus.OFFICIAL

    with django_capture_on_commit_callbacks(execute=True):
        page_services.page_archive(page=fb_page, by=factories.staff_of(fb_page.body))
        # ... and store it after the archive's first bump, before its commit
        verify_cache.cache.delete(verify_cache.verdict_key(FB_URL))
        verify_cache.cached_verdict(FB_URL, lambda: official)

    # Then, once committed, nobody is told the page is official
    assert verify_url(FB_URL).status is VerdictStatus.NO_LONGER_OFFICIAL


def test_a_unit_renamed_by_the_division_importer_is_named_anew(db: None, tmp_path: Any) -> None:
    # Given a commune of the two-tier edition with an official page, checked once by a citizen
    def edition(name: str) -> list[dict[str, Any]]:
        ward = {"name": name, "code": 15201, "codename": "", "division_type": "xã"}
        return [
            {
                "name": "Tỉnh Thanh Hóa",
                "code": 38,
                "codename": "",
                "division_type": "tỉnh",
                "wards": [ward],
            }
        ]

    def run(name: str) -> None:
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(edition(name), ensure_ascii=False), encoding="utf-8")
        import_divisions(
            path=path, valid_from=date(2025, 7, 1), valid_until=None, reconcile=True, dry_run=False
        )

    run("Xã Thanh Thuỷ")
    commune = AdministrativeUnit.objects.get(code="15201", valid_from=date(2025, 7, 1))
    body = factories.BodyFactory.create(unit=commune, name="UBND xã Thanh Thủy")
    factories_public.page(body, "https://www.facebook.com/ubndxathanhthuy", display_name="UBND")
    before = verify_url("https://www.facebook.com/ubndxathanhthuy")
    assert before.page is not None
    assert before.page.unit_name == "Xã Thanh Thuỷ"

    # When a corrected edition spells the commune's name anew (a bulk write, no save())
    run("Xã Thanh Thủy")

    # Then the next verification names the commune as it is now, not from the cache
    after = verify_url("https://www.facebook.com/ubndxathanhthuy")
    assert after.page is not None
    assert after.page.unit_name == "Xã Thanh Thủy"
