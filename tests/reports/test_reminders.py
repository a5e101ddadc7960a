"""Reminders of reports due: once per unit and step, a summary per district, the choice of email.

Quý 3/2026 is due on 05/10 for communes, 10/10 for districts and 15/10 for the province; the
default steps are 3 days before, 1 and 7 days after.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import EmailStatus, Notification, OutboundEmail
from portal.celery_app import app
from portal.schedules import DEFAULT_SCHEDULES, Crontab
from reports import reminders, services
from reports.build import build_period
from reports.models import (
    DeadlineRule,
    PeriodDeadline,
    ReportingPeriod,
    ReportReminder,
    UnitReport,
)
from reports.periods import install_default_rules
from reports.tasks import send_reminders_task
from tests import factories
from tests.conftest import Tree
from tests.reports.conftest import DECLARATIONS, People, report_of
from tests.test_celery_worker import (  # noqa: F401 (fixtures used by name)
    DELIVERY_TIMEOUT,
    _wait_for,
    keep_migrated_data,
    worker,
)
from units.models import AdministrativeUnit, UnitLevel
from users.models import User

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
SUBMIT, REVIEW = ReportReminder.Kind.SUBMIT, ReportReminder.Kind.REVIEW


@pytest.fixture
def built(tree: Tree, people: People, quarter: ReportingPeriod, now: datetime) -> ReportingPeriod:
    """Every unit has its report; Cẩm Thành submitted in August, Cẩm Ngọc did not."""
    build_period(quarter)
    report = services.report_update(
        report=report_of(tree.cam_thanh, quarter), by=people.cam_thanh, **DECLARATIONS
    )
    services.report_submit(report=report, by=people.cam_thanh)
    return quarter


def _on(time_machine: Any, day: date) -> None:
    time_machine.move_to(datetime(day.year, day.month, day.day, 7, 30, tzinfo=HANOI), tick=False)


def _reminders_of(user: User) -> Any:
    return Notification.objects.filter(user=user, dedupe_key__startswith="report-reminder:")


def _summaries_of(user: User) -> Any:
    return Notification.objects.filter(user=user, dedupe_key__startswith="report-review-reminder:")


def _emails_to(user: User, prefix: str = "report-reminder:") -> Any:
    return OutboundEmail.objects.filter(to=user.email, dedupe_key__startswith=prefix)


def _steps(unit: AdministrativeUnit, kind: str = SUBMIT) -> list[str]:
    return sorted(
        ReportReminder.objects.filter(unit=unit, kind=kind).values_list("step", flat=True)
    )


def test_a_late_commune_is_reminded_once_per_step_even_when_the_task_runs_twice(
    tree: Tree, people: People, built: ReportingPeriod, time_machine: Any
) -> None:
    _on(time_machine, date(2026, 10, 2))

    first = reminders.send_due_reminders()
    second = reminders.send_due_reminders()

    # Cẩm Ngọc (a draft), Điền Lư and Mường Khoa: not submitted; Cẩm Thành submitted
    assert (first.units, second.units, second.reviewers) == (3, 0, 0)
    report = report_of(tree.cam_ngoc, built)
    for person in (people.cam_ngoc, people.cam_ngoc_staff):
        (notice,) = _reminders_of(person)
        assert notice.link == f"/reports/{report.pk}/"
        assert "Xã Cẩm Ngọc" in notice.text
        assert "Quý 3/2026" in notice.text
        assert "05/10/2026" in notice.text
        (email,) = _emails_to(person)
        assert f"/reports/{report.pk}/" in email.text_body
        assert "05/10/2026" in email.subject
    assert not _reminders_of(people.cam_thanh).exists()
    assert _steps(tree.cam_thanh) == []
    assert _steps(tree.cam_ngoc) == ["before-3d"]


def test_steps_come_before_and_after_the_due_date_and_each_is_sent_once(
    tree: Tree, people: People, built: ReportingPeriod, time_machine: Any
) -> None:
    sent = {}
    for day in (1, 2, 3, 5, 6, 7, 12, 13):
        _on(time_machine, date(2026, 10, day))
        sent[day] = send_reminders_task.apply().get()["units"]

    # Communes on the 2nd (-3), 6th (+1) and 12th (+7); the three districts (due 10/10) on
    # the 7th (-3) and, the 11th being missed, on the 12th (+1) with the two provinces (-3)
    assert sent == {1: 0, 2: 3, 3: 0, 5: 0, 6: 3, 7: 3, 12: 3 + 3 + 2, 13: 0}
    assert _steps(tree.cam_ngoc) == ["after-1d", "after-7d", "before-3d"]
    assert _reminders_of(people.cam_ngoc).count() == 3
    assert _emails_to(people.cam_ngoc).count() == 3
    overdue = _reminders_of(people.cam_ngoc).get(dedupe_key__contains=":after-7d:")
    assert "05/10/2026" in overdue.text
    assert _steps(tree.cam_thuy) == ["after-1d", "before-3d"]


def test_a_missed_run_sends_only_the_latest_step_never_a_backlog(
    tree: Tree, people: People, built: ReportingPeriod, time_machine: Any
) -> None:
    _on(time_machine, date(2026, 10, 13))

    reminders.send_due_reminders()
    reminders.send_due_reminders()

    assert _steps(tree.cam_ngoc) == ["after-7d"]
    (notice,) = _reminders_of(people.cam_ngoc)
    assert notice.dedupe_key.endswith(f":after-7d:{people.cam_ngoc.pk}")
    assert _emails_to(people.cam_ngoc).count() == 1
    # The districts are at their own latest step: +1 after 10/10
    assert _steps(tree.cam_thuy) == ["after-1d"]


def test_the_district_gets_one_summary_of_its_late_communes_not_one_per_commune(
    tree: Tree, people: People, built: ReportingPeriod, time_machine: Any
) -> None:
    more = [factories.commune(tree.cam_thuy, f"Xã Cẩm Thử {n}") for n in (1, 2, 3)]
    for unit in more:
        factories.officer_of(unit)
    _on(time_machine, date(2026, 10, 6))

    reminders.send_due_reminders()
    reminders.send_due_reminders()

    (summary,) = _summaries_of(people.cam_thuy)
    (email,) = _emails_to(people.cam_thuy, "report-review-reminder:")
    late = ["Xã Cẩm Ngọc", *(unit.name for unit in more)]
    for text in (summary.text, email.text_body):
        assert all(name in text for name in late)
        # Cẩm Thành submitted in August and still waits for the district's review
        assert "Xã Cẩm Thành" in text
        assert "05/10/2026" in text
    assert summary.link == f"/reports/{report_of(tree.cam_thuy, built).pk}/"
    assert _steps(tree.cam_thuy, REVIEW) == ["after-1d"]
    # Bá Thước is told about Điền Lư only; the province's turn comes with the districts' date
    (other,) = _summaries_of(people.ba_thuoc)
    assert "Xã Điền Lư" in other.text
    assert "Xã Cẩm Ngọc" not in other.text
    assert not _summaries_of(people.province).exists()
    # The district officer is no commune's officer: no per-commune reminder reaches them
    assert not _reminders_of(people.cam_thuy).exists()


def test_reviewers_are_reminded_of_reports_waiting_after_the_due_date(
    tree: Tree, people: People, built: ReportingPeriod, time_machine: Any
) -> None:
    # Every commune of Cẩm Thủy submitted: nothing is late, one report waits for review
    report = services.report_update(
        report=report_of(tree.cam_ngoc, built), by=people.cam_ngoc, **DECLARATIONS
    )
    services.report_submit(report=report, by=people.cam_ngoc)
    services.report_accept(report=report_of(tree.cam_ngoc, built), by=people.cam_thuy)

    _on(time_machine, date(2026, 10, 2))
    reminders.send_due_reminders()
    # Before the due date a submitted report is not waiting "late": no summary yet
    assert not _summaries_of(people.cam_thuy).exists()

    _on(time_machine, date(2026, 10, 6))
    reminders.send_due_reminders()
    (summary,) = _summaries_of(people.cam_thuy)
    assert "Xã Cẩm Thành" in summary.text
    assert "Xã Cẩm Ngọc" not in summary.text


def test_a_user_who_turned_email_off_gets_the_notice_and_no_email(
    tree: Tree, people: People, built: ReportingPeriod, time_machine: Any
) -> None:
    User.objects.filter(pk=people.cam_ngoc_staff.pk).update(email_notifications=False)
    User.objects.filter(pk=people.cam_thuy.pk).update(email_notifications=False)
    _on(time_machine, date(2026, 10, 6))

    reminders.send_due_reminders()

    assert _reminders_of(people.cam_ngoc_staff).count() == 1
    assert not OutboundEmail.objects.filter(to=people.cam_ngoc_staff.email).exists()
    assert _summaries_of(people.cam_thuy).count() == 1
    # (The email telling them of Cẩm Thành's submission in August went before they opted out.)
    assert not _emails_to(people.cam_thuy, "report-review-reminder:").exists()
    # The commune's officer kept the default
    assert _emails_to(people.cam_ngoc).count() == 1


def test_units_abolished_before_the_period_ended_are_not_reminded(
    tree: Tree, people: People, built: ReportingPeriod, time_machine: Any
) -> None:
    AdministrativeUnit.objects.filter(pk=tree.dien_lu.pk).update(valid_until=date(2026, 6, 30))
    _on(time_machine, date(2026, 10, 6))

    reminders.send_due_reminders()

    assert _steps(tree.dien_lu) == []
    assert not _summaries_of(people.ba_thuoc).exists()


def _grow(district: AdministrativeUnit, count: int) -> None:
    for n in range(count):
        unit = factories.commune(district, f"Xã {district.name} {n}")
        body = factories.BodyFactory.create(unit=unit, name=f"UBND {unit.name}")
        factories.officer_of(unit)
        factories.staff_of(body)


def _count(day: date, time_machine: Any) -> tuple[int, int]:
    _on(time_machine, day)
    with CaptureQueriesContext(connection) as captured:
        outcome = reminders.send_due_reminders()
    return len(captured.captured_queries), outcome.units


def test_the_number_of_queries_does_not_grow_with_the_number_of_communes(
    db: None, quarter: ReportingPeriod, time_machine: Any
) -> None:
    # Only the communes' due date, so that both runs do the same kind of work
    PeriodDeadline.objects.filter(period=quarter).exclude(level__code="commune").delete()
    province = factories.province("Tỉnh Thử")
    district = factories.district(province, "Huyện Thử")
    factories.officer_of(district)
    _grow(district, 3)

    few, reminded_few = _count(date(2026, 10, 6), time_machine)
    _grow(district, 27)
    many, reminded_many = _count(date(2026, 10, 12), time_machine)

    assert (reminded_few, reminded_many) == (3, 30)
    assert few == many
    assert Notification.objects.count() == 3 * 2 + 30 * 2 + 2
    assert OutboundEmail.objects.count() == Notification.objects.count()


@pytest.fixture(scope="module")
def database_put_back(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Leave the database as the transactional test found it, migrated data included.

    A transactional test ends by emptying every table (the deadline rules and unit levels
    that migrations install among them); tests after it, and the next run on the reused
    test database, need them. Module-scoped, so it is torn down after that flush.
    """
    with django_db_blocker.unblock():
        saved = connection.creation.serialize_db_to_string()
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        connection.creation.deserialize_db_from_string(saved)
        # The rows came back with their ids: move the sequences past them.
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), django_apps.get_models()):
                cursor.execute(sql)


