"""False information posted on an official page, as an incident kind (#13)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from incidents import services
from incidents.models import Incident, IncidentKind, IncidentState
from notifications.models import Notification
from tests import factories
from tests.accounts_registry import factories_pages as make
from tests.conftest import Tree

pytestmark = pytest.mark.django_db


def test_the_body_reports_false_information_on_its_page_and_the_office_is_told(
    tree: Tree,
) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    office = factories.officer_of(tree.cam_thuy)
    page = make.page(tree.ubnd_cam_ngoc, state="approved")

    incident = services.incident_report(
        body=tree.ubnd_cam_ngoc,
        kind=IncidentKind.FALSE_INFORMATION,
        page=page,
        url="https://www.facebook.com/ubndcamngoc/posts/123",
        description="Bài đăng sai lịch tiếp công dân.",
        by=staff,
    )

    assert incident.page == page
    assert incident.url.endswith("/posts/123")
    notice = Notification.objects.get(
        user=office, dedupe_key__startswith=f"incident:{incident.pk}:"
    )
    assert "Thông tin sai sự thật" in notice.text
    moved = services.incident_transition(
        incident=incident, to_state=IncidentState.UNDER_REVIEW, by=office, note="Đã xem."
    )
    assert moved.state == IncidentState.UNDER_REVIEW


def test_false_information_needs_one_of_the_bodys_pages(tree: Tree) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    other = make.page(tree.ubnd_cam_thanh)

    with pytest.raises(ValidationError) as missing:
        services.incident_report(
            body=tree.ubnd_cam_ngoc,
            kind=IncidentKind.FALSE_INFORMATION,
            description="Sai.",
            by=staff,
        )
    with pytest.raises(ValidationError) as foreign:
        services.incident_report(
            body=tree.ubnd_cam_ngoc,
            kind=IncidentKind.FALSE_INFORMATION,
            page=other,
            description="Sai.",
            by=staff,
        )

    assert "page" in missing.value.message_dict
    assert "page" in foreign.value.message_dict
    assert not Incident.objects.exists()


def test_the_incident_page_says_what_must_be_done(tree: Tree) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    page = make.page(tree.ubnd_cam_ngoc, state="approved")
    incident = services.incident_report(
        body=tree.ubnd_cam_ngoc,
        kind=IncidentKind.FALSE_INFORMATION,
        page=page,
        description="Bài đăng sai.",
        by=staff,
    )
    client = Client()
    client.force_login(staff)

    html = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()

    assert "Việc cần làm" in html
    assert "đính chính hoặc gỡ bỏ" in html
