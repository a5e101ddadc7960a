"""The audit trail: logins, failures, lockouts and approvals each leave one event."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts_registry import audit_trail as page_audit_trail
from accounts_registry.models import PageState, SocialPage
from accounts_registry.services import pages as page_services
from audit.models import AuditAction, AuditEvent
from directives import services as directive_services
from directives.models import Directive
from reports import services as report_services
from reports.build import build_period
from reports.models import ReportingPeriod
from tests import factories
from tests.accounts_registry.factories_pages import page
from tests.conftest import Tree
from tests.directives.conftest import World, draft
from tests.factories import DEMO_PASSWORD
from tests.reports.conftest import DECLARATIONS, People, Registry, report_of
from users import audit_log
from users.models import Role, RoleAssignment

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36"


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).select_related("actor"))


def test_a_login_is_recorded_with_the_address_and_browser(client: Client, db: None) -> None:
    user = factories.UserFactory.create(username="hoa")

    client.post(
        reverse("login"),
        {"username": "hoa", "password": DEMO_PASSWORD},
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT=BROWSER,
    )

    [event] = events(AuditAction.LOGIN)
    assert event.actor == user
    assert event.actor_username == "hoa"
    assert event.ip_address == "203.0.113.7"
    assert event.user_agent == BROWSER


def test_a_logout_is_recorded(client: Client, db: None) -> None:
    user = factories.UserFactory.create(username="hoa")
    client.force_login(user)

    client.post(reverse("logout"), REMOTE_ADDR="203.0.113.7")

    [event] = events(AuditAction.LOGOUT)
    assert (event.actor, event.ip_address) == (user, "203.0.113.7")


def test_a_failed_login_is_recorded_with_the_name_typed_but_no_user(
    client: Client, db: None
) -> None:
    factories.UserFactory.create(username="hoa")

    client.post(
        reverse("login"),
        {"username": "hoa", "password": "wrong"},
        REMOTE_ADDR="198.51.100.4",
    )

    [event] = events(AuditAction.LOGIN_FAILED)
    assert event.actor is None
    assert event.actor_username == "hoa"
    assert event.ip_address == "198.51.100.4"
    assert "wrong" not in event.note
    assert not events(AuditAction.LOGIN)


def test_the_fifth_failure_records_one_lockout_and_later_attempts_are_noted_refused(
    client: Client, db: None
) -> None:
    factories.UserFactory.create(username="hoa")

    for n in range(5):
        client.post(
            reverse("login"), {"username": "hoa", "password": f"wrong-{n}"}, REMOTE_ADDR="10.1.1.1"
        )
    refused = client.post(
        reverse("login"), {"username": "hoa", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.1.1.1"
    )

    assert refused.status_code == 429
    [lockout] = events(AuditAction.LOCKOUT)
    assert (lockout.actor_username, lockout.ip_address) == ("hoa", "10.1.1.1")
    failures = events(AuditAction.LOGIN_FAILED)
    assert len(failures) == 6
    assert [bool(event.note) for event in reversed(failures)] == [False] * 5 + [True]
    assert not events(AuditAction.LOGIN)


@pytest.fixture
def submitted(tree: Tree, people: People, registry: Registry, quarter: ReportingPeriod) -> Any:
    build_period(quarter)
    report = report_of(tree.cam_ngoc, quarter)
    report_services.report_update(report=report, by=people.cam_ngoc, **DECLARATIONS)
    return report_services.report_submit(report=report, by=people.cam_ngoc)


def test_accepting_a_report_records_one_event_in_the_reports_unit(
    tree: Tree, people: People, submitted: Any
) -> None:
    report_services.report_accept(report=submitted, by=people.cam_thuy, note="Đạt yêu cầu.")

    [event] = events(AuditAction.REPORT_ACCEPT)
    assert event.actor == people.cam_thuy
    assert event.object_type == "reports.unitreport"
    assert event.object_id == str(submitted.pk)
    assert event.unit_path == tree.cam_ngoc.path
    assert event.note == "Đạt yêu cầu."
    assert len(events(AuditAction.REPORT_SUBMIT)) == 1


def test_returning_and_reopening_a_report_are_told_apart(people: People, submitted: Any) -> None:
    report_services.report_return(report=submitted, by=people.cam_thuy, note="Thiếu số liệu.")
    report_services.report_submit(report=submitted, by=people.cam_ngoc)
    report_services.report_accept(report=submitted, by=people.cam_thuy)
    report_services.report_reopen(report=submitted, by=people.province, note="Sai số liệu.")

    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert [a for a in actions if a.startswith("report_")] == [
        AuditAction.REPORT_SUBMIT,
        AuditAction.REPORT_RETURN,
        AuditAction.REPORT_SUBMIT,
        AuditAction.REPORT_ACCEPT,
        AuditAction.REPORT_REOPEN,
    ]


def test_approving_a_page_in_the_portal_records_who_and_from_where(
    client: Client, tree: Tree
) -> None:
    officer = factories.officer_of(tree.cam_thuy)
    submitted = page(tree.ubnd_cam_ngoc, state=PageState.SUBMITTED)
    client.force_login(officer)

    response = client.post(
        reverse("registry:page_approve", args=[submitted.pk]),
        {"note": "Đúng trang chính thức."},
        REMOTE_ADDR="192.0.2.10",
        HTTP_USER_AGENT=BROWSER,
    )

    assert response.status_code == 302
    assert SocialPage.objects.get(pk=submitted.pk).state == PageState.APPROVED
    [event] = events(AuditAction.PAGE_APPROVE)
    assert event.actor == officer
    assert (event.object_type, event.object_id) == (
        "accounts_registry.socialpage",
        str(submitted.pk),
    )
    assert event.unit_path == tree.cam_ngoc.path
    assert (event.ip_address, event.user_agent) == ("192.0.2.10", BROWSER)


def test_an_approval_whose_audit_event_cannot_be_written_does_not_happen(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    submitted = page(tree.ubnd_cam_ngoc, state=PageState.SUBMITTED)

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(page_audit_trail, "record", broken)
    with pytest.raises(RuntimeError):
        page_services.page_approve(page=submitted, by=factories.officer_of(tree.cam_thuy))

    assert SocialPage.objects.get(pk=submitted.pk).state == PageState.SUBMITTED
    assert not events(AuditAction.PAGE_APPROVE)


def test_issuing_a_directive_records_one_event_and_later_saves_none(world: World) -> None:
    letter = draft(
        world.ubnd_cam_thuy,
        world.cam_thuy_officer,
        recipients=directive_services.Recipients(units=[world.tree.cam_ngoc]),
    )
    assert not events(AuditAction.DIRECTIVE_ISSUE)

    issued = directive_services.directive_issue(
        letter, by=world.cam_thuy_officer, today=date(2024, 4, 24)
    )
    # Saved again once issued (a new historical record in the issued state): no new event.
    Directive.objects.get(pk=issued.pk).save()

    [event] = events(AuditAction.DIRECTIVE_ISSUE)
    assert event.actor == world.cam_thuy_officer
    assert event.object_id == str(letter.pk)
    assert event.unit_path == world.tree.cam_thuy.path


def test_granting_and_withdrawing_a_role_is_recorded(tree: Tree) -> None:
    user = factories.officer_of(tree.cam_thuy, username="minh")

    RoleAssignment.objects.filter(user=user, role=Role.UNIT_OFFICER).delete()

    granted, withdrawn = events(AuditAction.ROLE_GRANT), events(AuditAction.ROLE_REVOKE)
    expected = [(str(user.pk), tree.cam_thuy.path)]
    assert [(e.object_id, e.unit_path) for e in granted] == expected
    assert [(e.object_id, e.unit_path) for e in withdrawn] == expected


def test_officers_read_the_events_of_their_subtree_only(client: Client, tree: Tree) -> None:
    officer = factories.officer_of(tree.cam_thuy)
    page(tree.ubnd_cam_ngoc, state=PageState.APPROVED)
    page(tree.ubnd_muong_khoa, state=PageState.APPROVED)
    client.force_login(officer)
    staff = factories.staff_of(tree.ubnd_cam_ngoc)

    seen = audit_log.events_for(officer)

    assert {e.unit_path for e in seen.filter(action=AuditAction.PAGE_APPROVE)} == {
        tree.cam_ngoc.path
    }
    assert not seen.filter(action=AuditAction.LOGIN).exists()
    assert not audit_log.events_for(staff).exists()
    everything = audit_log.events_for(factories.admin_user())
    assert everything.filter(action=AuditAction.PAGE_APPROVE).count() == 2
    assert everything.filter(action=AuditAction.LOGIN).count() == 1


def test_the_admin_lists_events_but_can_neither_change_nor_delete_them(
    client: Client, db: None
) -> None:
    admin = factories.UserFactory.create(is_staff=True, is_superuser=True)
    client.force_login(admin)
    event = AuditEvent.objects.get(action=AuditAction.LOGIN)
    change_url = reverse("admin:audit_auditevent_change", args=[event.pk])

    listing = client.get(reverse("admin:audit_auditevent_changelist"), {"action__exact": "login"})
    detail = client.get(change_url)
    edited = client.post(change_url, {"note": "xoá dấu vết"})
    deleted = client.post(
        reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )
    added = client.get(reverse("admin:audit_auditevent_add"))

    assert listing.status_code == 200
    assert admin.username in listing.content.decode()
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert edited.status_code == 403
    assert deleted.status_code == 403
    assert added.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).note == ""


def test_staff_accounts_that_are_not_superusers_cannot_read_the_trail(
    client: Client, db: None
) -> None:
    client.force_login(factories.UserFactory.create(is_staff=True))

    response = client.get(reverse("admin:audit_auditevent_changelist"))

    assert response.status_code == 403


def test_a_recorded_event_cannot_be_rewritten_or_deleted_through_the_model(db: None) -> None:
    event = AuditEvent.objects.create(action=AuditAction.LOGIN, actor_username="x")

    event.note = "sửa"
    with pytest.raises(ValueError, match="cannot be changed"):
        event.save()
    with pytest.raises(ValueError, match="cannot be deleted"):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).note == ""