@pytest.fixture
def deadline_rules(transactional_db: None) -> None:
    """The default rules, which an earlier transactional test's flush may have removed."""
    install_default_rules(DeadlineRule, UnitLevel)


# Serialized like every transactional test of the suite: its flush then leaves the content
# types alone, so the next serialized test restores the database without a clash.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_remind_each_unit_once(
    database_put_back: None,
    transactional_db: None,
    deadline_rules: None,
    tree: Tree,
    people: People,
    quarter: ReportingPeriod,
) -> None:
    barrier = threading.Barrier(2)
    outcomes: list[reminders.Outcome] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            outcomes.append(reminders.send_due_reminders(date(2026, 10, 6)))
        except BaseException as exc:  # reported to the main thread, which asserts on it
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    # Four communes without a report, three districts chasing them: each claimed by one run
    assert sorted(o.units for o in outcomes) == [0, 4]
    assert sum(o.reviewers for o in outcomes) == 3
    assert _reminders_of(people.cam_ngoc).count() == 1
    assert _reminders_of(people.cam_ngoc_staff).count() == 1
    assert _summaries_of(people.cam_thuy).count() == 1
    assert _emails_to(people.cam_ngoc).count() == 1
    assert _emails_to(people.cam_thuy, "report-review-reminder:").count() == 1
    # Without reports built yet, the notice links to the list of reports
    assert _reminders_of(people.cam_ngoc).get().link == "/reports/"
    assert not UnitReport.objects.exists()


