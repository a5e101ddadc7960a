"""The default schedules in Celery beat, and the reminder task run by a real worker."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from directives import services
from directives.models import Reminder
from directives.tasks import send_due_reminders_task
from notifications.models import OutboundEmail
from portal.celery_app import app
from portal.schedules import DEFAULT_SCHEDULES
from tests.conftest import Tree
from tests.directives.conftest import World, draft
from tests.test_celery_worker import (  # noqa: F401 (fixtures used by name)
    DELIVERY_TIMEOUT,
    keep_migrated_data,
    worker,
)

REMINDERS = "directives: reminders around report deadlines"
STALE_EMAILS = "notifications: re-enqueue stale emails"


def _install(*args: str) -> str:
    out = StringIO()
    call_command("install_schedules", *args, stdout=out)
    return out.getvalue()


def _rows() -> list[tuple[object, ...]]:
    return sorted(
        PeriodicTask.objects.values_list(
            "name",
            "task",
            "enabled",
            "crontab__minute",
            "crontab__hour",
            "crontab__timezone",
            "interval__every",
            "interval__period",
            "date_changed",
        )
    )


def test_every_default_schedule_runs_a_task_the_worker_knows() -> None:
    app.loader.import_default_modules()

    assert [s.task for s in DEFAULT_SCHEDULES if s.task not in app.tasks] == []


@pytest.mark.django_db
def test_the_defaults_are_installed_once_and_a_second_run_changes_nothing() -> None:
    first = _install()
    rows = _rows()

    second = _install()

    reminders = PeriodicTask.objects.select_related("crontab").get(name=REMINDERS)
    assert reminders.task == "directives.send_due_reminders"
    assert reminders.crontab is not None
    assert (reminders.crontab.minute, reminders.crontab.hour) == ("0", "7")
    assert str(reminders.crontab.timezone) == "Asia/Ho_Chi_Minh"
    stale = PeriodicTask.objects.select_related("interval").get(name=STALE_EMAILS)
    assert stale.task == "notifications.tasks.enqueue_stale_emails"
    assert stale.interval is not None
    assert (stale.interval.every, stale.interval.period) == (5, IntervalSchedule.MINUTES)
    assert PeriodicTask.objects.filter(enabled=True).count() >= len(DEFAULT_SCHEDULES)
    assert first.count(": created") == len(DEFAULT_SCHEDULES)
    assert second.count(": unchanged") == len(DEFAULT_SCHEDULES)
    assert _rows() == rows
    assert CrontabSchedule.objects.filter(hour="7", minute="0").count() == 1


@pytest.mark.django_db
def test_a_schedule_changed_in_the_admin_is_kept_until_reset() -> None:
    _install()
    # An administrator moves the reminders to 06:30 and switches the email sweep off
    reminders = PeriodicTask.objects.get(name=REMINDERS)
    reminders.crontab = CrontabSchedule.objects.create(
        minute="30", hour="6", timezone="Asia/Ho_Chi_Minh"
    )
    reminders.save()
    PeriodicTask.objects.filter(name=STALE_EMAILS).update(enabled=False)

    kept = _install()

    reminders.refresh_from_db()
    assert reminders.crontab is not None
    assert (reminders.crontab.hour, reminders.crontab.minute) == ("6", "30")
    assert not PeriodicTask.objects.get(name=STALE_EMAILS).enabled
    assert kept.count(": kept") == 2
    assert "--reset" in kept

    reset = _install("--reset")

    reminders.refresh_from_db()
    assert reminders.crontab is not None
    assert (reminders.crontab.hour, reminders.crontab.minute) == ("7", "0")
    assert PeriodicTask.objects.get(name=STALE_EMAILS).enabled
    assert reset.count(": reset") == 2
    assert _install().count(": unchanged") == len(DEFAULT_SCHEDULES)


@pytest.mark.django_db
def test_a_crontab_row_edited_in_place_is_kept_and_not_reused_for_the_default() -> None:
    _install()
    # The admin edits the shared crontab row itself rather than choosing another
    CrontabSchedule.objects.filter(hour="7", minute="0").update(hour="8")

    _install()

    reminders = PeriodicTask.objects.select_related("crontab").get(name=REMINDERS)
    assert reminders.crontab is not None
    assert reminders.crontab.hour == "8"


@pytest.mark.django_db
def test_load_demo_installs_the_schedules(tree: Tree) -> None:
    out = StringIO()
    call_command("load_demo", "--skip-import", "--history-only", stdout=out)

    assert set(PeriodicTask.objects.values_list("name", flat=True)) >= {REMINDERS, STALE_EMAILS}
    assert f"Schedule {REMINDERS}: created" in out.getvalue()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("worker")
def test_a_real_worker_sends_each_due_reminder_once_even_when_the_task_runs_twice(
    world: World,
) -> None:
    # Given a district letter to one commune, issued a week ago, due two days ago
    today = timezone.localdate()
    letter = draft(
        world.ubnd_cam_thuy,
        world.cam_thuy_officer,
        recipients=services.Recipients(bodies=[world.tree.ubnd_cam_thanh]),
        deadline=today - timedelta(days=2),
    )
    services.directive_issue(letter, by=world.cam_thuy_officer, today=today - timedelta(days=7))

    # When beat's task reaches the worker twice (a redelivery, or two beats by mistake)
    first = send_due_reminders_task.delay()
    second = send_due_reminders_task.delay()
    sent = [first.get(timeout=DELIVERY_TIMEOUT), second.get(timeout=DELIVERY_TIMEOUT)]

    # Then the commune was reminded once, at the latest due step, with one email
    assert sorted(sent) == [0, 1]
    assert list(Reminder.objects.values_list("receipt__body", "step")) == [
        (world.tree.ubnd_cam_thanh.pk, "after-1d")
    ]
    reminder_emails = OutboundEmail.objects.filter(
        to="camthanh@example.test", dedupe_key__startswith="directive-reminder-after-1d"
    )
    assert reminder_emails.count() == 1
