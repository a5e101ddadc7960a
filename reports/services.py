"""Writes to reports: filling in, the review workflow, and starting a build.

Every state change goes through ``users.workflow.transition`` over ``REPORT_WORKFLOW``,
which checks the current state (under a row lock), checks in one query through
``reports.selectors`` that ``by`` may make the move, and writes a ``ReportStep``; views, the
API and the admin all call these functions, so an illegal transition is impossible from any
entry point. Callers fetch through the selectors first (404 out of scope); the workflow's
check is the second lock.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from notifications import services as notifications
from notifications.services import Recipient
from portal.history import record_by
from reports import selectors
from reports.build import build_period
from reports.models import (
    DECLARATION_FIELDS,
    NARRATIVE_FIELDS,
    BuildRun,
    BuildState,
    ReportingPeriod,
    ReportState,
    ReportStep,
    UnitReport,
)
from reports.periods import due_for
from users import scope
from users.models import Role, RoleAssignment, User
from users.workflow import Rule, Workflow, transition

S = ReportState

# The moves of ``REPORT_WORKFLOW`` (below), by state.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.DRAFT: (S.SUBMITTED,),
    S.SUBMITTED: (S.ACCEPTED, S.RETURNED),
    S.RETURNED: (S.SUBMITTED,),
    S.ACCEPTED: (S.RETURNED,),
}

# What the unit may change while its report is a draft or returned.
EDITABLE_FIELDS = (
    *DECLARATION_FIELDS,
    "declaration_note",
    *NARRATIVE_FIELDS,
    "missing_children_reason",
)


def allowed_transitions(state: str) -> tuple[str, ...]:
    return TRANSITIONS.get(state, ())


def _lock(report: UnitReport) -> UnitReport:
    return (
        UnitReport.objects.select_for_update(of=("self",))
        .select_related("unit", "period")
        .get(pk=report.pk)
    )


def _save(report: UnitReport, by: User | None) -> None:
    record_by(report, by)
    report.full_clean()
    report.save()


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@transaction.atomic
def report_update(*, report: UnitReport, by: User, **fields: Any) -> UnitReport:
    """Fill in the unit's declarations, counts and narrative while the report is editable."""
    _require(selectors.can_prepare(by, report))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    locked = _lock(report)
    if not locked.is_editable:
        raise ValidationError(_("Only a draft or returned report can be changed."))
    for name, value in fields.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    _save(locked, by)
    return locked


@transaction.atomic
def report_submit(*, report: UnitReport, by: User) -> UnitReport:
    """Send the report up for review, its figures refreshed from the registry first.

    Refused until every declaration is filled in, and while units below have no accepted
    report unless the reason is stated. Lateness is judged once, at the first submission,
    against the period's due date for the unit's level: a report returned and sent again
    after the due date is not made late by the reviewer's return.
    """

    def apply(locked: UnitReport) -> None:
        missing = locked.missing_declarations()
        if missing:
            raise ValidationError(
                {name: _("Fill this in before submitting the report.") for name in missing}
            )
        # The snapshot the reviewer sees: the registry and the units below as they are now.
        build_period(locked.period, unit_ids=[locked.unit_id])
        locked.refresh_from_db()
        if locked.child_rows.filter(missing=True).exists() and not locked.missing_children_reason:
            raise ValidationError(
                {
                    "missing_children_reason": _(
                        "Some units below have no accepted report: say why before submitting."
                    )
                }
            )
        now = timezone.now()
        locked.submitted_at = now
        if locked.first_submitted_at is None:
            locked.first_submitted_at = now
            # The unit's province may have set its own date for its level.
            due = due_for(locked.period, locked.unit)
            locked.submitted_late = due is not None and timezone.localtime(now).date() > due
        locked.review_note = ""

    return transition(
        REPORT_WORKFLOW,
        report,
        S.SUBMITTED,
        by=by,
        refusal=_("This report has already been submitted."),
        apply=apply,
    ).obj


@transaction.atomic
def report_accept(*, report: UnitReport, by: User, note: str = "") -> UnitReport:
    """Accept a submitted report: from now on it is a frozen snapshot."""

    def apply(locked: UnitReport) -> None:
        locked.accepted_at = timezone.now()
        locked.review_note = note.strip()

    return transition(REPORT_WORKFLOW, report, S.ACCEPTED, by=by, note=note, apply=apply).obj


@transaction.atomic
def report_return(*, report: UnitReport, by: User, note: str) -> UnitReport:
    """Return a submitted report to its unit for correction, saying what to correct."""

    def apply(locked: UnitReport) -> None:
        if not note.strip():
            raise ValidationError({"note": _("Write a note saying what must be corrected.")})
        locked.review_note = note.strip()

    return transition(
        REPORT_WORKFLOW,
        report,
        S.RETURNED,
        by=by,
        note=note,
        sources=(S.SUBMITTED,),
        refusal=_("Only a submitted report can be returned."),
        apply=apply,
    ).obj


@transaction.atomic
def report_reopen(*, report: UnitReport, by: User, note: str) -> UnitReport:
    """A higher level reopens an accepted report for correction, saying why.

    The reports above that rolled it up keep what they froze; a draft above shows the unit
    as missing again at its next build.
    """

    def apply(locked: UnitReport) -> None:
        if not note.strip():
            raise ValidationError({"note": _("Write a note saying why the report is reopened.")})
        locked.accepted_at = None
        locked.review_note = note.strip()

    return transition(
        REPORT_WORKFLOW,
        report,
        S.RETURNED,
        by=by,
        note=note,
        sources=(S.ACCEPTED,),
        refusal=_("Only an accepted report can be reopened."),
        apply=apply,
    ).obj


# --- The workflow -------------------------------------------------------------------------------


