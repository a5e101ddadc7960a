"""A page its body lost control of: the public verdict, the directory and the API warn."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts_registry.models import SocialPage
from accounts_registry.selectors.public import VerdictStatus, verify_url
from incidents import services as incident_services
from incidents.models import Incident, IncidentKind, IncidentState
from tests import factories
from tests.accounts_registry import factories_public
from tests.conftest import Tree

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FB_URL = "https://www.facebook.com/ubndxacamngoc"
ZALO_ID = "1234567890123456789"
ZALO_URL = f"https://zalo.me/{ZALO_ID}"
LOST_ON = datetime(2026, 11, 20, 8, 30, tzinfo=VN)
DESCRIPTION = "Mật khẩu bị đổi, có người lạ đăng bài kêu gọi chuyển tiền."


@pytest.fixture
def fb_page(tree: Tree) -> SocialPage:
    page = factories_public.page(tree.ubnd_cam_ngoc, FB_URL, display_name="UBND xã Cẩm Ngọc")
    factories_public.contact(tree.ubnd_cam_ngoc, on_page=page)
    return page


@pytest.fixture
def zalo_page(tree: Tree) -> SocialPage:
    return factories_public.page(
        tree.ubnd_cam_ngoc, ZALO_URL, platform="zalo", display_name="Zalo OA xã Cẩm Ngọc"
    )


def lose_control(page: SocialPage) -> Incident:
    """The body's staff report that they lost control of ``page``."""
    return incident_services.incident_report(
        body=page.body,
        kind=IncidentKind.LOST_CONTROL,
        page=page,
        description=DESCRIPTION,
        discovered_at=LOST_ON,
        by=factories.staff_of(page.body),
    )


def close(incident: Incident, tree: Tree, to_state: str) -> None:
    officer = factories.officer_of(tree.cam_thuy)
    incident_services.incident_transition(
        incident=incident, to_state=IncidentState.UNDER_REVIEW, by=officer, note="Đang xử lý."
    )
    incident_services.incident_transition(
        incident=incident, to_state=to_state, by=officer, note="Đã lấy lại trang."
    )


# ---- the verdict --------------------------------------------------------------------------


def test_a_page_out_of_control_is_official_but_not_to_be_trusted(
    fb_page: SocialPage, zalo_page: SocialPage, django_assert_max_num_queries: Any
) -> None:
    # Given the body reported losing control of its Facebook page; its Zalo OA is fine
    lose_control(fb_page)

    # When a citizen checks the Facebook page
    with django_assert_max_num_queries(3):
        verdict = verify_url("https://m.facebook.com/ubndxacamngoc/?ref=share")

    # Then the page is still the body's, but the answer warns, names the date and the
    # body's other official page, and tells nothing private about the incident
    assert verdict.status is VerdictStatus.LOST_CONTROL
    assert not verdict.is_official
    assert verdict.page is not None
    assert verdict.page.lost_control_since == LOST_ON
    assert "UBND Xã Cẩm Ngọc" in verdict.message
    assert "20/11/2026" in verdict.message
    assert [(other.url, other.platform_code) for other in verdict.other_pages] == [
        (ZALO_URL, "zalo")
    ]
    assert DESCRIPTION not in repr(verdict)
    assert factories_public.CONTACT_NAME not in repr(verdict)


def test_the_other_page_is_not_offered_when_it_is_out_of_control_too(
    fb_page: SocialPage, zalo_page: SocialPage
) -> None:
    lose_control(fb_page)
    lose_control(zalo_page)

    verdict = verify_url(FB_URL)

    assert verdict.status is VerdictStatus.LOST_CONTROL
    assert verdict.other_pages == ()


@pytest.mark.parametrize("to_state", [IncidentState.RESOLVED, IncidentState.DISMISSED])
def test_the_verdict_is_official_again_once_the_incident_is_closed(
    tree: Tree, fb_page: SocialPage, to_state: str
) -> None:
    incident = lose_control(fb_page)
    assert verify_url(FB_URL).status is VerdictStatus.LOST_CONTROL

    close(incident, tree, to_state)

    verdict = verify_url(FB_URL)
    assert verdict.status is VerdictStatus.OFFICIAL
    assert verdict.page is not None
    assert verdict.page.lost_control_since is None
    assert verdict.other_pages == ()


def test_an_open_impersonation_report_does_not_taint_the_real_page(
    tree: Tree, fb_page: SocialPage
) -> None:
    # A fake page of the body is a different page: the real one stays plainly official.
    incident_services.incident_report(
        body=tree.ubnd_cam_ngoc,
        kind=IncidentKind.IMPERSONATION,
        url="https://www.facebook.com/ubnd.cam.ngoc.gia",
        description="Trang giả mạo.",
        by=factories.staff_of(tree.ubnd_cam_ngoc),
    )

    assert verify_url(FB_URL).status is VerdictStatus.OFFICIAL


