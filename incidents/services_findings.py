"""Writes for monitoring findings.

A finding moves open → remediated (the body says what it did) → closed (by the finder), or
back from remediated to open when the remediation falls short. Each move checks the current
state under a row lock and tells whoever must act next through ``notifications.notify``:
``users.workflow.transition`` over ``FINDING_WORKFLOW``. Who acts is checked there, so it
holds from every entry point: the body's staff remediate (``None`` is the system), only the
finder's side closes or reopens a finding.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from accounts_registry.models import SocialPage
from incidents.models import FindingState, MonitoringFinding
from notifications import services as notifications
from portal.history import record_by
from units.models import AdministrativeUnit, Body
from users import scope
from users.models import Role, RoleAssignment, User
from users.workflow import Rule, Workflow, transition

F = FindingState

FINDING_OPENED = _("Monitoring finding #%(id)s about %(body)s: remediate by %(deadline)s")
FINDING_REMEDIATED = _("%(body)s reported its remediation of finding #%(id)s")
FINDING_CLOSED = _("Monitoring finding #%(id)s about %(body)s was closed")
FINDING_REOPENED = _("Monitoring finding #%(id)s about %(body)s was reopened: remediate again")


def _finder_unit(body: Body, by: Any) -> AdministrativeUnit | None:
    """The deepest unit at or above the body's on which ``by`` acts as an officer."""
    if by is None:
        return None
    grants = scope.grants_for(by)
    paths = [path for path in grants.acting_subtree_paths if body.unit.path.startswith(path)]
    if not paths:
        return None
    return AdministrativeUnit.objects.filter(path=max(paths, key=len)).first()


def _staff_of(body: Body) -> list[User]:
    """The body's staff whose assignment is in force, in a stable order (one query)."""
    return sorted(
        {
            assignment.user
            for assignment in RoleAssignment.objects.filter(
                scope.assignment_in_force_q(scope.acting_day()),
                role=Role.BODY_STAFF,
                body_id=body.pk,
                user__is_active=True,
            ).select_related("user")
        },
        key=lambda user: user.pk,
    )


def _finders_of(finding: MonitoringFinding) -> list[User]:
    """The finder, and the officers in force anchored on the finder's unit (one query)."""
    people: dict[int, User] = {}
    if finding.finder is not None and finding.finder.is_active:
        people[finding.finder.pk] = finding.finder
    if finding.finder_unit_id is not None:
        for assignment in RoleAssignment.objects.filter(
            scope.assignment_in_force_q(scope.acting_day()),
            role__in=scope.OFFICER_ROLES,
            unit_id=finding.finder_unit_id,
            user__is_active=True,
        ).select_related("user"):
            people[assignment.user_id] = assignment.user
    return [people[pk] for pk in sorted(people)]


def _tell(
    finding: MonitoringFinding, people: list[User], text: Any, *, event: str, note: str, by: Any
) -> int:
    if not people:
        return 0
    with override("vi"):
        # Notices are stored text: written in the portal's language, not the caller's.
        message = str(text) % {
            "id": finding.pk,
            "body": finding.body.name,
            "deadline": finding.deadline.strftime("%d/%m/%Y"),
        }
    return notifications.notify(
        people,
        text=message,
        key=f"finding:{finding.pk}:{event}",
        link=reverse("incidents:finding_detail", args=[finding.pk]),
        subject=f"[Cổng MXH] {message}",
        note=note,
        sender=notifications.sender_name(by, path=finding.body.unit.path) if by else "",
    )


@transaction.atomic
def finding_record(
    *,
    body: Body,
    by: Any,
    source: str,
    found_on: date,
    category: str,
    severity: str,
    description: str,
    remediation_required: str,
    deadline: date,
    page: SocialPage | None = None,
    reference: str = "",
) -> MonitoringFinding:
    """Record a finding about ``body`` (or one of its pages) and tell the body what to do."""
    errors: dict[str, Any] = {}
    if body.archived_at is not None:
        errors["body"] = _("An archived body cannot be given a finding.")
    if page is not None and page.body_id != body.pk:
        errors["page"] = _("This page is not one of the body's pages.")
    if found_on > timezone.localdate():
        errors["found_on"] = _("The date of the finding cannot be in the future.")
    if deadline < found_on:
        errors["deadline"] = _("The deadline cannot be before the date of the finding.")
    if not description.strip():
        errors["description"] = _("Say what was found.")
    if not remediation_required.strip():
        errors["remediation_required"] = _("Say what the body must do.")
    if errors:
        raise ValidationError(errors)
    finding = MonitoringFinding(
        body=body,
        page=page,
        source=source,
        reference=reference.strip(),
        found_on=found_on,
        category=category,
        severity=severity,
        description=description.strip(),
        remediation_required=remediation_required.strip(),
        deadline=deadline,
        finder=by,
        finder_unit=_finder_unit(body, by),
    )
    record_by(finding, by)
    finding.full_clean()
    finding.save()
    _tell(
        finding,
        _staff_of(body),
        FINDING_OPENED,
        event="opened",
        note=finding.remediation_required,
        by=by,
    )
    return finding


def _lock(finding: MonitoringFinding) -> MonitoringFinding:
    return (
        MonitoringFinding.objects.select_for_update(of=("self",))
        .select_related("body", "body__unit", "finder")
        .get(pk=finding.pk)
    )


