"""Letters in and out, and what a unit owes.

The inbox lists the letters addressed to what the user answers for, issued by someone else;
the letters the user's own bodies issued are "Sent". Its counts, and the badge in the main
menu, say what the user owes: letters not reported on yet, whose recipient can still answer.
On the sender's side a recipient that has ceased is shown as such, not as late.

Cẩm Thủy's People's Committee writes on 02/11/2026 to its own culture office and to its
communes (report by 20/11/2026); the province writes to its districts the same day. We look
on 04/12/2026.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directives import selectors, services
from directives.models import Directive
from tests import factories
from tests.directives.conftest import World, draft
from units.models import AdministrativeUnit, Body
from users.models import User

pytestmark = pytest.mark.django_db

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
ISSUED = date(2026, 11, 2)
DEADLINE = date(2026, 11, 20)


@pytest.fixture
def today(time_machine: Any) -> date:
    time_machine.move_to(datetime(2026, 12, 4, 9, 0, tzinfo=HANOI), tick=False)
    return date(2026, 12, 4)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _issue(directive: Directive, by: User) -> Directive:
    return services.directive_issue(directive, by=by, today=ISSUED)


def _district_letter(world: World) -> Directive:
    """Cẩm Thủy's People's Committee to its culture office and its communes."""
    return _issue(
        draft(
            world.ubnd_cam_thuy,
            world.cam_thuy_officer,
            recipients=services.Recipients(
                bodies=[world.tree.vhtt_cam_thuy],
                groups=[services.RecipientGroup(world.tree.cam_thuy, world.commune_level)],
            ),
            number="412",
            deadline=DEADLINE,
        ),
        world.cam_thuy_officer,
    )


def _province_letter(world: World) -> Directive:
    return _issue(
        draft(
            world.ubnd_thanh_hoa,
            world.province_officer,
            recipients=services.Recipients(
                groups=[services.RecipientGroup(world.tree.thanh_hoa, world.district_level)]
            ),
            number="6389",
            symbol="UBND-KGVX",
            deadline=DEADLINE,
        ),
        world.province_officer,
    )


def _menu_badge(user: User) -> int:
    """The count beside "Directives" in the main menu (0 when none is shown)."""
    html = _client(user).get(reverse("units:body_list")).content.decode()
    found = re.search(r'href="/directives/"[^>]*>[^<]*<span class="nav-count">(\d+)</span>', html)
    return int(found.group(1)) if found else 0


# --- Incoming and outgoing ---------------------------------------------------------------------


def test_a_letter_the_district_sent_to_its_own_office_is_sent_not_received(
    world: World, today: date
) -> None:
    office_staff = factories.staff_of(world.tree.vhtt_cam_thuy)
    own = _district_letter(world)
    received = _province_letter(world)

    # The district's officer acts for its People's Committee and for its culture office:
    # only the province's letter is in its inbox, and it owes only that one
    assert [r.directive_id for r in selectors.inbox_for(world.cam_thuy_officer)] == [received.pk]
    assert selectors.inbox_counts(world.cam_thuy_officer) == {
        "owed": 1,
        "unacknowledged": 1,
        "overdue": 1,
    }
    inbox = _client(world.cam_thuy_officer).get(reverse("directives:inbox")).content.decode()
    assert "6389/UBND-KGVX" in inbox
    assert "412/UBND-VHTT" not in inbox
    # Its own letter is under "Sent", with who has reported
    sent = _client(world.cam_thuy_officer).get(reverse("directives:outbox"))
    assert [d.pk for d in sent.context["page"].object_list] == [own.pk]
    row = sent.context["page"].object_list[0]
    assert (row.recipient_count, row.reported_count, row.late_count) == (3, 0, 3)
    assert "412/UBND-VHTT" in sent.content.decode()
    assert "6389/UBND-KGVX" not in sent.content.decode()

    # The culture office's staff received it from their People's Committee: theirs to answer
    # (with the province's letter to their district as a whole)
    assert [r.directive_id for r in selectors.inbox_for(office_staff)] == [received.pk, own.pk]
    assert selectors.inbox_counts(office_staff)["owed"] == 2


def test_the_menu_badge_counts_what_is_owed_until_it_is_reported(world: World, today: date) -> None:
    _district_letter(world)
    received = _province_letter(world)
    receipt = received.receipts.get(unit=world.tree.cam_thuy)

    # Before anything: one letter owed (its own letter to its office is not counted)
    assert _menu_badge(world.cam_thuy_officer) == 1
    # Acknowledging is not answering: still owed, no longer "new"
    services.receipt_acknowledge(receipt, by=world.cam_thuy_officer)
    assert selectors.inbox_counts(world.cam_thuy_officer) == {
        "owed": 1,
        "unacknowledged": 0,
        "overdue": 1,
    }
    assert _menu_badge(world.cam_thuy_officer) == 1
    # Reporting back answers it: nothing owed any more
    services.report_submit(receipt, by=world.cam_thuy_officer, text="Đã triển khai.")
    assert selectors.inbox_counts(world.cam_thuy_officer) == {
        "owed": 0,
        "unacknowledged": 0,
        "overdue": 0,
    }
    assert _menu_badge(world.cam_thuy_officer) == 0
    # The province, which only sent, owes nothing and has nothing in its inbox
    assert _menu_badge(world.province_officer) == 0
    assert not selectors.inbox_for(world.province_officer).exists()


def test_a_recipient_that_ceased_owes_nothing(world: World, today: date) -> None:
    _district_letter(world)
    # Cẩm Ngọc ceased on 30/11/2026, before answering
    AdministrativeUnit.objects.filter(pk=world.tree.cam_ngoc.pk).update(
        valid_until=date(2026, 11, 30)
    )

    assert selectors.inbox_counts(world.cam_ngoc_staff)["owed"] == 0
    assert selectors.inbox_counts(world.cam_thanh_staff)["owed"] == 1


# --- The sender's table ---------------------------------------------------------------------


def test_a_ceased_recipient_is_shown_as_ceased_and_not_counted_late(
    world: World, today: date
) -> None:
    letter = _district_letter(world)
    # Cẩm Thành reported; Cẩm Ngọc ceased on 30/11/2026; the culture office's body was
    # archived on 01/12/2026 (both after the deadline, neither answered)
    services.report_submit(
        letter.receipts.get(unit=world.tree.cam_thanh),
        by=world.cam_thanh_staff,
        text="Đã phổ biến.",
    )
    AdministrativeUnit.objects.filter(pk=world.tree.cam_ngoc.pk).update(
        valid_until=date(2026, 11, 30)
    )
    Body.objects.filter(pk=world.tree.vhtt_cam_thuy.pk).update(
        archived_at=datetime(2026, 12, 1, 10, 0, tzinfo=HANOI)
    )

    rows = {row.receipt.recipient_name: row for row in selectors.receipt_rows(letter)}
    tally = selectors.tally(list(rows.values()))

    assert rows["Xã Cẩm Ngọc"].ceased_on == date(2026, 11, 30)
    assert rows["Phòng Văn hóa và Thông tin huyện Cẩm Thủy"].ceased_on == date(2026, 12, 1)
    assert not any(row.overdue for row in rows.values())
    assert (tally.total, tally.reported, tally.overdue, tally.ceased) == (3, 1, 0, 2)

    page = _client(world.cam_thuy_officer).get(reverse("directives:detail", args=[letter.pk]))
    html = page.content.decode()
    assert page.context["unanswered"] == 0
    assert "Kết thúc hoạt động ngày 30/11/2026" in html
    assert "Kết thúc hoạt động ngày 01/12/2026" in html
    assert "badge--overdue" not in html
    # Nobody is left to remind
    assert 'name="receipt"' not in html
    # The chain does not list them as late either
    assert selectors.chain_below(world.cam_thuy_officer, letter, today).late == []
    # and the "Sent" list counts no one late
    sent = _client(world.cam_thuy_officer).get(reverse("directives:outbox"))
    assert sent.context["page"].object_list[0].late_count == 0


def test_a_recipient_still_in_force_is_late_and_can_be_reminded(world: World, today: date) -> None:
    letter = _district_letter(world)
    AdministrativeUnit.objects.filter(pk=world.tree.cam_ngoc.pk).update(
        valid_until=date(2026, 11, 30)
    )

    page = _client(world.cam_thuy_officer).get(reverse("directives:detail", args=[letter.pk]))

    tally = page.context["tally"]
    assert (tally.overdue, tally.ceased) == (2, 1)
    assert page.context["unanswered"] == 2
    html = page.content.decode()
    assert html.count('name="receipt"') == 2


def _count(user: User, url: str) -> int:
    client = _client(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_the_inbox_and_outgoing_pages_cost_the_same_for_many_letters(
    world: World, today: date
) -> None:
    _district_letter(world)
    _province_letter(world)
    few = [
        _count(world.cam_thuy_officer, reverse(name))
        for name in ("directives:inbox", "directives:outbox")
    ]

    for n in range(5):
        _issue(
            draft(
                world.ubnd_cam_thuy,
                world.cam_thuy_officer,
                recipients=services.Recipients(
                    groups=[services.RecipientGroup(world.tree.cam_thuy, world.commune_level)]
                ),
                number=str(500 + n),
                deadline=DEADLINE,
            ),
            world.cam_thuy_officer,
        )
        _issue(
            draft(
                world.ubnd_thanh_hoa,
                world.province_officer,
                recipients=services.Recipients(
                    groups=[services.RecipientGroup(world.tree.thanh_hoa, world.district_level)]
                ),
                number=str(7000 + n),
                deadline=DEADLINE,
            ),
            world.province_officer,
        )
    many = [
        _count(world.cam_thuy_officer, reverse(name))
        for name in ("directives:inbox", "directives:outbox")
    ]

    assert many == few