# ---- the pages ----------------------------------------------------------------------------


def test_the_verify_page_warns_plainly_and_points_to_the_other_official_page(
    client: Client, fb_page: SocialPage, zalo_page: SocialPage, django_assert_max_num_queries: Any
) -> None:
    lose_control(fb_page)

    with django_assert_max_num_queries(3):
        response = client.get("/verify/", {"url": FB_URL})

    html = response.content.decode()
    assert response.status_code == 200
    assert "verdict--lost_control" in html
    assert "verdict--official" not in html
    assert "mất quyền kiểm soát" in html
    assert "Đừng tin" in html or "đừng tin" in html
    assert "20/11/2026" in html
    # The hijacked page is shown as text, never as a link; the page still in the body's
    # hands is a link.
    assert f'href="{FB_URL}"' not in html
    assert f'<a href="{ZALO_URL}" rel="noopener nofollow">Zalo OA xã Cẩm Ngọc</a>' in html
    assert DESCRIPTION not in html
    assert factories_public.CONTACT_NAME not in html


def test_the_verify_page_says_when_the_body_has_no_other_official_page(
    client: Client, fb_page: SocialPage
) -> None:
    lose_control(fb_page)

    html = client.get("/verify/", {"url": FB_URL}).content.decode()

    assert "không có trang chính thức nào khác" in html


def test_the_directory_flags_the_page_and_stops_linking_to_it(
    client: Client, tree: Tree, fb_page: SocialPage, zalo_page: SocialPage
) -> None:
    lose_control(fb_page)

    html = client.get("/directory/", {"q": "cam ngoc"}).content.decode()

    assert "directory-item--lost-control" in html
    assert "mất quyền kiểm soát" in html
    assert f'href="{FB_URL}"' not in html
    assert f'href="{ZALO_URL}"' in html
    assert html.count("directory-item--lost-control") == 1


def test_the_directory_costs_the_same_queries_with_pages_out_of_control(
    client: Client, tree: Tree, django_assert_max_num_queries: Any
) -> None:
    pages = [
        factories_public.page(tree.ubnd_cam_ngoc, f"https://www.facebook.com/trangso{n:03d}")
        for n in range(3)
    ]
    with django_assert_max_num_queries(5) as few:
        client.get("/directory/", {"q": "cam"})
    for page in pages:
        lose_control(page)
    for n in range(3, 30):
        body = factories.BodyFactory.create(unit=tree.cam_thanh)
        lose_control(factories_public.page(body, f"https://www.facebook.com/trangso{n:03d}"))

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/directory/", {"q": "cam"})

    assert response.content.decode().count("directory-item--lost-control") == 30


# ---- the API ------------------------------------------------------------------------------


def test_the_api_answers_lost_control_with_the_other_pages(
    fb_page: SocialPage, zalo_page: SocialPage, django_assert_max_num_queries: Any
) -> None:
    lose_control(fb_page)

    with django_assert_max_num_queries(3):
        response = APIClient().get("/api/v1/public/verify", {"url": FB_URL})

    data = response.json()
    assert response.status_code == 200
    assert data["status"] == "lost_control"
    assert data["url"] == FB_URL
    assert data["page"]["lost_control_since"] == "2026-11-20T08:30:00+07:00"
    assert data["other_pages"] == [
        {
            "display_name": "Zalo OA xã Cẩm Ngọc",
            "url": ZALO_URL,
            "platform": "zalo",
            "platform_name": zalo_page.platform.label,
        }
    ]
    assert DESCRIPTION not in response.content.decode()


def test_the_api_answers_official_with_no_other_pages_when_all_is_well(
    fb_page: SocialPage, zalo_page: SocialPage
) -> None:
    data = APIClient().get("/api/v1/public/verify", {"url": FB_URL}).json()

    assert data["status"] == "official"
    assert data["page"]["lost_control_since"] is None
    assert data["other_pages"] == []


def test_the_api_directory_flags_the_page_out_of_control(
    fb_page: SocialPage, zalo_page: SocialPage, django_assert_max_num_queries: Any
) -> None:
    lose_control(fb_page)

    with django_assert_max_num_queries(3):
        data = APIClient().get("/api/v1/public/directory/", {"q": "cam ngoc"}).json()

    flags = {row["url"]: row["lost_control_since"] for row in data["results"]}
    assert flags == {FB_URL: "2026-11-20T08:30:00+07:00", ZALO_URL: None}


def test_the_schema_describes_the_new_fields(client: Client, db: None) -> None:
    schema = client.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]

    assert "lost_control" in schema["StatusEnum"]["enum"] or any(
        "lost_control" in (component.get("enum") or []) for component in schema.values()
    )
    assert "other_pages" in schema["PublicVerdict"]["properties"]
    assert "lost_control_since" in schema["PublicVerdictPage"]["properties"]
    assert "lost_control_since" in schema["PublicDirectoryPage"]["properties"]
