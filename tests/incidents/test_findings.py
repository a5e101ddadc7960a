"""Monitoring findings: recorded by an office above, remediated by the body, closed by the
finder; notices at each step; scope; overdue; API; budgets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from incidents import services_findings as services
from incidents.models import FindingState, MonitoringFinding
from notifications.models import Notification
from tests import factories
from tests.accounts_registry import factories_pages as make
from tests.api.auth import token_for
from tests.conftest import Tree
from units.models import Body
from users.models import User

pytestmark = pytest.mark.django_db

LIST_BUDGET = 10


def _record(body: Body, by: User | None, **values: Any) -> MonitoringFinding:
    today = timezone.localdate()
    data: dict[str, Any] = {
        "source": "ministry",
        "reference": "1332/STTTT-TTBCXB",
        "found_on": today - timedelta(days=10),
        "category": "not_verified",
        "severity": "medium",
        "description": "Trang chưa xác thực tên hiệu.",
        "remediation_required": "Đăng ký xác thực với nhà cung cấp dịch vụ.",
        "deadline": today + timedelta(days=20),
        **values,
    }
    return services.finding_record(body=body, by=by, **data)


def _texts(user: User) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


def test_a_finding_goes_from_the_office_to_the_body_and_back(tree: Tree) -> None:
    office = factories.officer_of(tree.cam_thuy)
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    page = make.page(tree.ubnd_cam_ngoc, state="approved")

    finding = _record(tree.ubnd_cam_ngoc, office, page=page)

    assert finding.finder_unit == tree.cam_thuy
    assert any("Kết quả giám sát" in text for text in _texts(staff))

    finding = services.finding_remediate(finding=finding, by=staff, note="Đã gửi hồ sơ xác thực.")
    assert finding.state == FindingState.REMEDIATED
    assert any("đã báo cáo khắc phục" in text for text in _texts(office))

    finding = services.finding_close(finding=finding, by=office, note="Đạt.")
    assert finding.state == FindingState.CLOSED
    assert finding.closed_at is not None
    assert any("đã được đóng" in text for text in _texts(staff))
    assert finding.history.count() == 3


def test_the_body_cannot_close_its_own_finding(tree: Tree) -> None:
    office = factories.officer_of(tree.cam_thuy)
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    finding = _record(tree.ubnd_cam_ngoc, office)

    with pytest.raises(ValidationError):
        services.finding_close(finding=finding, by=staff)

    finding.refresh_from_db()
    assert finding.state == FindingState.OPEN


def test_an_office_above_the_finder_may_close_but_a_sibling_may_not(tree: Tree) -> None:
    office = factories.officer_of(tree.cam_thuy)
    province = factories.officer_of(tree.thanh_hoa)
    sibling = factories.officer_of(tree.ba_thuoc)
    finding = _record(tree.ubnd_cam_ngoc, office)

    assert services.may_close(finding, province)
    assert not services.may_close(finding, sibling)


def test_a_short_remediation_is_reopened_with_a_reason(tree: Tree) -> None:
    office = factories.officer_of(tree.cam_thuy)
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    finding = _record(tree.ubnd_cam_ngoc, office)
    finding = services.finding_remediate(finding=finding, by=staff, note="Đã sửa.")

    with pytest.raises(ValidationError):
        services.finding_reopen(finding=finding, by=office, note=" ")
    finding = services.finding_reopen(finding=finding, by=office, note="Chưa có dấu xác thực.")

    assert finding.state == FindingState.OPEN
    assert any("mở lại" in text for text in _texts(staff))


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"deadline": date(2020, 1, 1), "found_on": date(2020, 2, 1)}, "deadline"),
        ({"found_on": timezone.localdate() + timedelta(days=2)}, "found_on"),
        ({"description": "  "}, "description"),
        ({"remediation_required": ""}, "remediation_required"),
    ],
)
def test_bad_findings_are_refused_per_field(tree: Tree, values: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        _record(tree.ubnd_cam_ngoc, None, **values)

    assert field in error.value.message_dict


def test_overdue_findings_are_visible_to_the_finder(tree: Tree) -> None:
    office = factories.officer_of(tree.cam_thuy)
    today = timezone.localdate()
    late = _record(
        tree.ubnd_cam_ngoc,
        office,
        found_on=today - timedelta(days=30),
        deadline=today - timedelta(days=1),
    )
    _record(tree.ubnd_cam_thanh, office)
    client = Client()
    client.force_login(office)

    html = client.get(
        reverse("incidents:finding_list"), {"overdue": "on", "mine": "on"}
    ).content.decode()

    assert f"#{late.pk}" in html
    assert "quá hạn" in html
    assert list(MonitoringFinding.objects.overdue()) == [late]


def test_findings_are_scoped_and_out_of_scope_is_404(tree: Tree) -> None:
    office = factories.officer_of(tree.cam_thuy)
    finding = _record(tree.ubnd_cam_ngoc, office)
    outsider = Client()
    outsider.force_login(factories.staff_of(tree.ubnd_muong_khoa))
    neighbour = Client()
    neighbour.force_login(factories.staff_of(tree.ubnd_cam_thanh))

    assert outsider.get(reverse("incidents:finding_detail", args=[finding.pk])).status_code == 404
    assert f"#{finding.pk}" not in neighbour.get(reverse("incidents:finding_list")).content.decode()


def test_officers_record_through_the_form_and_staff_cannot(tree: Tree) -> None:
    office = Client()
    office.force_login(factories.officer_of(tree.cam_thuy))
    staff = Client()
    staff.force_login(factories.staff_of(tree.ubnd_cam_ngoc))
    url = reverse("incidents:finding_create") + f"?body={tree.ubnd_cam_ngoc.pk}"
    today = timezone.localdate()
    values = {
        "source": "province",
        "found_on": today.strftime("%d/%m/%Y"),
        "category": "inconsistent",
        "severity": "high",
        "description": "Thông tin không thống nhất với cổng thông tin.",
        "remediation_required": "Cập nhật lại thông tin.",
        "deadline": (today + timedelta(days=7)).strftime("%d/%m/%Y"),
    }

    assert staff.get(url).status_code == 404
    response = office.post(url, values)

    assert response.status_code == 302
    finding = MonitoringFinding.objects.get()
    assert finding.severity == "high"


def test_the_body_records_its_remediation_on_the_page_and_the_finder_closes_it(
    tree: Tree,
) -> None:
    officer = factories.officer_of(tree.cam_thuy)
    finding = _record(tree.ubnd_cam_ngoc, officer)
    staff = Client()
    staff.force_login(factories.staff_of(tree.ubnd_cam_ngoc))
    office = Client()
    office.force_login(officer)

    assert staff.post(reverse("incidents:finding_close", args=[finding.pk])).status_code == 403
    staff.post(
        reverse("incidents:finding_remediate", args=[finding.pk]),
        {"remediation_note": "Đã đăng ký xác thực."},
    )
    office.post(reverse("incidents:finding_close", args=[finding.pk]), {"note": "Đạt."})

    finding.refresh_from_db()
    assert finding.state == FindingState.CLOSED
    assert finding.remediation_note == "Đã đăng ký xác thực."


def test_the_bodys_page_counts_its_findings(tree: Tree) -> None:
    office = factories.officer_of(tree.cam_thuy)
    today = timezone.localdate()
    _record(tree.ubnd_cam_ngoc, office)
    _record(
        tree.ubnd_cam_ngoc,
        office,
        found_on=today - timedelta(days=30),
        deadline=today - timedelta(days=2),
    )
    client = Client()
    client.force_login(factories.staff_of(tree.ubnd_cam_ngoc))

    html = client.get(
        reverse("registry:body_registry", kwargs={"body_id": tree.ubnd_cam_ngoc.pk})
    ).content.decode()

    assert "2 chờ khắc phục (1 quá hạn)" in html


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_stays_within_its_budget(
    tree: Tree, count: int, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    office = factories.officer_of(tree.cam_thuy)
    for _ in range(count):
        _record(tree.ubnd_cam_ngoc, office, page=make.page(tree.ubnd_cam_ngoc))
    client = Client()
    client.force_login(office)

    with django_assert_max_num_queries(LIST_BUDGET):
        response = client.get(reverse("incidents:finding_list"))

    assert response.status_code == 200


def test_the_api_records_remediates_and_closes(tree: Tree) -> None:
    officer = factories.officer_of(tree.cam_thuy)
    staff = factories.staff_of(tree.ubnd_cam_ngoc)

    def client(user: User) -> APIClient:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
        return api

    today = timezone.localdate()
    created = client(officer).post(
        "/api/v1/incidents/findings/",
        {
            "body": tree.ubnd_cam_ngoc.pk,
            "source": "ministry",
            "found_on": today.isoformat(),
            "category": "no_answer",
            "severity": "low",
            "description": "Không trả lời bình luận.",
            "remediation_required": "Trả lời bình luận.",
            "deadline": (today + timedelta(days=5)).isoformat(),
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    outside = client(factories.officer_of(tree.tan_uyen)).post(
        "/api/v1/incidents/findings/",
        {**created.json(), "body": tree.ubnd_cam_ngoc.pk},
        format="json",
    )
    refused = client(staff).post(f"/api/v1/incidents/findings/{pk}/close/", {}, format="json")
    remediated = client(staff).post(
        f"/api/v1/incidents/findings/{pk}/remediate/", {"note": "Đã trả lời."}, format="json"
    )
    closed = client(officer).post(f"/api/v1/incidents/findings/{pk}/close/", {}, format="json")

    assert outside.status_code == 400
    assert refused.status_code == 403
    assert remediated.json()["state"] == "remediated"
    assert closed.json()["state"] == "closed"
    assert (
        client(factories.staff_of(tree.ubnd_muong_khoa))
        .get(f"/api/v1/incidents/findings/{pk}/")
        .status_code
        == 404
    )
