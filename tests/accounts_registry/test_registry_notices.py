"""Who the registry tells, and what: reviewers of what waits for them, bodies of the outcome.

A page goes through review, so its reviewers hear that it waits and the body's staff hear
whether it was approved or returned (with the officer's note). A contact person and a
posting-rules file take effect at once, without review; the body's reviewers are told of
each change all the same (in the portal, and by email for those who chose email).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from accounts_registry.models import PageState
from accounts_registry.services import pages as services
from accounts_registry.services.contacts import contact_clear_page_override, contact_set
from accounts_registry.services.rules import rules_upload
from notifications.models import Notification, OutboundEmail
from tests import factories
from tests.accounts_registry import factories_pages as make
from tests.accounts_registry.factories_bodies import pdf_upload, upload
from tests.conftest import Tree
from users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _texts(user: User) -> list[str]:
    return list(
        Notification.objects.filter(user=user).order_by("pk").values_list("text", flat=True)
    )


def _emails(user: User) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(to=user.email).order_by("pk"))


def test_the_reviewer_hears_a_page_waits_and_the_body_hears_it_was_returned(tree: Tree) -> None:
    # Given a body's staff, its reviewer (the district's office) and a draft page
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    reviewer = factories.officer_of(tree.cam_thuy, full_name="Trần Thị Hoa")
    page = make.page(tree.ubnd_cam_ngoc, display_name="Cẩm Ngọc quê hương", by=staff)

    # When the staff submit it and the reviewer returns it with a note
    services.page_submit(page=page, by=staff)
    services.page_return(page=page, by=reviewer, note="Thiếu tên bộ phận quản lý.")

    # Then the reviewer was told it waits, and the staff that it came back, with the note
    assert _texts(reviewer) == [
        "Trang “Cẩm Ngọc quê hương” của UBND Xã Cẩm Ngọc đang chờ bạn duyệt"
    ]
    assert _texts(staff) == [
        "Trang “Cẩm Ngọc quê hương” của UBND Xã Cẩm Ngọc bị trả lại để chỉnh sửa"
    ]
    (email,) = _emails(staff)
    assert "Thiếu tên bộ phận quản lý." in email.text_body
    assert "Trần Thị Hoa (Huyện Cẩm Thủy)" in email.text_body


def test_reviewers_hear_when_a_body_sets_or_corrects_its_contact_person(tree: Tree) -> None:
    # Given a body's staff and its two reviewers, one of whom wants no email
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    reviewer = factories.officer_of(tree.cam_thuy)
    quiet = factories.officer_of(tree.cam_thuy, email_notifications=False)

    # When the body registers its contact, saves the same again, then corrects the phone
    values: dict[str, Any] = {"name": "Nguyễn Thị Lan", "position": "Công chức VH-XH"}
    contact_set(body=tree.ubnd_cam_ngoc, phone="0912 345 678", by=staff, **values)
    contact_set(body=tree.ubnd_cam_ngoc, phone="0912 345 678", by=staff, **values)
    contact_set(body=tree.ubnd_cam_ngoc, phone="0987 654 321", by=staff, **values)

    # Then each reviewer was told of each change, not of the repeat; email as they chose
    assert _texts(reviewer) == [
        "UBND Xã Cẩm Ngọc đã cập nhật đầu mối liên lạc: Nguyễn Thị Lan, 0912345678",
        "UBND Xã Cẩm Ngọc đã cập nhật đầu mối liên lạc: Nguyễn Thị Lan, 0987654321",
    ]
    assert len(_emails(reviewer)) == 2
    assert len(_texts(quiet)) == 2
    assert _emails(quiet) == []
    # and the body's own staff, who made the change, were not
    assert _texts(staff) == []


def test_reviewers_hear_of_a_pages_own_contact_and_of_its_removal(tree: Tree) -> None:
    # Given a reviewer and an approved page
    reviewer = factories.officer_of(tree.cam_thuy)
    page = make.page(tree.ubnd_cam_ngoc, state=PageState.APPROVED, display_name="Tin Cẩm Ngọc")
    Notification.objects.all().delete()

    # When the page gets a contact of its own, then goes back to the body's
    contact_set(body=tree.ubnd_cam_ngoc, page=page, name="Lê Văn Nam", phone="0905123456", by=None)
    contact_clear_page_override(page=page, by=None)

    # Then the reviewer was told both
    assert _texts(reviewer) == [
        "UBND Xã Cẩm Ngọc đã cập nhật đầu mối liên lạc của trang “Tin Cẩm Ngọc”: "
        "Lê Văn Nam, 0905123456",
        "Trang “Tin Cẩm Ngọc” của UBND Xã Cẩm Ngọc trở lại dùng đầu mối liên lạc chung của cơ quan",
    ]


def test_reviewers_hear_of_new_posting_rules_and_not_of_a_refused_upload(tree: Tree) -> None:
    # Given a reviewer of the body
    reviewer = factories.officer_of(tree.cam_thuy)
    values: dict[str, Any] = {
        "body": tree.ubnd_cam_ngoc,
        "document_number": "12/QĐ-UBND",
        "issued_on": date(2024, 5, 2),
        "signed_by": "Chủ tịch UBND xã",
        "by": None,
    }

    # When the body uploads its rules, then a file that is not a document
    rules_upload(file=pdf_upload(), **values)
    with pytest.raises(ValidationError):
        rules_upload(file=upload("virus.pdf", b"MZ\x90\x00not a pdf"), **values)

    # Then the reviewer heard of the accepted version only, with a link to the body's register
    (notice,) = Notification.objects.filter(user=reviewer)
    assert (
        notice.text == "UBND Xã Cẩm Ngọc đã tải lên nội quy đăng tin mới: 12/QĐ-UBND, phiên bản 1"
    )
    assert notice.link == f"/registry/bodies/{tree.ubnd_cam_ngoc.pk}/"
    (email,) = _emails(reviewer)
    assert email.subject.startswith("[Cổng MXH] UBND Xã Cẩm Ngọc đã tải lên nội quy")
