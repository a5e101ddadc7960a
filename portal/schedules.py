"""The periodic tasks the portal needs, as data, and their installation into Celery beat.

Schedules live in django-celery-beat's tables, so that an administrator can change them in
the admin (*Periodic tasks*) without a deployment. ``manage.py install_schedules`` writes
the defaults below: it creates what is missing and keeps the code's part of a row (the task
it runs, its description) up to date, but leaves alone the part an administrator owns (when
it runs, whether it is enabled) unless asked to ``--reset`` it.

A row is found again by its ``name``: renaming a periodic task in the admin makes the next
install create the default again beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask


@dataclass(frozen=True)
class Crontab:
    """A crontab in the portal's time zone: ``Crontab(minute="0", hour="7")`` is 07:00 daily."""

    minute: str = "0"
    hour: str = "*"
    day_of_week: str = "*"
    day_of_month: str = "*"
    month_of_year: str = "*"
    timezone: str = "Asia/Ho_Chi_Minh"  # the portal's CELERY_TIMEZONE

    def __str__(self) -> str:
        fields = (self.minute, self.hour, self.day_of_month, self.month_of_year, self.day_of_week)
        return f"crontab {' '.join(fields)} ({self.timezone})"


@dataclass(frozen=True)
class Every:
    """A fixed interval, in minutes."""

    minutes: int

    def __str__(self) -> str:
        return f"every {self.minutes} minutes"


@dataclass(frozen=True)
class Schedule:
    """One periodic task: its name in the admin, the Celery task, and when it runs."""

    name: str
    task: str
    when: Crontab | Every
    description: str | Promise


DEFAULT_SCHEDULES: tuple[Schedule, ...] = (
    Schedule(
        name="directives: reminders around report deadlines",
        task="directives.send_due_reminders",
        when=Crontab(minute="0", hour="7"),
        description=_(
            "Every morning, remind the recipients of directives who have not reported back, "
            "on the days set by PORTAL_DIRECTIVE_REMINDER_DAYS around the deadline (once per "
            "recipient and step)."
        ),
    ),
    Schedule(
        name="notifications: re-enqueue stale emails",
        task="notifications.tasks.enqueue_stale_emails",
        when=Every(minutes=5),
        description=_(
            "Queue again the emails whose delivery message never reached a worker (a broker "
            "outage, say); delivery sends each email once."
        ),
    ),
    Schedule(
        name="reports: create reporting periods ahead",
        task="reports.ensure_periods",
        when=Crontab(minute="15", hour="0"),
        description=_(
            "Every night, create the current and next reporting period of every kind, with "
            "their due dates per level (nothing is created twice)."
        ),
    ),
    Schedule(
        name="reports: reminders around due dates",
        task="reports.send_reminders",
        when=Crontab(minute="30", hour="7"),
        description=_(
            "Every morning, remind the units whose report is not submitted, on the days set by "
            "PORTAL_REPORT_REMINDER_DAYS around their level's due date, and send the officers "
            "above them one summary of the late units and of the reports waiting for review "
            "(once per unit and step)."
        ),
    ),
    Schedule(
        name="privacy: erase personal data kept too long",
        task="privacy.erase_expired_personal_data",
        when=Crontab(minute="15", hour="2"),
        description=_(
            "Every night, erase the phone and email of contact persons archived longer than "
            "PERSONAL_DATA_CONTACT_RETENTION_DAYS, and the details of citizens who reported "
            "an incident closed longer than PERSONAL_DATA_REPORTER_RETENTION_DAYS, history "
            "included (audited)."
        ),
    ),
)


@dataclass(frozen=True)
class Outcome:
    """What ``install`` did to one schedule."""

    name: str
    action: str  # "created", "updated", "unchanged", "kept", "reset"
    detail: str

    def __str__(self) -> str:
        return f"{self.name}: {self.action} ({self.detail})"


def _crontab(when: Crontab) -> CrontabSchedule:
    values = {
        "minute": when.minute,
        "hour": when.hour,
        "day_of_week": when.day_of_week,
        "day_of_month": when.day_of_month,
        "month_of_year": when.month_of_year,
        "timezone": when.timezone,
    }
    # Filter rather than get_or_create: the admin can leave identical rows behind.
    found = CrontabSchedule.objects.filter(**values).order_by("pk").first()
    return found or CrontabSchedule.objects.create(**values)


def _interval(when: Every) -> IntervalSchedule:
    values = {"every": when.minutes, "period": IntervalSchedule.MINUTES}
    found = IntervalSchedule.objects.filter(**values).order_by("pk").first()
    return found or IntervalSchedule.objects.create(**values)


def runs_as_default(task: PeriodicTask, when: Crontab | Every) -> bool:
    """Whether a row runs when the default says (and is enabled)."""
    if not task.enabled or task.solar_id or task.clocked_id:
        return False
    if isinstance(when, Crontab):
        crontab = task.crontab
        return (
            task.interval_id is None
            and crontab is not None
            and (
                crontab.minute,
                crontab.hour,
                crontab.day_of_week,
                crontab.day_of_month,
                crontab.month_of_year,
                str(crontab.timezone),
            )
            == (
                when.minute,
                when.hour,
                when.day_of_week,
                when.day_of_month,
                when.month_of_year,
                when.timezone,
            )
        )
    interval = task.interval
    return (
        task.crontab_id is None
        and interval is not None
        and (interval.every, interval.period) == (when.minutes, IntervalSchedule.MINUTES)
    )


def _set_when(task: PeriodicTask, when: Crontab | Every) -> None:
    task.crontab = _crontab(when) if isinstance(when, Crontab) else None
    task.interval = _interval(when) if isinstance(when, Every) else None
    task.solar = None
    task.clocked = None
    task.enabled = True


def _description(schedule: Schedule) -> str:
    with override(settings.LANGUAGE_CODE):
        return str(schedule.description)


def _install_one(schedule: Schedule, *, reset: bool) -> Outcome:
    task = (
        PeriodicTask.objects.select_related("crontab", "interval")
        .filter(name=schedule.name)
        .first()
    )
    description = _description(schedule)
    if task is None:
        task = PeriodicTask(name=schedule.name, task=schedule.task, description=description)
        _set_when(task, schedule.when)
        task.save()
        return Outcome(schedule.name, "created", f"{schedule.task}, {schedule.when}")
    as_default = runs_as_default(task, schedule.when)
    code_changed = (task.task, task.description) != (schedule.task, description)
    if not code_changed and (as_default or not reset):
        if as_default:
            return Outcome(schedule.name, "unchanged", str(schedule.when))
        return Outcome(
            schedule.name,
            "kept",
            f"its schedule was changed in the admin; --reset restores {schedule.when}, enabled",
        )
    task.task, task.description = schedule.task, description
    if reset and not as_default:
        _set_when(task, schedule.when)
        task.save()
        return Outcome(schedule.name, "reset", f"{schedule.task}, {schedule.when}")
    task.save()
    kept = "" if as_default else "; its schedule, changed in the admin, was kept"
    return Outcome(schedule.name, "updated", f"task and description{kept}")


def install(
    schedules: tuple[Schedule, ...] = DEFAULT_SCHEDULES, *, reset: bool = False
) -> list[Outcome]:
    """Create or update the periodic tasks, in one transaction; see the module docstring."""
    with transaction.atomic():
        return [_install_one(schedule, reset=reset) for schedule in schedules]
