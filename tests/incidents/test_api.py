"""The incidents API: scoped like the pages, the same workflow, and the public report."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from incidents.models import Incident, IncidentSource, IncidentState
from tests.conftest import Tree
from tests.factories import officer_of, staff_of
from tests.incidents.factories_incidents import EXE, incident, png

S = IncidentState
API = "/api/v1/incidents/"
REPORT = "/api/v1/incidents/report/"


def _as(client: APIClient, user: Any) -> APIClient:
    client.force_authenticate(user)
    return client


def test_the_list_holds_only_incidents_in_scope(api_client: APIClient, tree: Tree) -> None:
    staff = staff_of(tree.ubnd_cam_ngoc)
    mine = incident(tree.ubnd_cam_ngoc, by=staff)
    incident(tree.ubnd_dien_lu, by=staff_of(tree.ubnd_dien_lu))

    response = _as(api_client, officer_of(tree.cam_thuy)).get(API)

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_an_incident_out_of_scope_is_404(api_client: APIClient, tree: Tree) -> None:
    item = incident(tree.ubnd_cam_ngoc, by=staff_of(tree.ubnd_cam_ngoc))
    client = _as(api_client, officer_of(tree.ba_thuoc))

    assert client.get(f"{API}{item.pk}/").status_code == 404
    response = client.post(
        f"{API}{item.pk}/transition/", {"to_state": S.UNDER_REVIEW, "note": "x"}, format="json"
    )
    assert response.status_code == 404


def test_the_officer_above_moves_the_incident(api_client: APIClient, tree: Tree) -> None:
    item = incident(tree.ubnd_cam_ngoc, by=staff_of(tree.ubnd_cam_ngoc))

    response = _as(api_client, officer_of(tree.thanh_hoa)).post(
        f"{API}{item.pk}/transition/",
        {"to_state": S.UNDER_REVIEW, "note": "Đang xem."},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["state"] == S.UNDER_REVIEW
    assert [step["to_state"] for step in body["steps"]] == [S.NEW, S.UNDER_REVIEW]


def test_an_illegal_transition_is_a_400(api_client: APIClient, tree: Tree) -> None:
    item = incident(tree.ubnd_cam_ngoc, by=staff_of(tree.ubnd_cam_ngoc))

    response = _as(api_client, officer_of(tree.cam_thuy)).post(
        f"{API}{item.pk}/transition/", {"to_state": S.RESOLVED, "note": "Xong."}, format="json"
    )

    assert response.status_code == 400
    item.refresh_from_db()
    assert item.state == S.NEW


def test_staff_cannot_move_an_incident(api_client: APIClient, tree: Tree) -> None:
    staff = staff_of(tree.ubnd_cam_ngoc)
    item = incident(tree.ubnd_cam_ngoc, by=staff)

    response = _as(api_client, staff).post(
        f"{API}{item.pk}/transition/", {"to_state": S.DISMISSED, "note": "x"}, format="json"
    )

    assert response.status_code == 404


def test_staff_report_an_impersonation_and_add_evidence(api_client: APIClient, tree: Tree) -> None:
    client = _as(api_client, staff_of(tree.ubnd_cam_ngoc))

    created = client.post(
        API,
        {
            "body": tree.ubnd_cam_ngoc.pk,
            "kind": "impersonation",
            "url": "https://www.facebook.com/ubnd.gia",
            "description": "Trang mạo danh.",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    image = client.post(f"{API}{pk}/evidence/", {"image": png()}, format="multipart")
    spoofed = client.post(
        f"{API}{pk}/evidence/",
        {"image": SimpleUploadedFile("a.png", EXE)},
        format="multipart",
    )

    assert image.status_code == 201
    assert image.json()["content_type"] == "image/png"
    assert spoofed.status_code == 400
    assert "image" in spoofed.json()


def test_staff_cannot_report_for_another_body(api_client: APIClient, tree: Tree) -> None:
    response = _as(api_client, staff_of(tree.ubnd_cam_ngoc)).post(
        API,
        {
            "body": tree.ubnd_cam_thanh.pk,
            "kind": "impersonation",
            "url": "https://www.facebook.com/ubnd.gia",
            "description": "Trang mạo danh.",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "body" in response.json()


def test_the_list_keeps_a_flat_query_budget(
    api_client: APIClient, tree: Tree, django_assert_max_num_queries: Any
) -> None:
    staff = staff_of(tree.ubnd_cam_ngoc)
    client = _as(api_client, officer_of(tree.thanh_hoa))
    incident(tree.ubnd_cam_ngoc, by=staff)
    with django_assert_max_num_queries(10) as few:
        client.get(API, {"state": S.NEW})
    for _ in range(10):
        incident(tree.ubnd_cam_ngoc, by=staff)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(API, {"state": S.NEW})

    assert response.json()["count"] == 11


def test_anonymous_callers_get_nothing(api_client: APIClient, tree: Tree) -> None:
    assert api_client.get(API).status_code in (401, 403)


# ---- public report -------------------------------------------------------------------------


def test_a_public_report_is_accepted_and_reveals_nothing(api_client: APIClient, tree: Tree) -> None:
    response = api_client.post(
        REPORT,
        {
            "url": "https://www.facebook.com/ubnd.gia",
            "body": tree.ubnd_cam_ngoc.pk,
            "description": "Trang này mạo danh UBND xã.",
        },
        format="json",
    )

    assert response.status_code == 202
    assert set(response.json()) == {"detail"}
    created = Incident.objects.get()
    assert (created.source, created.state) == (IncidentSource.PUBLIC, S.NEW)


def test_an_invalid_public_report_gets_clear_errors(api_client: APIClient, tree: Tree) -> None:
    response = api_client.post(
        REPORT, {"url": "hello", "body": 999999, "description": "x"}, format="json"
    )

    assert response.status_code == 400
    assert {"url", "description"} <= set(response.json())
    assert not Incident.objects.exists()


def test_a_spoofed_image_is_refused_in_a_public_report(api_client: APIClient, tree: Tree) -> None:
    response = api_client.post(
        REPORT,
        {
            "url": "https://www.facebook.com/ubnd.gia",
            "body": tree.ubnd_cam_ngoc.pk,
            "description": "Trang này mạo danh UBND xã.",
            "image": SimpleUploadedFile("a.webp", EXE),
        },
        format="multipart",
    )

    assert response.status_code == 400
    assert "image" in response.json()
    assert not Incident.objects.exists()


def test_public_reports_through_the_api_are_rate_limited(
    api_client: APIClient, tree: Tree, settings: Any
) -> None:
    settings.PORTAL_PUBLIC_REPORT_RATE = "1/hour"
    data = {
        "url": "https://www.facebook.com/ubnd.gia",
        "body": tree.ubnd_cam_ngoc.pk,
        "description": "Trang này mạo danh UBND xã.",
    }

    first = api_client.post(REPORT, data, format="json")
    second = api_client.post(REPORT, data, format="json")

    assert (first.status_code, second.status_code) == (202, 429)
