"""The public JSON API: /api/v1/public/verify and /api/v1/public/directory/, no login."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from accounts_registry.models import PageState, SocialPage
from tests import factories
from tests.accounts_registry import factories_public
from tests.conftest import Tree

VN = ZoneInfo("Asia/Ho_Chi_Minh")
VERIFY = "/api/v1/public/verify"
DIRECTORY = "/api/v1/public/directory/"
FB_URL = "https://www.facebook.com/ubndxacamngoc"
FB_ID = "100064123456789"


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def fb_page(tree: Tree) -> SocialPage:
    page = factories_public.page(
        tree.ubnd_cam_ngoc,
        FB_URL,
        display_name="UBND xã Cẩm Ngọc",
        permanent_id=FB_ID,
        is_platform_verified=True,
        platform_verified_on=date(2024, 5, 2),
        approved_at=datetime(2024, 6, 1, 9, 0, tzinfo=VN),
    )
    factories_public.contact(tree.ubnd_cam_ngoc)
    factories_public.contact(tree.ubnd_cam_ngoc, on_page=page)
    return page


def assert_nothing_private(text: str) -> None:
    for secret in factories_public.private_strings():
        assert secret not in text
    assert "@example.gov.vn" not in text  # the bodies' own emails


def test_verify_answers_official_with_the_documented_shape(
    api: APIClient, fb_page: SocialPage, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(2):
        response = api.get(VERIFY, {"url": f"https://m.facebook.com/profile.php?id={FB_ID}"})

    assert response.status_code == 200
    body = response.json()
    message = body.pop("message")
    platform_name = body.pop("platform_name")
    assert body == {
        "status": "official",
        "url": FB_URL,
        "platform": "facebook",
        "page": {
            "display_name": "UBND xã Cẩm Ngọc",
            "is_platform_verified": True,
            "platform_verified_on": "2024-05-02",
            "approved_at": "2024-06-01T09:00:00+07:00",
            "archived_at": None,
            "lost_control_since": None,
        },
        "body": {"name": "UBND Xã Cẩm Ngọc"},
        "unit": {
            "name": "Xã Cẩm Ngọc",
            "chain": "Xã Cẩm Ngọc, Huyện Cẩm Thủy, Tỉnh Thanh Hóa",
        },
        "other_pages": [],
    }
    assert "UBND Xã Cẩm Ngọc" in message
    assert platform_name
    assert_nothing_private(response.content.decode())


def test_verify_needs_no_login_and_sets_no_cookie(api: APIClient, fb_page: SocialPage) -> None:
    response = api.get(VERIFY, {"url": FB_URL})

    assert response.status_code == 200
    assert not response.cookies


def test_verify_answers_not_registered_for_an_unknown_page(api: APIClient, tree: Tree) -> None:
    body = api.get(VERIFY, {"url": "facebook.com/Trang.Gia.Mao/?ref=x"}).json()

    assert body["status"] == "not_registered"
    assert body["url"] == "https://www.facebook.com/trang.gia.mao"
    assert body["platform"] == "facebook"
    assert body["page"] is None
    assert body["body"] is None
    assert body["unit"] is None
    assert body["message"]


@pytest.mark.parametrize("state", [PageState.DRAFT, PageState.SUBMITTED, PageState.RETURNED])
def test_verify_never_reveals_a_page_that_is_not_approved(
    api: APIClient, tree: Tree, state: str
) -> None:
    factories_public.page(tree.ubnd_cam_ngoc, FB_URL, state=state, display_name="Trang nháp")
    factories_public.contact(tree.ubnd_cam_ngoc)

    draft = api.get(VERIFY, {"url": FB_URL})
    unknown = api.get(VERIFY, {"url": "https://www.facebook.com/someoneelse"}).json()

    body = draft.json()
    assert body["status"] == "not_registered"
    assert (body["page"], body["body"], body["unit"]) == (None, None, None)
    assert body["message"] == unknown["message"]
    text = draft.content.decode()
    assert "Trang nháp" not in text
    assert "Cẩm Ngọc" not in text
    assert_nothing_private(text)


def test_verify_answers_no_longer_official_for_an_archived_page(api: APIClient, tree: Tree) -> None:
    factories_public.page(
        tree.ubnd_cam_ngoc,
        FB_URL,
        state=PageState.ARCHIVED,
        archived_at=datetime(2025, 7, 1, 8, 0, tzinfo=VN),
    )

    body = api.get(VERIFY, {"url": FB_URL + "/"}).json()

    assert body["status"] == "no_longer_official"
    assert body["body"] == {"name": "UBND Xã Cẩm Ngọc"}
    assert body["page"]["archived_at"] == "2025-07-01T08:00:00+07:00"


def test_verify_answers_invalid_with_the_canonicalisers_message(api: APIClient, tree: Tree) -> None:
    body = api.get(VERIFY, {"url": "https://www.facebook.com/groups/123456789012"}).json()

    assert body["status"] == "invalid"
    assert body["url"] is None
    assert body["page"] is None
    assert "group" in body["message"].lower() or "nhóm" in body["message"].lower()


def test_verify_without_a_url_is_a_bad_request(api: APIClient, tree: Tree) -> None:
    response = api.get(VERIFY)

    assert response.status_code == 400
    assert "url" in response.json()


def test_verify_is_rate_limited_per_client_address(
    api: APIClient, tree: Tree, settings: Any
) -> None:
    settings.PORTAL_PUBLIC_VERIFY_RATE = "3/min"

    responses = [api.get(VERIFY, {"url": FB_URL}) for _ in range(4)]
    # A forged X-Forwarded-For header does not buy a fresh allowance.
    forged = api.get(VERIFY, {"url": FB_URL}, HTTP_X_FORWARDED_FOR="203.0.113.9")
    other_client = api.get(VERIFY, {"url": FB_URL}, REMOTE_ADDR="198.51.100.7")

    assert [response.status_code for response in responses] == [200, 200, 200, 429]
    assert int(responses[-1]["Retry-After"]) >= 1
    assert forged.status_code == 429
    assert other_client.status_code == 200


def test_the_page_and_the_api_share_one_allowance(
    api: APIClient, tree: Tree, settings: Any
) -> None:
    settings.PORTAL_PUBLIC_VERIFY_RATE = "2/min"

    assert api.get("/verify/", {"url": FB_URL}).status_code == 200
    assert api.get(VERIFY, {"url": FB_URL}).status_code == 200

    assert api.get(VERIFY, {"url": FB_URL}).status_code == 429
    assert api.get("/verify/", {"url": FB_URL}).status_code == 429


# ---- The directory ------------------------------------------------------------------------


@pytest.fixture
def pages(tree: Tree, fb_page: SocialPage) -> dict[str, SocialPage]:
    return {
        "cam_ngoc": fb_page,
        "cam_thanh": factories_public.page(
            tree.ubnd_cam_thanh, "https://www.facebook.com/ubndxacamthanh", display_name="Cẩm Thành"
        ),
        "muong_khoa": factories_public.page(
            tree.ubnd_muong_khoa,
            "https://zalo.me/1234567890123456789",
            platform="zalo",
            display_name="Mường Khoa",
        ),
        "draft": factories_public.page(
            tree.vhtt_cam_thuy,
            "https://www.facebook.com/vanhoacamthuy",
            state=PageState.SUBMITTED,
            display_name="Văn hóa Cẩm Thủy chờ duyệt",
        ),
        "archived": factories_public.page(
            tree.ubnd_dien_lu,
            "https://www.facebook.com/dienlucu",
            state=PageState.ARCHIVED,
            display_name="Điền Lư cũ",
        ),
    }


def names(response: Any) -> list[str]:
    return sorted(row["display_name"] for row in response.json()["results"])


def test_the_directory_lists_approved_pages_with_the_documented_shape(
    api: APIClient, pages: dict[str, SocialPage]
) -> None:
    response = api.get(DIRECTORY, {"q": "cam ngoc"})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    row.pop("platform_name")
    assert row == {
        "display_name": "UBND xã Cẩm Ngọc",
        "url": FB_URL,
        "platform": "facebook",
        "is_platform_verified": True,
        "platform_verified_on": "2024-05-02",
        "lost_control_since": None,
        "body": {"name": "UBND Xã Cẩm Ngọc"},
        "unit": {"name": "Xã Cẩm Ngọc", "chain": "Xã Cẩm Ngọc, Huyện Cẩm Thủy, Tỉnh Thanh Hóa"},
    }


def test_the_directory_never_lists_drafts_or_archived_pages_nor_private_data(
    api: APIClient, pages: dict[str, SocialPage]
) -> None:
    response = api.get(DIRECTORY)

    assert names(response) == ["Cẩm Thành", "Mường Khoa", "UBND xã Cẩm Ngọc"]
    text = json.dumps(response.json(), ensure_ascii=False)
    assert "chờ duyệt" not in text
    assert "Điền Lư cũ" not in text
    assert_nothing_private(text)


def test_the_directory_filters_by_words_platform_and_province(
    api: APIClient, tree: Tree, pages: dict[str, SocialPage]
) -> None:
    assert names(api.get(DIRECTORY, {"q": "CẨM THỦY"})) == ["Cẩm Thành", "UBND xã Cẩm Ngọc"]
    assert names(api.get(DIRECTORY, {"platform": "zalo"})) == ["Mường Khoa"]
    assert names(api.get(DIRECTORY, {"province": tree.thanh_hoa.pk})) == [
        "Cẩm Thành",
        "UBND xã Cẩm Ngọc",
    ]
    assert names(api.get(DIRECTORY, {"province": "not-a-number"})) == [
        "Cẩm Thành",
        "Mường Khoa",
        "UBND xã Cẩm Ngọc",
    ]


def test_the_directory_costs_the_same_queries_for_many_rows(
    api: APIClient, tree: Tree, django_assert_max_num_queries: Any
) -> None:
    factories_public.page(tree.ubnd_cam_ngoc, FB_URL)
    with django_assert_max_num_queries(3) as few:
        api.get(DIRECTORY)
    for n in range(30):
        body = factories.BodyFactory.create(unit=tree.muong_khoa if n % 2 else tree.cam_thanh)
        factories_public.page(body, f"https://www.facebook.com/trangso{n:03d}")

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api.get(DIRECTORY)

    assert response.json()["count"] == 31


def test_the_directory_is_rate_limited(api: APIClient, tree: Tree, settings: Any) -> None:
    settings.PORTAL_PUBLIC_DIRECTORY_RATE = "2/min"

    codes = [api.get(DIRECTORY).status_code for _ in range(3)]

    assert codes == [200, 200, 429]
