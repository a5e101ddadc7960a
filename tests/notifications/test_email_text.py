"""What an email says: addressed by name, the officer's note, a link to the portal, signed."""

from __future__ import annotations

from typing import Any

import pytest

from accounts_registry.services import pages as page_services
from incidents import services as incident_services
from incidents.models import IncidentKind, IncidentState
from notifications.models import OutboundEmail
from notifications.services import email_text, notify, sender_name
from tests import factories
from tests.accounts_registry import factories_pages as make
from tests.conftest import Tree
from users.models import Role, RoleAssignment

BASE = "https://mxh.thanhhoa.gov.vn"
PORTAL = "Cổng quản lý trang mạng xã hội chính thức"


@pytest.fixture(autouse=True)
def _base_url(settings: Any) -> None:
    settings.PORTAL_BASE_URL = f"{BASE}/"


def test_an_email_greets_by_name_links_from_the_base_url_and_is_signed() -> None:
    text = email_text(
        name="Bùi Thị Lan",
        body="Trang của xã đã bị trả lại.",
        link="/registry/pages/7/",
        note="Thiếu tên bộ phận quản lý.",
        sender="Trịnh Văn Nam (Huyện Cẩm Thủy)",
    )

    lines = text.splitlines()
    assert lines[0] == "Kính gửi Bùi Thị Lan,"
    assert "Ghi chú của cán bộ:\nThiếu tên bộ phận quản lý." in text
    # The trailing slash of the setting does not double the path's.
    assert f"\n{BASE}/registry/pages/7/\n" in text
    assert "Trân trọng,\nTrịnh Văn Nam (Huyện Cẩm Thủy)\n" + PORTAL in text
    assert f"{BASE}/accounts/notifications/" in text
    assert "127.0.0.1" not in text


def test_a_body_that_already_holds_the_link_does_not_repeat_it() -> None:
    text = email_text(name="Lan", body=f"Nộp báo cáo tại:\n{BASE}/reports/3/", link="/reports/3/")

    assert text.count(f"{BASE}/reports/3/") == 1


def test_a_returned_page_email_carries_the_note_and_the_reviewer(db: None, tree: Tree) -> None:
    # Given a page submitted by the commune's staff
    staff = factories.staff_of(tree.ubnd_cam_ngoc, full_name="Bùi Thị Lan")
    officer = factories.officer_of(tree.cam_thuy, full_name="Trịnh Văn Nam")
    page = make.page(tree.ubnd_cam_ngoc, state="submitted", by=staff)
    OutboundEmail.objects.all().delete()

    # When the district officer returns it with a note
    page_services.page_return(page=page, by=officer, note="Tên trang chưa đúng tên hiệu thật.")

    # Then the staff's email greets her, quotes the note, links to the page, and is signed
    # by the officer for the district
    email = OutboundEmail.objects.get(to=staff.email)
    assert email.text_body.startswith("Kính gửi Bùi Thị Lan,")
    assert "Tên trang chưa đúng tên hiệu thật." in email.text_body
    assert f"{BASE}/registry/pages/{page.pk}/" in email.text_body
    assert "Trịnh Văn Nam (Huyện Cẩm Thủy)" in email.text_body
    assert PORTAL in email.text_body


def test_a_submitted_page_email_to_the_reviewer_names_the_body(db: None, tree: Tree) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc, full_name="Bùi Thị Lan")
    officer = factories.officer_of(tree.cam_thuy, full_name="Trịnh Văn Nam")

    make.page(tree.ubnd_cam_ngoc, state="submitted", by=staff)

    email = OutboundEmail.objects.get(to=officer.email)
    assert email.text_body.startswith("Kính gửi Trịnh Văn Nam,")
    assert "Bùi Thị Lan (UBND Xã Cẩm Ngọc)" in email.text_body


def test_an_incident_step_email_carries_the_officers_note(db: None, tree: Tree) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc, full_name="Bùi Thị Lan")
    officer = factories.officer_of(tree.cam_thuy, full_name="Trịnh Văn Nam")
    incident = incident_services.incident_report(
        body=tree.ubnd_cam_ngoc,
        kind=IncidentKind.IMPERSONATION,
        url="https://www.facebook.com/ubnd.camngoc.gia",
        description="Trang giả mạo.",
        by=staff,
    )

    incident_services.incident_transition(
        incident=incident,
        to_state=IncidentState.UNDER_REVIEW,
        by=officer,
        note="Đã chuyển Công an huyện xác minh.",
    )

    email = OutboundEmail.objects.filter(to=staff.email).order_by("-pk").first()
    assert email is not None
    assert "Đã chuyển Công an huyện xác minh." in email.text_body
    assert "Trịnh Văn Nam (Huyện Cẩm Thủy)" in email.text_body
    assert f"{BASE}/incidents/{incident.pk}/" in email.text_body


def test_the_sender_is_the_deepest_office_above_the_subject(db: None, tree: Tree) -> None:
    # An officer of the province who also works for the district office signs for the
    # district about a commune's page, and for the province about another district's.
    user = factories.officer_of(tree.thanh_hoa, full_name="Lê Thị Thu Hà")
    RoleAssignment.objects.create(user=user, role=Role.UNIT_OFFICER, unit=tree.cam_thuy)

    assert sender_name(user, path=tree.cam_ngoc.path) == "Lê Thị Thu Hà (Huyện Cẩm Thủy)"
    assert sender_name(user, path=tree.ba_thuoc.path) == "Lê Thị Thu Hà (Tỉnh Thanh Hóa)"
    assert sender_name(None) == ""


def test_names_of_many_recipients_are_read_in_one_query(
    db: None, django_assert_max_num_queries: Any
) -> None:
    users = [factories.UserFactory.create() for _ in range(20)]
    with django_assert_max_num_queries(9):
        notify(users, text="Thông báo", key="many", subject="Thử")

    emails = OutboundEmail.objects.order_by("pk")
    assert [email.text_body.splitlines()[0] for email in emails] == [
        f"Kính gửi {user.full_name}," for user in users
    ]
