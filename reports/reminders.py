"""Reminders of reports due: to the units that have not submitted, and to their reviewers.

Every morning (the task ``reports.send_reminders``), for each period and level with a due
date, the reminder step of the day is the latest of ``PORTAL_REPORT_REMINDER_DAYS`` (days
around the due date, negative before it) that has come: a missed run sends that step only,
never a backlog of the earlier ones.

A due date is a province's own (``ProvincePeriodDeadline``: its units) or the national one
(``PeriodDeadline``: the units of the provinces without their own), and binds only the units
whose province requires the period's kind (``periods_policy.requiring``): a commune of a
province that asks for quarterly and yearly reports hears nothing of months or half-years.

- Each unit of the level, in force on the period's last day, whose report is missing, a
  draft or returned, gets one reminder per step: its officers and its bodies' staff (those
  the report is addressed to, as ``users.scope.addressed_to`` reads it) get a notice, and
  an email if they want email.
- The reviewers of those units get one summary per step listing the units that have not
  submitted and, after the due date, the submitted reports waiting for their review,
  instead of one notice per commune. The reviewers of a unit's report are the officers in
  force nearest at or above its parent (``users.scope.reviewers_of``): the district's
  office in three-tier history, the province's department for a two-tier commune (or for
  the communes of a district whose office has ceased). Reviewers who oversee several such
  parents get one summary for all of them, claimed under the unit they are anchored on.

"Once per step" is the unique key of ``ReportReminder`` (period, unit, kind, step): every
run inserts its rows with ``ON CONFLICT DO NOTHING`` under a fresh batch id and reads back
its own batch, so of two runs (a retry, two workers) exactly one notifies each unit. The
queries do not depend on the number of units: a fixed handful per period and level.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Left
from django.db.models.lookups import In
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext, override

from notifications import reminders as reminder_steps
from notifications.services import BULK_SIZE, Notice, Recipient, send_notices
from portal.site import absolute_url
from reports.models import (
    PeriodDeadline,
    ProvincePeriodDeadline,
    ReportingPeriod,
    ReportReminder,
    ReportState,
    UnitReport,
)
from reports.periods_policy import ROOT_LENGTH, requiring
from units.models import AdministrativeUnit, path_step
from users import scope
from users.models import Role, RoleAssignment

OFFICER_ROLES = (Role.UNIT_OFFICER, Role.PROVINCE_OFFICER)
# A due date whose last step came longer ago than this is left alone: switching reminders on
# (or restoring an old database) must not wake every unit up about periods long closed.
GIVE_UP_AFTER_DAYS = 30
# Names listed in a summary notice, which is one line; its email lists them all.
NAMES_IN_NOTICE = 10
SUBJECT_PREFIX = "[Cổng MXH]"


def reminder_days() -> tuple[int, ...]:
    """Days around the due date when a unit is reminded (negative: before), in order."""
    return reminder_steps.reminder_days("PORTAL_REPORT_REMINDER_DAYS")


@dataclass(frozen=True)
class Outcome:
    units: int  # units whose people were reminded by this call
    reviewers: int  # units whose reviewers (officers anchored there) got a summary from this call


@dataclass(frozen=True)
class Due:
    """One due date to remind about: a period, a level, and whose units it binds.

    ``province_id`` set: that province's own date, for its units only. None: the national
    date, for the units of the provinces without their own (``own_dates``).
    """

    period: ReportingPeriod
    level_id: int
    due_on: date
    province_id: int | None = None
    own_dates: tuple[int, ...] = ()  # provinces with their own date for this period and level

    def units(self, path: str = "path") -> Q:
        """The units (through the lookup ``path``) this due date binds, whose province
        requires the period's kind (one query, in ``requiring``)."""
        condition = requiring(self.period.kind, path=path)
        if self.province_id is not None:
            return condition & Q(**{f"{path}__startswith": path_step(self.province_id)})
        if self.own_dates:
            own = [path_step(pk) for pk in self.own_dates]
            condition &= ~Q(In(Left(path, ROOT_LENGTH), own))
        return condition


