"""Personal data: retention with history, a person's requests, exports audited, reporters
seen only by the officers above the body, and the public form saying so."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from accounts_registry.models import ContactPerson
from accounts_registry.services.contacts import contact_set
from audit.models import AuditAction, AuditEvent
from incidents import services as incident_services
from incidents.models import Incident, IncidentState
from portal.schedules import DEFAULT_SCHEDULES
from privacy import services
from privacy.services import Subject
from tests.accounts_registry.factories_bodies import contact_values
from tests.conftest import Tree
from tests.factories import admin_user, officer_of, staff_of

ERASE = AuditAction.PERSONAL_DATA_ERASE


def _history(model: Any, pk: int) -> list[Any]:
    return list(model.history.model.objects.filter(id=pk))


def _archived_contact(tree: Tree, *, days_ago: int, **values: Any) -> ContactPerson:
    """A body's contact, replaced by another person ``days_ago`` days ago."""
    body = values.pop("body", tree.ubnd_cam_ngoc)
    old = contact_set(body=body, by=None, **contact_values(**values))
    # A second edit, so that the history holds more than one copy of the data.
    contact_set(body=body, by=None, **contact_values(**{**values, "position": "Phó chủ tịch"}))
    contact_set(body=body, by=None, **contact_values(name="Trần Văn Nam", phone="0987 000 111"))
    ContactPerson.objects.filter(pk=old.pk).update(
        archived_at=timezone.now() - timedelta(days=days_ago)
    )
    return ContactPerson.objects.get(pk=old.pk)


def _public_report(tree: Tree, **reporter: str) -> Incident:
    values: dict[str, Any] = {
        "reporter_name": "Lê Văn Dân",
        "reporter_email": "dan@example.vn",
        "reporter_phone": "0903 123 456",
        **reporter,
    }
    return incident_services.incident_report_public(
        body=tree.ubnd_cam_ngoc,
        url="https://www.facebook.com/ubnd.cam.ngoc.gia",
        description="Trang giả mạo UBND xã Cẩm Ngọc.",
        **values,
    )


def _closed(incident: Incident, officer: Any, *, days_ago: int) -> Incident:
    incident = incident_services.incident_transition(
        incident=incident, to_state=IncidentState.DISMISSED, by=officer, note="Không xác minh được."
    )
    Incident.objects.filter(pk=incident.pk).update(
        closed_at=timezone.now() - timedelta(days=days_ago)
    )
    return Incident.objects.get(pk=incident.pk)


# --- retention ------------------------------------------------------------------------


def test_archived_contacts_past_retention_are_erased_with_their_history(tree: Tree) -> None:
    old = _archived_contact(tree, days_ago=731)
    recent = _archived_contact(tree, days_ago=100, body=tree.ubnd_cam_thanh)
    current = ContactPerson.objects.get(body=tree.ubnd_cam_ngoc, archived_at__isnull=True)
    assert len(_history(ContactPerson, old.pk)) >= 2

    erased = services.erase_expired()

    old.refresh_from_db()
    assert (old.phone, old.email) == ("", "")
    assert old.name == "Nguyễn Thị Hoa"  # the letter that named them still reads
    assert {(h.phone, h.email) for h in _history(ContactPerson, old.pk)} == {("", "")}
    recent.refresh_from_db()
    assert recent.phone == "0912345678"
    assert {h.phone for h in _history(ContactPerson, recent.pk)} == {"0912345678"}
    current.refresh_from_db()
    assert current.phone == "0987000111"
    assert erased.contacts == 1
    assert erased.contact_versions == len(_history(ContactPerson, old.pk))


def test_reporters_of_incidents_closed_past_retention_are_erased_with_history(
    tree: Tree,
) -> None:
    officer = officer_of(tree.cam_thuy)
    old = _closed(_public_report(tree), officer, days_ago=366)
    recent = _closed(_public_report(tree, reporter_email="b@example.vn"), officer, days_ago=10)
    still_open = _public_report(tree, reporter_email="c@example.vn")
    Incident.objects.filter(pk=still_open.pk).update(
        created_at=timezone.now() - timedelta(days=900)
    )

    services.erase_expired()

    old.refresh_from_db()
    assert (old.reporter_name, old.reporter_email, old.reporter_phone) == ("", "", "")
    assert old.description == "Trang giả mạo UBND xã Cẩm Ngọc."
    assert {
        (h.reporter_name, h.reporter_email, h.reporter_phone) for h in _history(Incident, old.pk)
    } == {("", "", "")}
    recent.refresh_from_db()
    assert recent.reporter_email == "b@example.vn"
    still_open.refresh_from_db()
    assert still_open.reporter_email == "c@example.vn"


