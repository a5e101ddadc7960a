"""The incident pages: scope, workflow from the UI, evidence, notifications, public report."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from incidents import services
from incidents.models import Incident, IncidentSource, IncidentState
from notifications.models import Notification
from tests.accounts_registry.factories_pages import page
from tests.conftest import Tree
from tests.factories import admin_user, officer_of, staff_of
from tests.incidents.factories_incidents import EXE, incident, png

S = IncidentState
REPORT = "/incidents/report/"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_see_their_bodys_incidents_only(tree: Tree) -> None:
    staff = staff_of(tree.ubnd_cam_ngoc)
    mine = incident(tree.ubnd_cam_ngoc, by=staff)
    other = incident(tree.ubnd_cam_thanh, by=staff_of(tree.ubnd_cam_thanh))
    client = _client(staff)

    listing = client.get("/incidents/")

    assert f"#{mine.pk}" in listing.content.decode()
    assert f"/incidents/{other.pk}/" not in listing.content.decode()
    assert client.get(f"/incidents/{mine.pk}/").status_code == 200
    assert client.get(f"/incidents/{other.pk}/").status_code == 404


def test_an_officer_outside_the_subtree_gets_404(tree: Tree) -> None:
    item = incident(tree.ubnd_cam_ngoc, by=staff_of(tree.ubnd_cam_ngoc))
    client = _client(officer_of(tree.ba_thuoc))

    assert client.get(f"/incidents/{item.pk}/").status_code == 404
    response = client.post(
        f"/incidents/{item.pk}/transition/", {"to_state": S.UNDER_REVIEW, "note": "x"}
    )
    assert response.status_code == 404


def test_the_officer_above_moves_the_incident_with_a_note(tree: Tree) -> None:
    item = incident(tree.ubnd_cam_ngoc, by=staff_of(tree.ubnd_cam_ngoc))
    officer = officer_of(tree.cam_thuy)
    client = _client(officer)
    detail = client.get(f"/incidents/{item.pk}/").content.decode()
    assert f'value="{S.UNDER_REVIEW}"' in detail
    assert f'value="{S.RESOLVED}"' not in detail

    response = client.post(
        f"/incidents/{item.pk}/transition/", {"to_state": S.UNDER_REVIEW, "note": "Đang xem."}
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == S.UNDER_REVIEW
    assert item.history.first().history_user == officer


def test_an_illegal_transition_from_the_page_is_refused(tree: Tree) -> None:
    item = incident(tree.ubnd_cam_ngoc, by=staff_of(tree.ubnd_cam_ngoc))
    client = _client(officer_of(tree.cam_thuy))

    response = client.post(
        f"/incidents/{item.pk}/transition/", {"to_state": S.RESOLVED, "note": "Xong."}
    )

    assert response.status_code == 400
    item.refresh_from_db()
    assert item.state == S.NEW


def test_staff_cannot_move_their_own_incident(tree: Tree) -> None:
    staff = staff_of(tree.ubnd_cam_ngoc)
    item = incident(tree.ubnd_cam_ngoc, by=staff)

    response = _client(staff).post(
        f"/incidents/{item.pk}/transition/", {"to_state": S.DISMISSED, "note": "Thôi."}
    )

    assert response.status_code == 404


def test_staff_report_loss_of_control_of_their_page(tree: Tree) -> None:
    staff = staff_of(tree.ubnd_cam_ngoc)
    own = page(tree.ubnd_cam_ngoc, state="approved")
    client = _client(staff)
    assert client.get("/incidents/new/").status_code == 200

    response = client.post(
        "/incidents/new/",
        {
            "body": tree.ubnd_cam_ngoc.pk,
            "kind": "lost_control",
            "page": own.pk,
            "description": "Tài khoản quản trị bị chiếm.",
        },
    )

    assert response.status_code == 302
    created = Incident.objects.get()
    assert (created.page, created.reporter, created.source) == (own, staff, IncidentSource.BODY)


def test_staff_cannot_report_for_another_body(tree: Tree) -> None:
    response = _client(staff_of(tree.ubnd_cam_ngoc)).post(
        "/incidents/new/",
        {
            "body": tree.ubnd_cam_thanh.pk,
            "kind": "impersonation",
            "url": "https://www.facebook.com/gia.mao",
            "description": "Trang giả.",
        },
    )

    assert response.status_code == 400
    assert not Incident.objects.exists()


def test_screenshots_are_served_only_in_scope(tree: Tree) -> None:
    staff = staff_of(tree.ubnd_cam_ngoc)
    item = incident(tree.ubnd_cam_ngoc, by=staff)
    client = _client(staff)
    added = client.post(f"/incidents/{item.pk}/evidence/", {"image": png(), "note": "Ảnh"})
    assert added.status_code == 302
    evidence = item.evidence.get()
    url = f"/incidents/{item.pk}/evidence/{evidence.pk}/"

    mine = client.get(url)
    outsider = _client(staff_of(tree.ubnd_cam_thanh)).get(url)

    assert mine.status_code == 200
    assert mine["Content-Type"] == "image/png"
    assert mine["X-Content-Type-Options"] == "nosniff"
    assert outsider.status_code == 404


def test_a_renamed_executable_is_refused_as_evidence(tree: Tree) -> None:
    staff = staff_of(tree.ubnd_cam_ngoc)
    item = incident(tree.ubnd_cam_ngoc, by=staff)

    response = _client(staff).post(
        f"/incidents/{item.pk}/evidence/",
        {"image": SimpleUploadedFile("anh.png", EXE, content_type="image/png")},
    )

    assert response.status_code == 400
    assert "PNG, JPEG hoặc WebP" in response.content.decode()  # the message, in Vietnamese
    assert not item.evidence.exists()


def test_the_list_keeps_a_flat_query_budget(tree: Tree, django_assert_max_num_queries: Any) -> None:
    staff = staff_of(tree.ubnd_cam_ngoc)
    client = _client(officer_of(tree.thanh_hoa))
    incident(tree.ubnd_cam_ngoc, by=staff)
    filters: dict[str, Any] = {"state": S.NEW, "unit": tree.cam_thuy.pk}
    with django_assert_max_num_queries(12) as few:
        client.get("/incidents/", filters)
    for _ in range(10):
        incident(tree.ubnd_cam_ngoc, by=staff)
        incident(tree.ubnd_dien_lu, by=staff_of(tree.ubnd_dien_lu))

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/incidents/", filters)

    assert response.content.decode().count("/incidents/") >= 11


def test_the_detail_keeps_a_flat_query_budget(
    tree: Tree, django_assert_max_num_queries: Any
) -> None:
    staff = staff_of(tree.ubnd_cam_ngoc)
    officer = officer_of(tree.cam_thuy)
    item = incident(tree.ubnd_cam_ngoc, by=staff)
    client = _client(officer)
    with django_assert_max_num_queries(15) as few:
        client.get(f"/incidents/{item.pk}/")
    item = incident(tree.ubnd_cam_ngoc, by=staff, state=S.UNDER_REVIEW, officer=officer)
    for number in range(3):
        services.evidence_add(incident=item, by=staff, link=f"https://example.com/{number}")
        services.evidence_add(incident=item, by=officer, image=png())
    item = services.incident_transition(
        incident=item, to_state=S.REPORTED_TO_PLATFORM, by=officer, note="Đã báo."
    )

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/incidents/{item.pk}/")


def test_the_notifications_page_shows_unread_and_marks_them_read(tree: Tree) -> None:
    staff = staff_of(tree.ubnd_cam_ngoc)
    incident(tree.ubnd_cam_ngoc, by=staff)
    client = _client(staff)

    page_ = client.get("/notifications/")
    client.post("/notifications/read/")

    assert page_.status_code == 200
    assert page_.context["unread"] == 1
    assert not Notification.objects.filter(user=staff, read_at__isnull=True).exists()


# ---- public report -------------------------------------------------------------------------


def _report(**overrides: Any) -> dict[str, Any]:
    return {
        "url": "https://www.facebook.com/ubnd.cam.ngoc.gia",
        "body": "",
        "description": "Trang này mạo danh UBND xã để xin tiền.",
        "reporter_email": "",
        **overrides,
    }


def test_the_verify_verdict_offers_to_report_an_unknown_page(client: Client, tree: Tree) -> None:
    response = client.get("/verify/", {"url": "https://www.facebook.com/trang.gia.mao"})

    assert f"{REPORT}?url=https%3A//www.facebook.com/trang.gia.mao" in response.content.decode()


def test_the_report_form_is_prefilled_with_the_address(client: Client, tree: Tree) -> None:
    response = client.get(REPORT, {"url": "https://www.facebook.com/trang.gia.mao"})

    assert response.status_code == 200
    assert 'value="https://www.facebook.com/trang.gia.mao"' in response.content.decode()


def test_a_citizen_reports_a_fake_page_and_is_thanked(client: Client, tree: Tree) -> None:
    staff = staff_of(tree.ubnd_cam_ngoc)

    response = client.post(
        REPORT, _report(body=tree.ubnd_cam_ngoc.pk, image=png(), reporter_name="Nguyễn Văn A")
    )

    assert response.status_code == 302
    assert response["Location"] == "/incidents/report/thanks/"
    created = Incident.objects.get()
    assert (created.source, created.state, created.reporter_name) == (
        IncidentSource.PUBLIC,
        S.NEW,
        "Nguyễn Văn A",
    )
    assert Notification.objects.filter(user=staff).count() == 1
    thanks = client.get(response["Location"]).content.decode()
    assert str(created.pk) not in thanks
    assert "Cẩm Ngọc" not in thanks


def test_an_invalid_report_says_what_is_wrong(client: Client, tree: Tree) -> None:
    response = client.post(
        REPORT, _report(url="khong phai dia chi", description="ngắn", reporter_email="x@")
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"url", "body", "description", "reporter_email"} <= set(errors)
    assert not Incident.objects.exists()


def test_a_spoofed_screenshot_is_refused_in_a_public_report(client: Client, tree: Tree) -> None:
    response = client.post(
        REPORT,
        _report(
            body=tree.ubnd_cam_ngoc.pk,
            image=SimpleUploadedFile("anh.jpg", EXE, content_type="image/jpeg"),
        ),
    )

    assert response.status_code == 400
    assert "image" in response.context["form"].errors
    assert not Incident.objects.exists()


def test_a_robot_filling_the_honeypot_is_thanked_and_nothing_is_stored(
    client: Client, tree: Tree
) -> None:
    response = client.post(REPORT, _report(body=tree.ubnd_cam_ngoc.pk, website="http://spam"))

    assert response.status_code == 302
    assert not Incident.objects.exists()


def test_public_reports_are_rate_limited(client: Client, tree: Tree, settings: Any) -> None:
    settings.PORTAL_PUBLIC_REPORT_RATE = "2/hour"

    codes = [client.post(REPORT, _report(body=tree.ubnd_cam_ngoc.pk)).status_code for _ in range(3)]

    assert codes == [302, 302, 429]
    assert Incident.objects.count() == 2


@pytest.mark.parametrize("path", ["/incidents/", "/incidents/new/", "/notifications/"])
def test_the_staff_pages_need_a_login(client: Client, path: str) -> None:
    assert client.get(path).status_code == 302


def test_an_administrator_sees_every_incident(tree: Tree) -> None:
    item = incident(tree.ubnd_muong_khoa, by=staff_of(tree.ubnd_muong_khoa))

    assert _client(admin_user()).get(f"/incidents/{item.pk}/").status_code == 200


def test_the_header_tag_counts_unread_notifications(tree: Tree) -> None:
    from django.template import Context, Template
    from django.test import RequestFactory

    staff = staff_of(tree.ubnd_cam_ngoc)
    incident(tree.ubnd_cam_ngoc, by=staff)
    request = RequestFactory().get("/")
    request.user = staff
    template = Template("{% load notifications_tags %}{% unread_notifications %}")

    assert template.render(Context({"request": request})) == "1"