def due_deadlines(today: date) -> list[tuple[Due, int]]:
    """The (due date, day of its step) pairs whose step has come today (three queries)."""
    days = reminder_days()
    if not days:
        return []
    window = {
        "due_on__lte": today - timedelta(days=days[0]),
        "due_on__gte": today - timedelta(days=days[-1] + GIVE_UP_AFTER_DAYS),
    }
    national = list(
        PeriodDeadline.objects.filter(**window)
        .select_related("period")
        .order_by("due_on", "period_id", "level_id")
    )
    provincial = list(
        ProvincePeriodDeadline.objects.filter(**window)
        .select_related("period")
        .order_by("due_on", "period_id", "level_id", "province_id")
    )
    # Which provinces set their own date for the national ones (whatever that date is).
    own: dict[tuple[int, int], list[int]] = defaultdict(list)
    if national:
        for period_id, level_id, province_id in ProvincePeriodDeadline.objects.filter(
            period_id__in={deadline.period_id for deadline in national}
        ).values_list("period_id", "level_id", "province_id"):
            own[(period_id, level_id)].append(province_id)
    candidates = [
        Due(
            period=deadline.period,
            level_id=deadline.level_id,
            due_on=deadline.due_on,
            own_dates=tuple(sorted(own.get((deadline.period_id, deadline.level_id), []))),
        )
        for deadline in national
    ] + [
        Due(
            period=deadline.period,
            level_id=deadline.level_id,
            due_on=deadline.due_on,
            province_id=deadline.province_id,
        )
        for deadline in provincial
    ]
    due = []
    for candidate in sorted(
        candidates,
        key=lambda c: (c.due_on, c.period.pk, c.level_id, c.province_id or 0),
    ):
        day = reminder_steps.step_of(candidate.due_on, today, days)
        if day is not None:
            due.append((candidate, day))
    return due


def send_due_reminders(today: date | None = None) -> Outcome:
    """The reminders of one day; safe to run twice, or in two workers at once."""
    today = today or timezone.localdate()
    units = reviewers = 0
    for deadline, day in due_deadlines(today):
        with transaction.atomic():
            reminded = _remind_level(deadline, day, today)
        units += reminded.units
        reviewers += reminded.reviewers
    return Outcome(units=units, reviewers=reviewers)


# --- One period and level at one step ------------------------------------------------------------


def _claim(period: ReportingPeriod, unit_ids: Iterable[int], *, kind: str, step: str) -> set[int]:
    """Insert one reminder row per unit; return the units this call won (not sent before)."""
    ids = sorted(set(unit_ids))
    if not ids:
        return set()
    batch = uuid.uuid4()
    now = timezone.now()
    ReportReminder.objects.bulk_create(
        [
            ReportReminder(
                period=period, unit_id=pk, kind=kind, step=step, batch=batch, sent_at=now
            )
            for pk in ids
        ],
        ignore_conflicts=True,
        batch_size=BULK_SIZE,
    )
    return set(
        ReportReminder.objects.filter(period=period, kind=kind, step=step, batch=batch).values_list(
            "unit_id", flat=True
        )
    )


def _report_link(report_id: int | None) -> str:
    """The report's page; the list of reports when the unit has none yet."""
    if report_id is None:
        return "/reports/"
    try:
        return reverse("reports:detail", kwargs={"report_id": report_id})
    except NoReverseMatch:
        return f"/reports/{report_id}/"


def _period_link(period: ReportingPeriod) -> str:
    """The list of reports of the period, with the reports waiting for review on top."""
    try:
        return f"{reverse('reports:list')}?period={period.pk}"
    except NoReverseMatch:
        return f"/reports/?period={period.pk}"


def _names(names: list[str], limit: int | None = None) -> str:
    shown = names if limit is None else names[:limit]
    more = ", …" if limit is not None and len(names) > limit else ""
    return ", ".join(shown) + more


def _people(unit_ids: set[int], *, today: date) -> dict[int, list[Recipient]]:
    """Active users answering for each unit: its officers and its bodies' staff.

    The set-based form of ``users.scope.addressed_to`` for a report addressed to a unit as a
    whole: officers anchored on the unit, staff of its open bodies, with their assignments
    in force ``today``. One query.
    """
    if not unit_ids:
        return {}
    condition = Q(role__in=OFFICER_ROLES, unit_id__in=sorted(unit_ids)) | Q(
        role=Role.BODY_STAFF, body__unit_id__in=sorted(unit_ids)
    )
    rows = (
        RoleAssignment.objects.filter(
            condition, scope.assignment_in_force_q(today), user__is_active=True
        )
        .values_list(
            "user_id", "user__email", "user__email_notifications", "unit_id", "body__unit_id"
        )
        .distinct()
    )
    people: dict[int, dict[int, Recipient]] = defaultdict(dict)
    for user_id, email, wants, unit_id, body_unit_id in rows:
        people[unit_id or body_unit_id][user_id] = Recipient(user_id, email, wants)
    return {unit: sorted(found.values(), key=lambda r: r.pk) for unit, found in people.items()}