def test_the_retention_periods_follow_their_settings(tree: Tree, settings: Any) -> None:
    settings.PERSONAL_DATA_CONTACT_RETENTION_DAYS = 30
    settings.PERSONAL_DATA_REPORTER_RETENTION_DAYS = 7
    contact = _archived_contact(tree, days_ago=31)
    report = _closed(_public_report(tree), officer_of(tree.cam_thuy), days_ago=8)

    services.erase_expired()

    contact.refresh_from_db()
    report.refresh_from_db()
    assert contact.phone == ""
    assert report.reporter_phone == ""


def test_the_job_is_idempotent_and_audited_once(tree: Tree) -> None:
    _archived_contact(tree, days_ago=800)
    _closed(_public_report(tree), officer_of(tree.cam_thuy), days_ago=400)

    first = services.erase_expired()
    second = services.erase_expired()

    assert first.contacts == 1
    assert first.reporters == 1
    assert second.total == 0
    events = list(AuditEvent.objects.filter(action=ERASE))
    assert len(events) == 1
    assert "retention: 1 archived contact(s)" in events[0].note
    assert "0912345678" not in events[0].note


def test_the_job_is_set_based(tree: Tree, django_assert_max_num_queries: Any) -> None:
    officer = officer_of(tree.cam_thuy)
    for n in range(3):
        _archived_contact(tree, days_ago=800 + n, phone=f"0912 345 60{n}")
    for n in range(8):
        _closed(_public_report(tree, reporter_phone=f"0903 000 00{n}"), officer, days_ago=400)

    # Four UPDATEs, one audit INSERT and the transaction's savepoint: whatever the volume.
    with django_assert_max_num_queries(7):
        erased = services.erase_expired()

    assert erased.contacts == 3
    assert erased.reporters == 8


def test_the_nightly_job_is_scheduled() -> None:
    from portal.celery_app import app

    names = {schedule.task for schedule in DEFAULT_SCHEDULES}
    assert "privacy.erase_expired_personal_data" in names
    app.loader.import_default_modules()
    assert "privacy.erase_expired_personal_data" in app.tasks


# --- a person's request ---------------------------------------------------------------


def test_a_request_to_see_finds_every_record_in_any_phone_format(tree: Tree) -> None:
    contact = _archived_contact(tree, days_ago=10, phone="0903 123 456", email="dan@example.vn")
    report = _public_report(tree)  # the same person also reported a fake page
    admin = admin_user()

    document = services.find(Subject(phone="+84 903.123.456"), actor=admin)

    assert [c["id"] for c in document["contact_persons"]] == [contact.pk]
    assert document["contact_persons"][0]["phone"] == "0903123456"
    assert len(document["contact_person_history"]) == len(_history(ContactPerson, contact.pk))
    assert [r["id"] for r in document["fake_page_reports"]] == [report.pk]
    assert document["fake_page_reports"][0]["phone"] == "0903 123 456"
    assert document["fake_page_report_history"]
    event = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_ACCESS)
    assert event.actor == admin
    assert "09******56" in event.note
    assert "0903123456" not in event.note


def test_a_request_to_see_by_email_ignores_case_and_other_people(tree: Tree) -> None:
    _public_report(tree, reporter_email="someone.else@example.vn", reporter_phone="")
    mine = _public_report(tree, reporter_phone="")

    document = services.find(Subject(email="DAN@Example.vn"))

    assert [r["id"] for r in document["fake_page_reports"]] == [mine.pk]