def test_the_task_is_registered_and_scheduled_every_morning() -> None:
    assert "reports.send_reminders" in app.tasks
    (row,) = [s for s in DEFAULT_SCHEDULES if s.task == "reports.send_reminders"]
    assert row.when == Crontab(minute="30", hour="7")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_running_the_reminders_twice_sends_each_person_one_email(
    database_put_back: None,
    worker: Path,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
    deadline_rules: None,
    tree: Tree,
    people: People,
    quarter: ReportingPeriod,
) -> None:
    # Given the communes' report due yesterday (the worker reads the real clock), and a
    # commune's staff member who turned email off
    yesterday = timezone.localdate() - timedelta(days=1)
    PeriodDeadline.objects.filter(period=quarter).exclude(level__code="commune").delete()
    PeriodDeadline.objects.filter(period=quarter).update(due_on=yesterday)
    User.objects.filter(pk=people.cam_ngoc_staff.pk).update(email_notifications=False)
    log = tmp_path / "worker.log"

    # When the worker runs the morning task twice (a redelivery, two schedulers)
    first = send_reminders_task.delay().get(timeout=DELIVERY_TIMEOUT)
    second = send_reminders_task.delay().get(timeout=DELIVERY_TIMEOUT)

    # Then the first run reminded the late communes and their reviewers, the second nobody
    assert first["units"] == 4
    assert first["reviewers"] == 3
    assert second == {"units": 0, "reviewers": 0}
    # and the worker delivered every queued email, in batches, each once
    _wait_for(
        lambda: not OutboundEmail.objects.exclude(status=EmailStatus.SENT).exists(),
        DELIVERY_TIMEOUT,
        "the worker to send the reminders",
        log,
    )
    assert "notifications.tasks.deliver_emails" in log.read_text()
    mail = "".join(path.read_text() for path in sorted(worker.glob("*.log")))
    sent = OutboundEmail.objects.all()
    assert sent.count() == mail.count("\nSubject: ") + mail.startswith("Subject: ")
    for email in sent:
        assert mail.count(f"To: {email.to}\n") == sent.filter(to=email.to).count()
    assert mail.count(f"To: {people.cam_ngoc.email}\n") == 1
    assert mail.count(f"To: {people.cam_thuy.email}\n") == 1
    # The staff member who turned email off has the notice in the portal, and no email
    assert _reminders_of(people.cam_ngoc_staff).count() == 1
    assert f"To: {people.cam_ngoc_staff.email}\n" not in mail