def _report_id(reports: QuerySet[UnitReport]) -> Subquery:
    return Subquery(reports.filter(unit_id=OuterRef("pk")).values("pk")[:1])


@dataclass(frozen=True)
class _Context:
    period: ReportingPeriod
    step: str
    day: int
    due: str  # dd/mm/yyyy


def _reviewer_groups(
    parents: dict[int, str], *, today: date
) -> dict[int, tuple[int, list[Recipient]]]:
    """For each parent unit (id → path), the unit its reviewers are anchored on and who they
    are: the active officers in force nearest at or above it (``users.scope.reviewers_of``,
    read with the anchor, as recipients). One query; a parent nobody reviews is left out."""
    if not parents:
        return {}
    rows = (
        RoleAssignment.objects.filter(
            scope.officers_above_q(parents.values(), today), user__is_active=True
        )
        .order_by("user_id")
        .values_list("unit_id", "unit__path", "user_id", "user__email", "user__email_notifications")
    )
    anchored = [
        (path, (unit_id, Recipient(user_id, email, wants)))
        for unit_id, path, user_id, email, wants in rows
    ]
    groups: dict[int, tuple[int, list[Recipient]]] = {}
    for parent_id, path in parents.items():
        found = scope.nearest(path, anchored)
        if found:
            people = {person.pk: person for _anchor, person in found}
            groups[parent_id] = (found[0][0], [people[pk] for pk in sorted(people)])
    return groups


def _remind_level(deadline: Due, day: int, today: date) -> Outcome:
    period = deadline.period
    step = reminder_steps.step_name(day)
    context = _Context(period=period, step=step, day=day, due=deadline.due_on.strftime("%d/%m/%Y"))
    reports = UnitReport.objects.filter(period=period)
    done = reports.filter(state__in=[ReportState.SUBMITTED, ReportState.ACCEPTED])
    # 1. The units of the level that have not submitted (missing, draft or returned), in
    # the provinces this date binds and that require this kind of period.
    bound = deadline.units()
    pending = list(
        AdministrativeUnit.objects.in_force_on(period.ends_on)
        .filter(bound, level_id=deadline.level_id)
        .exclude(pk__in=done.values("unit_id"))
        .annotate(
            report_id=_report_id(reports),
            reminded=Exists(
                ReportReminder.objects.filter(
                    period=period,
                    unit_id=OuterRef("pk"),
                    kind=ReportReminder.Kind.SUBMIT,
                    step=step,
                )
            ),
        )
        .order_by("path")
        .values_list("pk", "name", "parent_id", "parent__path", "report_id", "reminded")
    )
    # 2-3. Claim this step for those not reminded at it yet.
    won = _claim(
        period,
        (pk for pk, _n, _p, _pp, _r, reminded in pending if not reminded),
        kind=ReportReminder.Kind.SUBMIT,
        step=step,
    )
    # 4. Who answers for them.
    people = _people(won, today=today)
    notices = [
        notice
        for pk, name, _parent, _path, report_id, _reminded in pending
        if pk in won
        for notice in _unit_notices(context, pk, name, report_id, people.get(pk, []))
    ]

    # 5. After the due date, the submitted reports still waiting for a review.
    waiting: list[tuple[int, int, str, int | None, str | None]] = []
    if day > 0:
        waiting = list(
            reports.filter(
                deadline.units("unit__path"),
                state=ReportState.SUBMITTED,
                unit__level_id=deadline.level_id,
                unit__parent__isnull=False,
            )
            .order_by("unit__path")
            .values_list("pk", "unit_id", "unit__name", "unit__parent_id", "unit__parent__path")
        )
    parents: dict[int, str] = {}
    late_by_parent: dict[int, list[str]] = defaultdict(list)
    for _pk, name, parent_id, parent_path, _report, _reminded in pending:
        if parent_id is not None:
            late_by_parent[parent_id].append(name)
            parents[parent_id] = parent_path
    waiting_by_parent: dict[int, list[str]] = defaultdict(list)
    for _pk, _unit, waiting_name, waiting_parent, waiting_path in waiting:
        if waiting_parent is not None:
            waiting_by_parent[waiting_parent].append(waiting_name)
            parents[waiting_parent] = waiting_path or ""
    # 6. Who reviews them: grouped by the unit the reviewers are anchored on, so a province
    # reviewing the communes of several districts without an office in force gets one summary.
    groups = _reviewer_groups(parents, today=today)
    late: dict[int, list[str]] = defaultdict(list)
    awaiting: dict[int, list[str]] = defaultdict(list)
    officers: dict[int, list[Recipient]] = {}
    parents_of: dict[int, set[int]] = defaultdict(set)
    for parent_id in sorted(parents, key=lambda pk: parents[pk]):
        if parent_id not in groups:
            continue  # nobody in force reviews them: nothing to send, nothing to claim
        anchor, reviewers = groups[parent_id]
        late[anchor] += late_by_parent.get(parent_id, [])
        awaiting[anchor] += waiting_by_parent.get(parent_id, [])
        officers[anchor] = reviewers
        parents_of[anchor].add(parent_id)
    # 7-8. Claim this step for those reviewers' units.
    won_anchors = _claim(period, set(officers), kind=ReportReminder.Kind.REVIEW, step=step)
    if won_anchors:
        # 9. Their names and own reports (a summary links to it when it lists their children).
        anchors = (
            AdministrativeUnit.objects.filter(pk__in=sorted(won_anchors))
            .annotate(report_id=_report_id(reports))
            .order_by("path")
            .values_list("pk", "name", "report_id")
        )
        for pk, name, report_id in anchors:
            notices += _summary_notices(
                context,
                pk,
                name,
                report_id if parents_of[pk] == {pk} else None,
                late=late[pk],
                waiting=awaiting[pk],
                people=officers[pk],
            )
    # 10-14. The notices and emails, all at once.
    send_notices(notices)
    return Outcome(units=len(won), reviewers=len(won_anchors))


