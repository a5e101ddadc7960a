"""Public verification ("is this page real?") and the public directory: selector and pages."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from accounts_registry.models import PageState, Platform, SocialPage
from accounts_registry.selectors.public import Verdict, VerdictStatus, verify_url
from tests import factories
from tests.accounts_registry import factories_public
from tests.conftest import Tree

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FB_URL = "https://www.facebook.com/ubndxacamngoc"
FB_ID = "100064123456789"
ZALO_ID = "1234567890123456789"

VERIFY = "/verify/"
DIRECTORY = "/directory/"


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


@pytest.fixture
def zalo_page(tree: Tree) -> SocialPage:
    return factories_public.page(
        tree.ubnd_cam_ngoc,
        f"https://zalo.me/{ZALO_ID}",
        platform="zalo",
        display_name="Zalo OA UBND xã Cẩm Ngọc",
    )


def assert_nothing_private(text: str) -> None:
    for secret in factories_public.private_strings():
        assert secret not in text


def test_urls_are_the_documented_ones() -> None:
    assert reverse("public:verify") == VERIFY
    assert reverse("public:directory") == DIRECTORY


# ---- verify_url ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        FB_URL,
        "https://www.facebook.com/ubndxacamngoc/",
        "facebook.com/ubndxacamngoc",
        "http://m.facebook.com/ubndxacamngoc",
        "https://web.facebook.com/UBNDXaCamNgoc/?ref=page_internal&mibextid=ZbWKwL",
        "https://www.facebook.com/ubnd.xa.cam.ngoc",
        "https://fb.com/ubndxacamngoc?fbclid=IwAR0abc",
        "  https://www.facebook.com/ubndxacamngoc  ",
        f"https://www.facebook.com/profile.php?id={FB_ID}",
        f"https://m.facebook.com/profile.php?id={FB_ID}&ref=bookmarks",
        f"https://www.facebook.com/{FB_ID}/",
    ],
)
def test_every_shape_of_an_approved_facebook_page_is_official(
    fb_page: SocialPage, url: str, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(2):
        verdict = verify_url(url)

    assert verdict.status is VerdictStatus.OFFICIAL
    assert verdict.page is not None
    assert verdict.page.body_name == "UBND Xã Cẩm Ngọc"


def test_the_official_verdict_says_whose_page_it_is(fb_page: SocialPage) -> None:
    verdict = verify_url("https://m.facebook.com/ubndxacamngoc/?ref=share")

    assert verdict.is_official
    assert verdict.url == FB_URL
    assert verdict.platform_code == "facebook"
    assert verdict.platform_name == Platform.objects.get(code="facebook").label
    page = verdict.page
    assert page is not None
    assert page.display_name == "UBND xã Cẩm Ngọc"
    assert page.body_name == "UBND Xã Cẩm Ngọc"
    assert page.unit_name == "Xã Cẩm Ngọc"
    assert page.unit_chain == "Xã Cẩm Ngọc, Huyện Cẩm Thủy, Tỉnh Thanh Hóa"
    assert page.province_name == "Tỉnh Thanh Hóa"
    assert page.is_platform_verified is True
    assert page.platform_verified_on == date(2024, 5, 2)
    assert page.approved_at == datetime(2024, 6, 1, 9, 0, tzinfo=VN)
    assert page.archived_at is None
    assert "UBND Xã Cẩm Ngọc" in verdict.message


def test_the_verdict_holds_no_private_data(fb_page: SocialPage) -> None:
    verdict = verify_url(FB_URL)

    assert_nothing_private(repr(verdict))


def test_a_numeric_facebook_url_is_not_official_when_the_body_did_not_register_the_id(
    tree: Tree,
) -> None:
    factories_public.page(tree.ubnd_cam_ngoc, FB_URL, permanent_id="")

    verdict = verify_url(f"https://www.facebook.com/profile.php?id={FB_ID}")

    assert verdict.status is VerdictStatus.NOT_REGISTERED


@pytest.mark.parametrize(
    "url",
    [
        f"https://zalo.me/{ZALO_ID}",
        f"zalo.me/{ZALO_ID}/",
        f"http://www.zalo.me/{ZALO_ID}?src=qr",
        f"https://zalo.me/{ZALO_ID}#home",
    ],
)
def test_every_shape_of_an_approved_zalo_oa_is_official(
    zalo_page: SocialPage, url: str, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(2):
        verdict = verify_url(url)

    assert verdict.status is VerdictStatus.OFFICIAL
    assert verdict.url == f"https://zalo.me/{ZALO_ID}"
    assert verdict.platform_code == "zalo"
    assert verdict.page is not None
    assert verdict.page.display_name == "Zalo OA UBND xã Cẩm Ngọc"


@pytest.mark.parametrize("state", [PageState.DRAFT, PageState.SUBMITTED, PageState.RETURNED])
def test_a_page_not_yet_approved_answers_exactly_as_an_unknown_page(tree: Tree, state: str) -> None:
    factories_public.page(tree.ubnd_cam_ngoc, FB_URL, state=state, display_name="Trang nháp bí mật")
    factories_public.contact(tree.ubnd_cam_ngoc)

    verdict = verify_url(FB_URL)
    unknown = verify_url("https://www.facebook.com/someoneelse")

    assert verdict.status is VerdictStatus.NOT_REGISTERED
    assert verdict.page is None
    assert verdict.message == unknown.message
    assert "Trang nháp bí mật" not in repr(verdict)
    assert "Cẩm Ngọc" not in repr(verdict).replace("ubndxacamngoc", "")


def test_an_archived_page_is_no_longer_official(tree: Tree) -> None:
    archived_at = datetime(2025, 7, 1, 8, 0, tzinfo=VN)
    factories_public.page(
        tree.ubnd_cam_ngoc, FB_URL, state=PageState.ARCHIVED, archived_at=archived_at
    )

    verdict = verify_url("https://facebook.com/ubndxacamngoc/")

    assert verdict.status is VerdictStatus.NO_LONGER_OFFICIAL
    assert verdict.page is not None
    assert verdict.page.body_name == "UBND Xã Cẩm Ngọc"
    assert verdict.page.archived_at == archived_at
    assert "01/07/2025" in verdict.message


def test_a_page_archived_then_registered_again_is_official(tree: Tree) -> None:
    factories_public.page(tree.ubnd_cam_thanh, FB_URL, state=PageState.ARCHIVED)
    factories_public.page(tree.ubnd_cam_ngoc, FB_URL)

    verdict = verify_url(FB_URL)

    assert verdict.status is VerdictStatus.OFFICIAL
    assert verdict.page is not None
    assert verdict.page.body_name == "UBND Xã Cẩm Ngọc"


def test_an_unknown_page_is_not_registered_with_its_canonical_url(
    tree: Tree, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(2):
        verdict = verify_url("https://m.facebook.com/Trang.Gia.Mao/?ref=share")

    assert verdict.status is VerdictStatus.NOT_REGISTERED
    assert verdict.url == "https://www.facebook.com/trang.gia.mao"
    assert verdict.page is None
    assert verdict.message


@pytest.mark.parametrize(
    "url",
    [
        "hello",
        "",
        "ftp://facebook.com/ubndxacamngoc",
        "https://www.facebook.com/groups/123456789012",
        "https://zalo.me/0912345678",
        "https://www.facebook.com/",
        "https://" + "a" * 2100 + ".com/x",
    ],
)
def test_an_address_that_is_not_a_page_is_invalid_with_a_message(tree: Tree, url: str) -> None:
    verdict = verify_url(url)

    assert verdict.status is VerdictStatus.INVALID
    assert verdict.url is None
    assert verdict.page is None
    assert len(verdict.message) > 10


def test_a_page_on_the_other_platform_is_found_by_its_address(tree: Tree) -> None:
    factories_public.page(
        tree.ubnd_cam_ngoc, "https://camngoc.thanhhoa.gov.vn/trang-tin", platform="other"
    )

    official = verify_url("https://camngoc.thanhhoa.gov.vn/trang-tin/")
    unknown = verify_url("https://example.com/some-page")

    assert official.status is VerdictStatus.OFFICIAL
    assert official.platform_code == "other"
    assert unknown.status is VerdictStatus.NOT_REGISTERED


def test_a_platform_added_by_an_administrator_is_detected_by_its_hosts(tree: Tree) -> None:
    Platform.objects.create(code="lotus", name="Lotus", rules="generic", hosts=["lotus.vn"])
    factories_public.page(tree.ubnd_cam_ngoc, "https://lotus.vn/ubndcamngoc", platform="lotus")

    verdict = verify_url("https://www.lotus.vn/ubndcamngoc/")

    assert verdict.status is VerdictStatus.OFFICIAL
    assert verdict.platform_code == "lotus"


def test_a_deep_hierarchy_still_gives_the_whole_unit_chain(
    tree: Tree, django_assert_max_num_queries: Any
) -> None:
    village = factories.UnitFactory.create(
        name="Thôn Kim Mẫn",
        parent=tree.cam_ngoc,
        level=tree.cam_ngoc.level,
        unit_type="xa",
    )
    hamlet = factories.UnitFactory.create(
        name="Xóm Đồi", parent=village, level=tree.cam_ngoc.level, unit_type="xa"
    )
    body = factories.BodyFactory.create(unit=hamlet, name="Ban công tác Mặt trận xóm Đồi")
    factories_public.page(body, "https://www.facebook.com/xomdoi.camngoc")

    with django_assert_max_num_queries(3):
        verdict: Verdict = verify_url("https://www.facebook.com/xomdoi.camngoc")

    assert verdict.page is not None
    assert verdict.page.unit_chain == (
        "Xóm Đồi, Thôn Kim Mẫn, Xã Cẩm Ngọc, Huyện Cẩm Thủy, Tỉnh Thanh Hóa"
    )


# ---- The /verify/ page --------------------------------------------------------------------


def test_the_verify_page_offers_a_box_to_paste_a_link_without_login(client: Client) -> None:
    response = client.get(VERIFY)

    assert response.status_code == 200
    assert b'name="url"' in response.content
    assert b'id="verdict"' not in response.content


def test_the_verify_page_shows_an_official_verdict_at_once(
    client: Client, fb_page: SocialPage, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(2):
        response = client.get(VERIFY, {"url": "m.facebook.com/ubndxacamngoc?ref=x"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "verdict--official" in html
    assert "UBND Xã Cẩm Ngọc" in html
    assert "Xã Cẩm Ngọc, Huyện Cẩm Thủy, Tỉnh Thanh Hóa" in html
    assert f'href="{FB_URL}" rel="noopener nofollow"' in html
    assert "02/05/2024" in html
    assert_nothing_private(html)


def test_the_verify_page_does_not_reveal_a_draft(client: Client, tree: Tree) -> None:
    factories_public.page(
        tree.ubnd_cam_ngoc, FB_URL, state=PageState.SUBMITTED, display_name="Trang chờ duyệt"
    )

    html = client.get(VERIFY, {"url": FB_URL}).content.decode()

    assert "verdict--not_registered" in html
    assert "Trang chờ duyệt" not in html
    assert "UBND Xã Cẩm Ngọc" not in html
    assert_nothing_private(html)


def test_the_verify_page_does_not_link_to_a_page_that_may_be_fake(
    client: Client, tree: Tree
) -> None:
    html = client.get(VERIFY, {"url": "https://www.facebook.com/trang.gia.mao"}).content.decode()

    assert "verdict--not_registered" in html
    assert 'href="https://www.facebook.com/trang.gia.mao"' not in html
    assert "https://www.facebook.com/trang.gia.mao" in html


def test_the_verify_page_shows_archived_and_invalid_verdicts(client: Client, tree: Tree) -> None:
    factories_public.page(tree.ubnd_cam_ngoc, FB_URL, state=PageState.ARCHIVED)

    archived = client.get(VERIFY, {"url": FB_URL}).content.decode()
    invalid = client.get(VERIFY, {"url": "https://www.facebook.com/groups/123456789012"})

    assert "verdict--no_longer_official" in archived
    assert "verdict--invalid" in invalid.content.decode()
    assert invalid.status_code == 200


def test_the_verify_page_is_rate_limited_with_a_friendly_page(
    client: Client, tree: Tree, settings: Any
) -> None:
    settings.PORTAL_PUBLIC_VERIFY_RATE = "2/min"

    for _ in range(3):
        # Showing the empty form is not a verification and does not count.
        assert client.get(VERIFY).status_code == 200
    first = client.get(VERIFY, {"url": FB_URL})
    second = client.get(VERIFY, {"url": FB_URL})
    third = client.get(VERIFY, {"url": FB_URL})

    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 429)
    assert int(third["Retry-After"]) >= 1
    assert b"429" in third.content
    assert client.get(VERIFY, {"url": FB_URL}, REMOTE_ADDR="10.0.0.2").status_code == 200


# ---- The /directory/ page -----------------------------------------------------------------


@pytest.fixture
def directory(tree: Tree) -> dict[str, SocialPage]:
    pages = {
        "cam_ngoc": factories_public.page(
            tree.ubnd_cam_ngoc, FB_URL, display_name="UBND xã Cẩm Ngọc", is_platform_verified=True
        ),
        "cam_ngoc_zalo": factories_public.page(
            tree.ubnd_cam_ngoc,
            f"https://zalo.me/{ZALO_ID}",
            platform="zalo",
            display_name="Zalo UBND Cẩm Ngọc",
        ),
        "cam_thanh": factories_public.page(
            tree.ubnd_cam_thanh,
            "https://www.facebook.com/ubndxacamthanh",
            display_name="Trang tin xã Cẩm Thành",
        ),
        "dien_lu": factories_public.page(
            tree.ubnd_dien_lu, "https://www.facebook.com/ubndxadienlu", display_name="Điền Lư"
        ),
        "muong_khoa": factories_public.page(
            tree.ubnd_muong_khoa,
            "https://www.facebook.com/ubndmuongkhoa",
            display_name="Mường Khoa",
        ),
        "draft": factories_public.page(
            tree.vhtt_cam_thuy,
            "https://www.facebook.com/vanhoacamthuy",
            state=PageState.DRAFT,
            display_name="Văn hóa Cẩm Thủy nháp",
        ),
        "archived": factories_public.page(
            tree.ubnd_cam_thanh,
            "https://www.facebook.com/camthanhcu",
            state=PageState.ARCHIVED,
            display_name="Trang cũ Cẩm Thành",
        ),
    }
    factories_public.contact(tree.ubnd_cam_ngoc)
    return pages


def listed(client: Client, **params: Any) -> list[str]:
    response = client.get(DIRECTORY, params)
    assert response.status_code == 200
    return [row.display_name for row in response.context["rows"]]


def test_the_directory_lists_approved_pages_only(
    client: Client, directory: dict[str, SocialPage]
) -> None:
    names = listed(client)

    assert sorted(names) == sorted(
        [
            "UBND xã Cẩm Ngọc",
            "Zalo UBND Cẩm Ngọc",
            "Trang tin xã Cẩm Thành",
            "Điền Lư",
            "Mường Khoa",
        ]
    )


@pytest.mark.parametrize(
    "query",
    [
        "cam ngoc",
        "CẨM NGỌC",
        unicodedata.normalize("NFD", "Cẩm Ngọc"),
        "ngoc cam",
        "ubnd xa cam ngoc",
    ],
)
def test_the_directory_search_ignores_case_and_diacritics(
    client: Client, directory: dict[str, SocialPage], query: str
) -> None:
    assert sorted(listed(client, q=query)) == ["UBND xã Cẩm Ngọc", "Zalo UBND Cẩm Ngọc"]


def test_searching_a_district_finds_the_pages_of_its_communes(
    client: Client, directory: dict[str, SocialPage]
) -> None:
    names = listed(client, q="cam thuy")

    assert sorted(names) == ["Trang tin xã Cẩm Thành", "UBND xã Cẩm Ngọc", "Zalo UBND Cẩm Ngọc"]


def test_searching_a_province_finds_every_page_below_it(
    client: Client, directory: dict[str, SocialPage]
) -> None:
    assert listed(client, q="lai chau") == ["Mường Khoa"]
    assert len(listed(client, q="thanh hoa")) == 4


def test_the_directory_filters_by_platform_and_province(
    client: Client, tree: Tree, directory: dict[str, SocialPage]
) -> None:
    assert listed(client, platform="zalo") == ["Zalo UBND Cẩm Ngọc"]
    assert listed(client, province=tree.lai_chau.pk) == ["Mường Khoa"]
    assert listed(client, province=tree.cam_thuy.pk) == []
    assert sorted(listed(client, province=tree.thanh_hoa.pk, platform="facebook")) == [
        "Trang tin xã Cẩm Thành",
        "UBND xã Cẩm Ngọc",
        "Điền Lư",
    ]


def test_a_directory_row_shows_the_page_and_whose_it_is(
    client: Client, directory: dict[str, SocialPage]
) -> None:
    html = client.get(DIRECTORY, {"q": "cam ngoc"}).content.decode()

    assert f'<a href="{FB_URL}" rel="noopener nofollow">UBND xã Cẩm Ngọc</a>' in html
    assert "UBND Xã Cẩm Ngọc" in html
    assert "Xã Cẩm Ngọc, Huyện Cẩm Thủy, Tỉnh Thanh Hóa" in html
    assert "badge--ok" in html
    assert "Văn hóa Cẩm Thủy nháp" not in html
    assert "Trang cũ Cẩm Thành" not in html
    assert_nothing_private(html)


def test_the_directory_costs_the_same_queries_for_many_rows(
    client: Client, tree: Tree, django_assert_max_num_queries: Any
) -> None:
    for n in range(3):
        factories_public.page(tree.ubnd_cam_ngoc, f"https://www.facebook.com/trangso{n:03d}")
    with django_assert_max_num_queries(5) as few:
        client.get(DIRECTORY, {"q": "cam"})
    for n in range(3, 40):
        body = factories.BodyFactory.create(unit=tree.cam_thanh)
        factories_public.page(body, f"https://www.facebook.com/trangso{n:03d}")

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(DIRECTORY, {"q": "cam"})

    assert len(response.context["rows"]) == 30
