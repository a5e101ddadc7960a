"""Directives through their services: the chain province → district → commune, answered
and reminded, with the rules a letter must keep whoever writes it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from directives import selectors, services
from directives.models import DirectiveState, Receipt, Reminder
from notifications.models import Notification, OutboundEmail
from tests.directives.conftest import World, draft

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _all_districts(world: World) -> services.Recipients:
    return services.Recipients(
        groups=[services.RecipientGroup(world.tree.thanh_hoa, world.district_level)]
    )


def test_the_chain_from_province_to_commune_can_be_followed_both_ways(world: World) -> None:
    # The province issues a directive to all its districts
    province = draft(
        world.ubnd_thanh_hoa,
        world.province_officer,
        recipients=_all_districts(world),
        number="6389",
        symbol="UBND-KGVX",
    )
    services.directive_issue(province, by=world.province_officer, today=date(2024, 4, 20))
    receipts = {r.unit_id: r for r in province.receipts.all()}
    assert set(receipts) == {world.tree.cam_thuy.pk, world.tree.ba_thuoc.pk}
    assert all(r.delivered_at for r in receipts.values())

    # It reaches the district's inbox, not another province's
    assert [r.directive_id for r in selectors.inbox_for(world.cam_thuy_officer)] == [province.pk]
    assert not selectors.inbox_for(world.tan_uyen_officer).exists()
    assert not selectors.directives_for(world.tan_uyen_officer).exists()

    # The district acknowledges, then issues its own to all its communes, implementing it
    services.receipt_acknowledge(receipts[world.tree.cam_thuy.pk], by=world.cam_thuy_officer)
    district = draft(
        world.ubnd_cam_thuy,
        world.cam_thuy_officer,
        recipients=services.Recipients(
            groups=[services.RecipientGroup(world.tree.cam_thuy, world.commune_level)]
        ),
        implements=province,
    )
    services.directive_issue(district, by=world.cam_thuy_officer, today=date(2024, 4, 24))
    answered = Receipt.objects.get(pk=receipts[world.tree.cam_thuy.pk].pk)
    assert answered.reported_at is not None

    # A commune reports back with a figure and a file
    commune_receipt = district.receipts.get(unit=world.tree.cam_ngoc)
    services.report_submit(
        commune_receipt,
        by=world.cam_ngoc_staff,
        text="Đã tổ chức phổ biến cho cán bộ, công chức xã.",
        figures=[("Số buổi tuyên truyền", Decimal("3"))],
        files=[SimpleUploadedFile("bao-cao.pdf", PDF)],
    )
    commune_receipt.refresh_from_db()
    assert commune_receipt.acknowledged_at
    assert commune_receipt.reported_at

    # The province sees the whole chain and who is late; the commune sees its way up
    node = selectors.chain_below(world.province_officer, province, today=date(2024, 6, 1))
    assert [child.directive.pk for child in node.children] == [district.pk]
    assert [r.unit_id for r in node.late] == [world.tree.ba_thuoc.pk]
    assert [r.unit_id for r in node.children[0].late] == [world.tree.cam_thanh.pk]
    # A commune sees the letter it received and the one that letter implements? Only what it
    # may read: the province's letter was not addressed to it.
    assert selectors.ancestors_of(world.cam_ngoc_staff, district) == []
    assert selectors.ancestors_of(world.cam_thuy_officer, district) == [province]
    # ... but a commune never sees a sister commune's receipt
    sister = selectors.receipts_for(world.cam_ngoc_staff).filter(unit=world.tree.cam_thanh)
    assert not sister.exists()


def test_a_late_commune_is_reminded_once_per_step(world: World) -> None:
    district = draft(
        world.ubnd_cam_thuy,
        world.cam_thuy_officer,
        recipients=services.Recipients(units=[world.tree.cam_thanh]),
        deadline=date(2024, 5, 15),
    )
    services.directive_issue(district, by=world.cam_thuy_officer, today=date(2024, 5, 1))
    # Three days before, then a day after the deadline: one reminder each, however many runs
    assert services.send_due_reminders(date(2024, 5, 12)) == 1
    assert services.send_due_reminders(date(2024, 5, 12)) == 0
    assert services.send_due_reminders(date(2024, 5, 13)) == 0
    assert services.send_due_reminders(date(2024, 5, 16)) == 1
    assert services.send_due_reminders(date(2024, 5, 17)) == 0
    steps = list(Reminder.objects.values_list("step", flat=True).order_by("step"))
    assert steps == ["after-1d", "before-3d"]
    emails = OutboundEmail.objects.filter(to="camthanh@example.test", subject__contains="Nhắc")
    assert emails.count() == 2
    notices = Notification.objects.filter(user=world.cam_thanh_staff)
    assert notices.count() == 3  # delivery + two reminders


def test_a_manual_reminder_goes_once_a_day_and_only_to_those_who_have_not_reported(
    world: World,
) -> None:
    district = draft(
        world.ubnd_cam_thuy,
        world.cam_thuy_officer,
        recipients=services.Recipients(units=[world.tree.cam_thanh, world.tree.cam_ngoc]),
    )
    district = services.directive_issue(district, by=world.cam_thuy_officer, today=date(2024, 5, 1))
    services.report_submit(
        district.receipts.get(unit=world.tree.cam_ngoc), by=world.cam_ngoc_staff, text="Đã làm."
    )
    first = services.remind_now(district, by=world.cam_thuy_officer, today=date(2024, 5, 2))
    again = services.remind_now(district, by=world.cam_thuy_officer, today=date(2024, 5, 2))
    assert (first.reminded, again.reminded, again.skipped) == (1, 0, 1)


def test_recipients_outside_the_issuers_area_are_refused(world: World) -> None:
    with pytest.raises(ValidationError):
        draft(
            world.ubnd_cam_thuy,
            world.cam_thuy_officer,
            recipients=services.Recipients(units=[world.tree.dien_lu]),
        )


def test_an_issued_directive_never_changes(world: World) -> None:
    directive = draft(
        world.ubnd_cam_thuy,
        world.cam_thuy_officer,
        recipients=services.Recipients(units=[world.tree.cam_thanh]),
    )
    services.directive_issue(directive, by=world.cam_thuy_officer, today=date(2024, 5, 1))
    assert directive.__class__.objects.get(pk=directive.pk).state == DirectiveState.ISSUED
    with pytest.raises(ValidationError):
        services.directive_update(directive, by=world.cam_thuy_officer, fields={"subject": "x"})
    with pytest.raises(ValidationError):
        services.directive_archive(directive, by=world.cam_thuy_officer)