def may_close(finding: MonitoringFinding, user: Any) -> bool:
    """Whether ``user`` is on the finder's side: the finder, an officer in force at or
    above the finder's unit, or an administrator."""
    if user is None:
        return False
    grants = scope.grants_for(user)
    if grants.is_admin or (finding.finder_id is not None and finding.finder_id == user.pk):
        return True
    if finding.finder_unit_id is None:
        return False
    path = finding.finder_unit.path if finding.finder_unit else ""
    return any(path.startswith(outer) for outer in grants.acting_subtree_paths)


def may_remediate(by: User | None, finding: MonitoringFinding) -> bool:
    """Whether ``by`` acts for the finding's body: its staff in force or an administrator
    (``selectors_findings.findings_for(by, EDIT)``, from the grants ``users.scope`` caches on
    the user). ``None`` is the system."""
    if by is None:
        return True
    grants = scope.grants_for(by)
    return grants.is_admin or finding.body_id in grants.acting_body_ids


@transaction.atomic
def finding_remediate(*, finding: MonitoringFinding, by: Any, note: str) -> Any:
    """The body says what it did about the finding; the finder is told to check it."""
    if not note.strip():
        raise ValidationError({"remediation_note": _("Say what the body did.")})

    def apply(finding: MonitoringFinding) -> None:
        finding.remediation_note = note.strip()
        finding.remediated_at = timezone.now()
        finding.remediated_by = by

    return transition(
        FINDING_WORKFLOW,
        finding,
        F.REMEDIATED,
        by=by,
        note=note.strip(),
        refusal=_("Only a finding awaiting remediation can be remediated; this one is %(state)s."),
        apply=apply,
    ).obj


def _not_finder() -> Exception:
    return ValidationError(
        _("Only the office that recorded this finding (or one above it) can close or reopen it."),
        code="not_finder",
    )


@transaction.atomic
def finding_close(*, finding: MonitoringFinding, by: Any, note: str = "") -> Any:
    """The finder accepts the remediation (or drops the finding) and closes it."""

    def apply(finding: MonitoringFinding) -> None:
        finding.closing_note = note.strip()
        finding.closed_at = timezone.now()

    return transition(
        FINDING_WORKFLOW,
        finding,
        F.CLOSED,
        by=by,
        note=note,
        refusal=_("This finding is already %(state)s."),
        apply=apply,
    ).obj


@transaction.atomic
def finding_reopen(*, finding: MonitoringFinding, by: Any, note: str) -> Any:
    """The remediation falls short: the finding goes back to the body, with the reason."""
    if not note.strip():
        raise ValidationError({"note": _("Say what is still missing.")})

    def apply(finding: MonitoringFinding) -> None:
        finding.closing_note = note.strip()

    return transition(
        FINDING_WORKFLOW,
        finding,
        F.OPEN,
        by=by,
        note=note.strip(),
        refusal=_(
            "Only a finding with a reported remediation can be reopened; this one is %(state)s."
        ),
        apply=apply,
    ).obj


# --- The workflow -------------------------------------------------------------------------------


def _save(finding: MonitoringFinding, by: User | None) -> None:
    record_by(finding, by)
    finding.save()


def _record(finding: MonitoringFinding, from_state: str, by: User | None, note: str) -> str:
    """A finding's step is its historical record, written by the save; the note is kept."""
    return note


def _notify(finding: MonitoringFinding, note: str) -> None:
    """The body is told of a closed or reopened finding, the finder of a remediation."""
    by = finding._history_user  # type: ignore[attr-defined]
    if finding.state == F.REMEDIATED:
        _tell(
            finding,
            _finders_of(finding),
            FINDING_REMEDIATED,
            event=f"remediated:{finding.history.latest().history_id}",
            note=finding.remediation_note,
            by=by,
        )
    elif finding.state == F.CLOSED:
        _tell(finding, _staff_of(finding.body), FINDING_CLOSED, event="closed", note=note, by=by)
    else:
        _tell(
            finding,
            _staff_of(finding.body),
            FINDING_REOPENED,
            event=f"reopened:{finding.history.latest().history_id}",
            note=note,
            by=by,
        )


def _may_decide(by: User | None, finding: MonitoringFinding) -> bool:
    return may_close(finding, by)


_REMEDIATE = Rule[MonitoringFinding](may=may_remediate)
_DECIDE = Rule[MonitoringFinding](may=_may_decide, refuse=_not_finder)

# open → remediated (the body) → closed (the finder's side), or back to open.
FINDING_WORKFLOW: Workflow[MonitoringFinding, str] = Workflow(
    name="finding",
    model=MonitoringFinding,
    transitions={
        F.OPEN: {F.REMEDIATED: _REMEDIATE, F.CLOSED: _DECIDE},
        F.REMEDIATED: {F.CLOSED: _DECIDE, F.OPEN: _DECIDE},
        F.CLOSED: {},
    },
    lock=_lock,
    refusal=lambda finding, to_state: ValidationError(
        _("This finding is already %(state)s.") % {"state": finding.get_state_display().lower()}
    ),
    save=_save,
    record=_record,
    notify=_notify,
)
