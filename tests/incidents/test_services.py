"""The incident services: workflow, evidence checks, notifications and the counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incidents import selectors, services
from incidents.models import Evidence, Incident, IncidentKind, IncidentSource, IncidentState
from notifications.models import Notification, OutboundEmail
from tests.conftest import Tree
from tests.factories import UserFactory, officer_of, staff_of
from tests.incidents.factories_incidents import EXE, JPEG, PATHS, incident, png

S = IncidentState

LEGAL = [(source, target) for source, targets in services.TRANSITIONS.items() for target in targets]
ILLEGAL = [
    (source, target)
    for source in S.values
    for target in S.values
    if target not in services.TRANSITIONS[source]
]


@pytest.mark.parametrize(("source", "target"), LEGAL)
def test_a_legal_transition_moves_the_incident_and_logs_who_and_when(
    tree: Tree, source: str, target: str
) -> None:
    staff = staff_of(tree.ubnd_cam_ngoc)
    officer = officer_of(tree.cam_thuy)
    item = incident(tree.ubnd_cam_ngoc, by=staff, state=source, officer=officer)

    moved = services.incident_transition(
        incident=item, to_state=target, by=officer, note="Đã xử lý."
    )

    assert moved.state == target
    last = moved.steps.order_by("-at", "-pk").first()
    assert last is not None
    assert (last.from_state, last.to_state, last.by, last.note) == (
        source,
        target,
        officer,
        "Đã xử lý.",
    )


@pytest.mark.parametrize(("source", "target"), ILLEGAL)
def test_an_illegal_transition_is_refused_and_changes_nothing(
    tree: Tree, source: str, target: str
) -> None:
    staff = staff_of(tree.ubnd_cam_ngoc)
    item = incident(tree.ubnd_cam_ngoc, by=staff, state=source)
    steps = item.steps.count()

    with pytest.raises(ValidationError):
        services.incident_transition(incident=item, to_state=target, by=staff, note="x")

    item.refresh_from_db()
    assert item.state == source
    assert item.steps.count() == steps


def test_a_transition_needs_a_note(tree: Tree) -> None:
    item = incident(tree.ubnd_cam_ngoc, by=staff_of(tree.ubnd_cam_ngoc))

    with pytest.raises(ValidationError) as error:
        services.incident_transition(incident=item, to_state=S.UNDER_REVIEW, by=None, note=" ")

    assert "note" in error.value.message_dict


def test_reporting_to_the_platform_records_when_and_closing_records_when(tree: Tree) -> None:
    item = incident(tree.ubnd_cam_ngoc, by=staff_of(tree.ubnd_cam_ngoc), state=S.UNDER_REVIEW)

    item = services.incident_transition(
        incident=item, to_state=S.REPORTED_TO_PLATFORM, by=None, note="Đã báo Facebook."
    )
    assert item.reported_to_platform_at is not None
    assert item.closed_at is None
    item = services.incident_transition(
        incident=item, to_state=S.RESOLVED, by=None, note="Trang đã bị gỡ."
    )

    assert item.closed_at is not None


def test_loss_of_control_needs_one_of_the_bodys_own_pages(tree: Tree) -> None:
    staff = staff_of(tree.ubnd_cam_ngoc)

    with pytest.raises(ValidationError) as error:
        services.incident_report(
            body=tree.ubnd_cam_ngoc,
            kind=IncidentKind.LOST_CONTROL,
            description="Mất mật khẩu quản trị.",
            by=staff,
        )

    assert "page" in error.value.message_dict


def test_a_recognisable_suspect_address_is_stored_in_canonical_form(tree: Tree) -> None:
    item = incident(
        tree.ubnd_cam_ngoc,
        by=staff_of(tree.ubnd_cam_ngoc),
        url="https://m.facebook.com/UBND.Gia.Mao/?ref=share",
    )

    assert item.canonical_url == "https://www.facebook.com/ubnd.gia.mao"


# ---- evidence ------------------------------------------------------------------------------


def test_a_png_screenshot_is_stored_under_a_generated_name(tree: Tree) -> None:
    item = incident(tree.ubnd_cam_ngoc, by=staff_of(tree.ubnd_cam_ngoc))

    evidence = services.evidence_add(incident=item, by=None, image=png("ảnh chụp.png"))

    assert evidence.content_type == "image/png"
    assert evidence.original_filename == "ảnh chụp.png"
    assert "ảnh" not in evidence.image.name
    assert evidence.image.name.endswith(".png")


def test_a_jpeg_screenshot_is_accepted_whatever_its_name(tree: Tree) -> None:
    item = incident(tree.ubnd_cam_ngoc, by=staff_of(tree.ubnd_cam_ngoc))

    evidence = services.evidence_add(
        incident=item, by=None, image=SimpleUploadedFile("chup.txt", JPEG)
    )

    assert evidence.content_type == "image/jpeg"


@pytest.mark.parametrize(
    "content",
    [EXE, b"<html><script>alert(1)</script></html>", b"GIF89a" + b"\x00" * 20, b""],
)
def test_a_file_that_is_not_a_screenshot_is_refused_whatever_its_name(
    tree: Tree, content: bytes
) -> None:
    item = incident(tree.ubnd_cam_ngoc, by=staff_of(tree.ubnd_cam_ngoc))

    with pytest.raises(ValidationError) as error:
        services.evidence_add(
            incident=item,
            by=None,
            image=SimpleUploadedFile("anh.png", content, content_type="image/png"),
        )

    assert "image" in error.value.message_dict
    assert not Evidence.objects.exists()


def test_a_screenshot_over_the_size_limit_is_refused(tree: Tree, settings: Any) -> None:
    settings.PORTAL_EVIDENCE_MAX_BYTES = 50
    item = incident(tree.ubnd_cam_ngoc, by=staff_of(tree.ubnd_cam_ngoc))

    with pytest.raises(ValidationError):
        services.evidence_add(incident=item, by=None, image=png())


def test_a_closed_incident_takes_no_more_evidence(tree: Tree) -> None:
    item = incident(tree.ubnd_cam_ngoc, by=staff_of(tree.ubnd_cam_ngoc), state=S.DISMISSED)

    with pytest.raises(ValidationError):
        services.evidence_add(incident=item, by=None, link="https://example.com/bai-viet")


# ---- notifications -------------------------------------------------------------------------


def test_the_body_and_its_nearest_officers_are_notified_and_nobody_else(tree: Tree) -> None:
    staff = staff_of(tree.ubnd_cam_ngoc, email="canbo@camngoc.gov.vn")
    district = officer_of(tree.cam_thuy, email="vhtt@camthuy.gov.vn")
    province = officer_of(tree.thanh_hoa, email="stt@thanhhoa.gov.vn")
    neighbour = staff_of(tree.ubnd_cam_thanh)
    other_district = officer_of(tree.ba_thuoc)
    UserFactory.create()

    item = incident(tree.ubnd_cam_ngoc, by=staff)

    # The reviewer is the officer of the level just above (the district here), not every
    # officer up to the province: the province hears of it when it is escalated.
    notified = set(Notification.objects.values_list("user_id", flat=True))
    assert notified == {staff.pk, district.pk}
    assert province.pk not in notified
    assert neighbour.pk not in notified
    assert other_district.pk not in notified
    assert set(OutboundEmail.objects.values_list("to", flat=True)) == {
        "canbo@camngoc.gov.vn",
        "vhtt@camthuy.gov.vn",
    }
    assert all(n.link == f"/incidents/{item.pk}/" for n in Notification.objects.all())


def test_each_state_notifies_each_person_once_even_when_called_twice(tree: Tree) -> None:
    staff = staff_of(tree.ubnd_cam_ngoc, email="canbo@camngoc.gov.vn")
    officer = officer_of(tree.cam_thuy, email="vhtt@camthuy.gov.vn")
    item = incident(tree.ubnd_cam_ngoc, by=staff, state=S.UNDER_REVIEW, officer=officer)
    before = (Notification.objects.count(), OutboundEmail.objects.count())

    assert services.notify(incident=item) == 0
    services.notify(incident=item)

    assert (Notification.objects.count(), OutboundEmail.objects.count()) == before == (4, 4)
    assert set(OutboundEmail.objects.values_list("dedupe_key", flat=True)) == {
        f"incident:{item.pk}:{state}:{user.pk}"
        for state in (S.NEW, S.UNDER_REVIEW)
        for user in (staff, officer)
    }


def test_finding_the_people_to_notify_takes_one_query(
    tree: Tree, django_assert_num_queries: Any
) -> None:
    for _ in range(5):
        staff_of(tree.ubnd_cam_ngoc)
        officer_of(tree.cam_thuy)
    body = tree.ubnd_cam_ngoc

    with django_assert_num_queries(1):
        people = services.recipients(body)

    assert len(people) == 10


# ---- public reports and counts -------------------------------------------------------------


def test_a_public_report_is_a_new_impersonation_with_its_screenshot(tree: Tree) -> None:
    item = services.incident_report_public(
        body=tree.ubnd_cam_ngoc,
        url="https://www.facebook.com/ubnd.cam.ngoc.gia",
        description="Trang này xin tiền hỗ trợ.",
        reporter_email="dan@example.com",
        image=png(),
    )

    assert (item.kind, item.source, item.state) == (
        IncidentKind.IMPERSONATION,
        IncidentSource.PUBLIC,
        S.NEW,
    )
    assert item.evidence.count() == 1


def test_counts_per_body_give_opened_reported_resolved_and_hours_to_report(
    tree: Tree, django_assert_num_queries: Any
) -> None:
    staff = staff_of(tree.ubnd_cam_ngoc)
    reported = incident(tree.ubnd_cam_ngoc, by=staff, state=S.UNDER_REVIEW)
    Incident.objects.filter(pk=reported.pk).update(
        discovered_at=timezone.now() - timedelta(hours=10)
    )
    reported = services.incident_transition(
        incident=reported, to_state=S.REPORTED_TO_PLATFORM, by=None, note="Đã báo."
    )
    services.incident_transition(incident=reported, to_state=S.RESOLVED, by=None, note="Xong.")
    incident(tree.ubnd_cam_ngoc, by=staff)
    incident(tree.ubnd_cam_thanh, by=staff_of(tree.ubnd_cam_thanh), state=S.DISMISSED)

    with django_assert_num_queries(1):
        counts = selectors.counts_by_body(
            [tree.ubnd_cam_ngoc.pk, tree.ubnd_cam_thanh.pk, tree.ubnd_dien_lu.pk]
        )

    mine = counts[tree.ubnd_cam_ngoc.pk]
    assert (mine.opened, mine.reported_to_platform, mine.resolved) == (2, 1, 1)
    assert mine.mean_hours_to_report == pytest.approx(10, abs=0.1)
    assert counts[tree.ubnd_cam_thanh.pk].mean_hours_to_report is None
    assert tree.ubnd_dien_lu.pk not in counts


def test_every_state_is_reachable_in_the_test_paths() -> None:
    assert set(PATHS) == set(S.values)
