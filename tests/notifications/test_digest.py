"""One digest per person when an action sends many notices of one kind at once.

A body (or a bulk import) that submits twenty pages in one action must not send each
reviewer twenty notices and twenty emails: inside ``notifications.digest`` the notices of
one group to one person become one, listing them, and are sent exactly once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts_registry import bulk
from accounts_registry.models import PageState, SocialPage
from accounts_registry.services import pages as services
from notifications import services as notifications
from notifications.models import Notification, OutboundEmail
from tests import factories
from tests.accounts_registry import factories_pages as make
from tests.accounts_registry.test_bulk_import import row, upload, xlsx
from tests.conftest import Tree
from users.models import Role, RoleAssignment, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _notices(user: User) -> list[Notification]:
    return list(Notification.objects.filter(user=user).order_by("pk"))


def _emails(user: User) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(to=user.email).order_by("pk"))


def test_a_bulk_import_submitted_at_once_tells_each_reviewer_once(
    tree: Tree, tmp_path: Path
) -> None:
    # Given the staff of two bodies in two districts, each district with its reviewers
    importer = factories.staff_of(tree.ubnd_cam_ngoc)
    RoleAssignment.objects.create(user=importer, role=Role.BODY_STAFF, body=tree.ubnd_dien_lu)
    cam_thuy_office = factories.officer_of(tree.cam_thuy)
    cam_thuy_no_email = factories.officer_of(tree.cam_thuy, email_notifications=False)
    ba_thuoc_office = factories.officer_of(tree.ba_thuoc)
    province = factories.officer_of(tree.thanh_hoa)  # not the nearest: not told
    path = tmp_path / "trang.xlsx"
    rows = [
        row(tree.ubnd_cam_ngoc.pk, f"https://www.facebook.com/camngoc{n}", f"Trang Cẩm Ngọc {n}")
        for n in range(1, 18)
    ] + [
        row(tree.ubnd_dien_lu.pk, f"https://www.facebook.com/dienlu{n}", f"Trang Điền Lư {n}")
        for n in range(1, 4)
    ]
    path.write_bytes(xlsx(*rows))

    # When the 20 pages are imported and submitted in one action
    pages = bulk.import_workbook(path, importer, submit=True)

    # Then all are waiting for review
    assert len(pages) == 20
    assert SocialPage.objects.filter(state=PageState.SUBMITTED).count() == 20
    # and each reviewer has one notice and (if they want email) one email listing theirs
    (notice,) = _notices(cam_thuy_office)
    assert notice.text == "17 trang đang chờ bạn duyệt"
    assert notice.link == "/registry/pages/?state=submitted"
    (email,) = _emails(cam_thuy_office)
    assert email.subject == "[Cổng MXH] 17 trang đang chờ bạn duyệt"
    for n in range(1, 18):
        assert f"Trang Cẩm Ngọc {n}”" in email.text_body
    assert "Điền Lư" not in email.text_body
    assert email.text_body.startswith(f"Kính gửi {cam_thuy_office.full_name},")
    assert len(_notices(cam_thuy_no_email)) == 1
    assert _emails(cam_thuy_no_email) == []
    (other,) = _notices(ba_thuoc_office)
    assert other.text == "3 trang đang chờ bạn duyệt"
    assert len(_emails(ba_thuoc_office)) == 1
    assert _notices(province) == []
    assert _emails(province) == []


def test_a_single_page_in_a_digest_is_told_as_usual(tree: Tree) -> None:
    # Given one reviewer and one draft
    reviewer = factories.officer_of(tree.cam_thuy)
    page = make.page(tree.ubnd_cam_ngoc, display_name="Trang tin xã Cẩm Ngọc")

    # When it is submitted through the many-pages path
    services.pages_submit(pages=[page], by=None)

    # Then the notice names the page, as a single submission does
    (notice,) = _notices(reviewer)
    assert notice.text == "Trang “Trang tin xã Cẩm Ngọc” của UBND Xã Cẩm Ngọc đang chờ bạn duyệt"
    assert notice.link == f"/registry/pages/{page.pk}/"


def _three_notices(user: User) -> list[notifications.Notice]:
    return [
        notifications.Notice(
            user=user,
            text=f"Việc số {n}",
            key=f"viec:{n}:{user.pk}",
            link=f"/viec/{n}/",
            subject=f"[Cổng MXH] Việc số {n}",
            note="Bổ sung số điện thoại." if n == 2 else "",
            group="viec",
            group_text="%(count)d việc mới",
            group_link="/viec/",
        )
        for n in (1, 2, 3)
    ]


def test_a_digest_sent_again_sends_nothing_new() -> None:
    # Given a digest of three notices already sent to a person
    user = factories.UserFactory.create()
    with notifications.digest():
        notifications.send_notices(_three_notices(user))

    # When the same action runs again (a retry)
    with notifications.digest():
        notifications.send_notices(_three_notices(user))

    # Then they still have one notice and one email, which carries the officer's note
    (notice,) = _notices(user)
    assert notice.text == "3 việc mới"
    (email,) = _emails(user)
    assert "Bổ sung số điện thoại." in email.text_body
    assert "/viec/2/" in email.text_body


def test_an_error_in_the_action_sends_nothing() -> None:
    # Given a person and an action that fails after gathering its notices
    user = factories.UserFactory.create()

    def failing_action() -> None:
        with transaction.atomic(), notifications.digest():
            notifications.send_notices(_three_notices(user))
            raise RuntimeError

    # When the action raises inside the digest
    with pytest.raises(RuntimeError):
        failing_action()

    # Then nobody was told anything
    assert _notices(user) == []
    assert _emails(user) == []


def test_notices_without_a_group_are_sent_one_by_one() -> None:
    # Given notices of no group
    user = factories.UserFactory.create()
    plain = [
        notifications.Notice(user=user, text=f"Tin {n}", key=f"tin:{n}:{user.pk}") for n in (1, 2)
    ]

    # When they are sent inside a digest
    with notifications.digest():
        notifications.send_notices(plain)

    # Then each is its own notice
    assert [notice.text for notice in _notices(user)] == ["Tin 1", "Tin 2"]


def test_the_bulk_page_can_submit_what_it_registers_in_one_step(tree: Tree, client: Client) -> None:
    # Given a body's staff with a checked upload of three pages, and their reviewer
    client.force_login(factories.staff_of(tree.ubnd_cam_ngoc))
    reviewer = factories.officer_of(tree.cam_thuy)
    content = xlsx(
        *[row(tree.ubnd_cam_ngoc.pk, f"https://www.facebook.com/camngoc{n}") for n in (1, 2, 3)]
    )
    assert client.get(upload(client, content)["Location"]).context["preview"].ok

    # When they register the pages and submit them for review in one step
    response = client.post(reverse("registry:bulk_commit"), {"submit_for_review": "1"}, follow=True)

    # Then the pages wait for review, and the reviewer was told once
    assert SocialPage.objects.filter(state=PageState.SUBMITTED).count() == 3
    assert "Đã đăng ký và gửi duyệt 3 trang." in response.content.decode()
    assert [notice.text for notice in _notices(reviewer)] == ["3 trang đang chờ bạn duyệt"]