def test_a_request_to_erase_keeps_a_current_contact_and_erases_the_rest(tree: Tree) -> None:
    archived = _archived_contact(tree, days_ago=10, phone="0903 123 456", email="dan@example.vn")
    current = contact_set(
        body=tree.ubnd_cam_thanh,
        by=None,
        **contact_values(name="Lê Văn Dân", phone="0903 123 456", email="dan@example.vn"),
    )
    report = _public_report(tree)

    result = services.erase(Subject(email="dan@example.vn", phone="0903123456"))

    archived.refresh_from_db()
    assert (archived.phone, archived.email) == ("", "")
    assert {(h.phone, h.email) for h in _history(ContactPerson, archived.pk)} == {("", "")}
    current.refresh_from_db()
    assert current.phone == "0903123456"
    assert result.kept_current_contacts == [f"#{current.pk} Lê Văn Dân (UBND Xã Cẩm Thành)"]
    report.refresh_from_db()
    assert (report.reporter_name, report.reporter_email, report.reporter_phone) == ("", "", "")
    assert services.find(Subject(email="dan@example.vn"))["fake_page_reports"] == []
    event = AuditEvent.objects.get(action=ERASE)
    assert "kept: 1 current contact(s)" in event.note


def test_the_command_answers_find_erase_and_expire(tree: Tree, tmp_path: Path) -> None:
    report = _public_report(tree)
    admin = admin_user(username="quantri")
    answer = tmp_path / "answer.json"

    call_command(
        "personal_data", "--find", "--email", "dan@example.vn", "--by", "quantri",
        "--output", str(answer),
    )  # fmt: skip
    document = json.loads(answer.read_text(encoding="utf-8"))
    assert document["fake_page_reports"][0]["name"] == "Lê Văn Dân"

    call_command("personal_data", "--erase", "--phone", "0903123456", "--by", "quantri")
    report.refresh_from_db()
    assert report.reporter_email == ""
    assert AuditEvent.objects.filter(action=ERASE, actor=admin).count() == 1

    call_command("personal_data", "--expire")
    with pytest.raises(CommandError, match="email or phone"):
        call_command("personal_data", "--find", "--phone", "abc")


# --- exports and visibility -----------------------------------------------------------


def test_the_registry_exports_are_recorded_as_personal_data_exports(tree: Tree) -> None:
    officer = officer_of(tree.cam_thuy)
    client = Client()
    client.force_login(officer)

    for path in ("/registry/bulk/export.csv", "/registry/bulk/export.xlsx"):
        response = client.get(path)
        assert response.status_code == 200
        b"".join(response.streaming_content)  # type: ignore[attr-defined]

    events = AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_EXPORT).order_by("pk")
    assert [e.actor for e in events] == [officer, officer]
    assert "CSV" in events[0].note
    assert "XLSX" in events[1].note


def _seen_by(user: Any, incident: Incident) -> tuple[str, dict[str, Any]]:
    client = Client()
    client.force_login(user)
    page = client.get(f"/incidents/{incident.pk}/")
    assert page.status_code == 200
    api = client.get(f"/api/v1/incidents/{incident.pk}/")
    assert api.status_code == 200
    listed = client.get("/api/v1/incidents/").json()["results"]
    assert [row["reporter_phone"] for row in listed if row["id"] == incident.pk] == [
        api.json()["reporter_phone"]
    ]
    return page.content.decode(), api.json()


def test_body_staff_never_see_a_citizen_reporters_details(tree: Tree) -> None:
    report = _public_report(tree)

    html, data = _seen_by(staff_of(tree.ubnd_cam_ngoc), report)

    assert "dan@example.vn" not in html
    assert "0903 123 456" not in html
    assert "Lê Văn Dân" not in html
    assert (data["reporter_name"], data["reporter_email"], data["reporter_phone"]) == ("", "", "")


@pytest.mark.parametrize("who", ["commune", "province", "admin"])
def test_the_officers_above_and_administrators_see_them(tree: Tree, who: str) -> None:
    report = _public_report(tree)
    makers: dict[str, Callable[[], Any]] = {
        "commune": lambda: officer_of(tree.cam_thuy),
        "province": lambda: officer_of(tree.thanh_hoa),
        "admin": admin_user,
    }
    user = makers[who]()

    html, data = _seen_by(user, report)

    assert "dan@example.vn" in html
    assert "0903 123 456" in html
    assert data["reporter_email"] == "dan@example.vn"


def test_the_public_form_says_what_is_kept_why_how_long_and_who_sees_it(db: None) -> None:
    text = Client().get("/incidents/report/").content.decode()

    assert "chỉ được lưu để cán bộ xử lý phản ánh liên hệ với bạn" in text
    assert "cơ quan bị nêu trong phản ánh và công chúng không được xem" in text
    assert "bị xóa 365 ngày sau khi phản ánh được khép lại" in text