def _unit_notices(
    context: _Context, unit_id: int, name: str, report_id: int | None, people: list[Recipient]
) -> list[Notice]:
    link = _report_link(report_id)
    params = {"unit": name, "period": context.period.label, "due": context.due}
    with override("vi"):
        if context.day <= 0:
            text = gettext("Reminder: the report of %(unit)s for %(period)s is due on %(due)s.")
        else:
            text = gettext(
                "Overdue: the report of %(unit)s for %(period)s was due on %(due)s and has not "
                "been submitted."
            )
        text %= params
        body = "\n\n".join(
            [text, gettext("Fill it in and submit it in the portal:") + f"\n{absolute_url(link)}"]
        )
    key = f"report-reminder:{context.period.pk}:{unit_id}:{context.step}"
    return [
        Notice(
            user=person,
            text=text,
            key=f"{key}:{person.pk}",
            link=link,
            subject=f"{SUBJECT_PREFIX} {text}",
            email_text=body + "\n",
        )
        for person in people
    ]


def _summary_notices(
    context: _Context,
    unit_id: int,
    name: str,
    report_id: int | None,
    *,
    late: list[str],
    waiting: list[str],
    people: list[Recipient],
) -> list[Notice]:
    """One summary per reviewer: who has not submitted, what awaits their review."""
    if not people:
        return []
    # The reviewers' own report lists the units below them; reviewers of units further
    # down (a district without its office) follow them in the period's list of reports.
    link = _report_link(report_id) if report_id is not None else _period_link(context.period)
    params = {"unit": name, "period": context.period.label, "due": context.due}

    def parts(limit: int | None) -> list[str]:
        lines = []
        if late:
            lines.append(
                ngettext(
                    "%(count)s unit below %(unit)s has not submitted its report for %(period)s "
                    "(due %(due)s): %(names)s.",
                    "%(count)s units below %(unit)s have not submitted their report for "
                    "%(period)s (due %(due)s): %(names)s.",
                    len(late),
                )
                % {**params, "count": len(late), "names": _names(late, limit)}
            )
        if waiting:
            lines.append(
                ngettext(
                    "%(count)s submitted report is waiting for your review: %(names)s.",
                    "%(count)s submitted reports are waiting for your review: %(names)s.",
                    len(waiting),
                )
                % {"count": len(waiting), "names": _names(waiting, limit)}
            )
        return lines

    with override("vi"):
        text = " ".join(parts(NAMES_IN_NOTICE))
        subject = gettext("Reports of the units below %(unit)s for %(period)s") % params
        body = "\n\n".join(
            [*parts(None), gettext("Follow them up in the portal:") + f"\n{absolute_url(link)}"]
        )
    key = f"report-review-reminder:{context.period.pk}:{unit_id}:{context.step}"
    return [
        Notice(
            user=person,
            text=text,
            key=f"{key}:{person.pk}",
            link=link,
            subject=f"{SUBJECT_PREFIX} {subject}",
            email_text=body + "\n",
        )
        for person in people
    ]