def _may_prepare(by: User | None, report: UnitReport) -> bool:
    # A report is always someone's act: the system (``None``) neither prepares nor reviews.
    return by is not None and selectors.can_prepare(by, report)


def _may_review(by: User | None, report: UnitReport) -> bool:
    return by is not None and selectors.can_review(by, report)


def _refusal(report: UnitReport, to_state: str) -> ValidationError:
    return ValidationError(
        _("A report cannot go from “%(from)s” to “%(to)s”.")
        % {
            "from": report.get_state_display(),
            "to": dict(ReportState.choices).get(to_state, to_state),
        }
    )


def _record(report: UnitReport, from_state: str, by: User | None, note: str) -> ReportStep:
    return ReportStep.objects.create(
        report=report, from_state=from_state, to_state=report.state, note=note.strip(), by=by
    )


def _notify(report: UnitReport, step: ReportStep) -> None:
    """A submitted report waits for its reviewers; any other step is news for its unit."""
    if step.to_state == S.SUBMITTED:
        notify_reviewers(report=report, step=step)
    else:
        notify(report=report, step=step)


# Preparing is the unit's (``selectors.can_prepare``), deciding the level above's
# (``selectors.can_review``): one query each, through ``users.scope``.
_PREPARE = Rule[UnitReport](may=_may_prepare)
_REVIEW = Rule[UnitReport](may=_may_review)

# Accepted → returned is only ``report_reopen``: a higher level, with a note.
REPORT_WORKFLOW: Workflow[UnitReport, ReportStep] = Workflow(
    name="report",
    model=UnitReport,
    transitions={
        source: {target: _PREPARE if target == S.SUBMITTED else _REVIEW for target in targets}
        for source, targets in TRANSITIONS.items()
    },
    lock=_lock,
    refusal=_refusal,
    save=_save,
    record=_record,
    notify=_notify,
)


def report_link(report: UnitReport) -> str:
    """The report's page, once the pages exist; notices then link to it."""
    try:
        return reverse("reports:detail", args=[report.pk])
    except NoReverseMatch:
        return ""


def unit_people(report: UnitReport) -> list[Recipient]:
    """The users who answer for the report's unit: its officers and its bodies' staff,
    whose assignments are in force (nobody anchored on what has ceased is told)."""
    rows = (
        RoleAssignment.objects.filter(
            scope.assignment_in_force_q(scope.acting_day()), user__is_active=True
        )
        .filter(
            Q(role__in=scope.OFFICER_ROLES, unit_id=report.unit_id)
            | Q(role=Role.BODY_STAFF, body__unit_id=report.unit_id)
        )
        .values_list("user_id", "user__email", "user__email_notifications")
        .distinct()
        .order_by("user_id")
    )
    return [Recipient(pk, email, wants) for pk, email, wants in rows]


def reviewers(report: UnitReport) -> list[User]:
    """Who reviews the report: the officers in force nearest at or above its unit's parent
    (``users.scope.reviewers_of``), whichever level that is: the district's office in
    three-tier history, the province's department for a two-tier commune. Two queries; a
    province's own report has no reviewer above it."""
    parent = report.unit.parent
    if parent is None:
        return []
    return scope.reviewers_of([parent]).get(parent.pk, [])


def notify_reviewers(*, report: UnitReport, step: ReportStep) -> int:
    """Tell the reviewers that a report was submitted and waits for their review, once per
    submission (the key names the step: a report sent again after a return is news)."""
    with override("vi"):
        text = _("The report of %(unit)s for %(period)s was submitted and waits for your review.")
        message = str(text) % {
            "unit": report.unit_name or report.unit.name,
            "period": report.period.label,
        }
    return notifications.notify(
        reviewers(report),
        text=message,
        key=f"report-submitted:{report.pk}:step:{step.pk}",
        link=report_link(report),
        subject=f"[Cổng MXH] {message}",
        sender=notifications.sender_name(step.by, path=report.unit.path),
    )


def notify(*, report: UnitReport, step: ReportStep) -> int:
    """Tell the unit's people (who prepared the report: ``unit_people``) that its report was
    accepted, returned or reopened, once.

    The key names the step, so a retry creates nothing new while a second return of the
    same report (a new step) is a new notice. The email goes to those who want email.
    Returns how many notices were new.
    """
    with override("vi"):
        # Stored text: written in the portal's language, not the reviewer's.
        if step.to_state == S.ACCEPTED:
            text = _("The report of %(unit)s for %(period)s was accepted.")
        else:
            text = _("The report of %(unit)s for %(period)s was returned: %(note)s")
        message = str(text) % {
            "unit": report.unit_name or report.unit.name,
            "period": report.period.label,
            "note": step.note,
        }
    return notifications.notify(
        unit_people(report),
        text=message,
        key=f"report:{report.pk}:step:{step.pk}",
        link=report_link(report),
        subject=f"[Cổng MXH] {message}",
        sender=notifications.sender_name(step.by, path=report.unit.path),
    )


def _enqueue(run_id: int) -> None:
    # Imported here: the task module imports the services.
    from reports.tasks import build_period_task

    build_period_task.delay(run_id)


@transaction.atomic
def build_start(
    *, period: ReportingPeriod, by: User | None = None, refresh: bool = True
) -> BuildRun:
    """Queue a build of the period's reports; a build already waiting or running is reused."""
    ReportingPeriod.objects.select_for_update().filter(pk=period.pk).first()
    current = BuildRun.objects.filter(
        period=period, state__in=[BuildState.QUEUED, BuildState.RUNNING]
    ).first()
    if current is not None:
        return current
    run = BuildRun.objects.create(period=period, refresh=refresh, created_by=by)
    transaction.on_commit(partial(_enqueue, run.pk), robust=True)
    return run
