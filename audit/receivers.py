"""What writes the audit trail: auth signals, axes' lockout, and the workflows' step rows.

The workflows (reports, the page registry, directives, incidents) are not edited to call
the audit: each already writes a step row (``ReportStep``, ``PageReview``, ``IncidentStep``,
a directive's historical record) inside its service's transaction, and a receiver on that
row writes the event. The event is therefore part of the same transaction: if it cannot be
written, the approval is rolled back with it, and an approval without its audit row cannot
exist. Logins are recorded in the request's own (autocommit) transaction.
"""

from __future__ import annotations

from typing import Any

from axes.helpers import get_failure_limit
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext
from simple_history.signals import post_create_historical_record

from accounts_registry.models import PageReview, PageState
from audit.models import AuditAction
from audit.services import record
from directives.models import Directive, DirectiveState
from incidents.models import IncidentState, IncidentStep
from reports.models import ReportState, ReportStep
from units.models import AdministrativeUnit, Body
from users.models import RoleAssignment

# (from state, to state) of a report's step → the event it is.
REPORT_MOVES: dict[tuple[str, str], str] = {
    (ReportState.DRAFT, ReportState.SUBMITTED): AuditAction.REPORT_SUBMIT,
    (ReportState.RETURNED, ReportState.SUBMITTED): AuditAction.REPORT_SUBMIT,
    (ReportState.SUBMITTED, ReportState.ACCEPTED): AuditAction.REPORT_ACCEPT,
    (ReportState.SUBMITTED, ReportState.RETURNED): AuditAction.REPORT_RETURN,
    (ReportState.ACCEPTED, ReportState.RETURNED): AuditAction.REPORT_REOPEN,
}
PAGE_MOVES: dict[tuple[str, str], str] = {
    (PageState.SUBMITTED, PageState.APPROVED): AuditAction.PAGE_APPROVE,
    (PageState.SUBMITTED, PageState.RETURNED): AuditAction.PAGE_RETURN,
}
# Incident moves that are decisions by an officer; reviewing and reporting are not.
INCIDENT_MOVES: dict[str, str] = {
    IncidentState.ESCALATED_TO_PROVINCE: AuditAction.INCIDENT_ESCALATE,
    IncidentState.RESOLVED: AuditAction.INCIDENT_RESOLVE,
    IncidentState.DISMISSED: AuditAction.INCIDENT_DISMISS,
}


def _body_unit_path(body_id: int | None) -> str:
    if body_id is None:
        return ""
    path = Body.objects.filter(pk=body_id).values_list("unit__path", flat=True).first()
    return path or ""


def _cached(obj: Any, name: str) -> Any:
    """A related object only if it is already loaded: the receivers add no query for it."""
    return obj._state.fields_cache.get(name)


# Logins, logouts, failures and lockouts.


def on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(action=AuditAction.LOGIN, actor=user, request=request)


def on_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(action=AuditAction.LOGOUT, actor=user, request=request)


def _failures_beyond_limit(request: Any) -> int | None:
    """How many failures past axes' limit this attempt is (0: the one that locked).

    axes counts the failed attempt before our receiver runs (its app comes first) and keeps
    counting while the lock lasts; None when axes did not count it (no request).
    """
    failures = getattr(request, "axes_failures_since_start", None) if request else None
    if failures is None:
        return None
    limit: int = get_failure_limit(request, getattr(request, "axes_credentials", None))
    return int(failures) - limit


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    # Django has already masked the password in ``credentials``; only the name is kept.
    username = str(credentials.get("username") or "")
    beyond = _failures_beyond_limit(request)
    refused = beyond is not None and beyond > 0
    note = gettext("Refused: the account was locked out.") if refused else ""
    # Never tie a failure to the account it names: anyone can type any name.
    record(
        action=AuditAction.LOGIN_FAILED,
        anonymous=True,
        username=username,
        request=request,
        note=note,
    )


def on_locked_out(
    sender: Any, request: Any = None, username: str | None = None, **kwargs: Any
) -> None:
    # axes sends the signal at the failure that locks, and again at each attempt made while
    # locked; only the first is a lockout (the others are failed logins, noted as refused).
    beyond = _failures_beyond_limit(request)
    if beyond is not None and beyond > 0:
        return
    record(action=AuditAction.LOCKOUT, anonymous=True, username=username or "", request=request)


# Approvals: receivers on the rows each workflow already writes.


def on_report_step(sender: Any, instance: ReportStep, created: bool, **kwargs: Any) -> None:
    action = REPORT_MOVES.get((instance.from_state, instance.to_state))
    if not created or action is None:
        return
    report = instance.report
    unit = _cached(report, "unit")
    unit_path = unit.path if unit is not None else report.unit_path
    if not unit_path:
        unit_path = (
            AdministrativeUnit.objects.filter(pk=report.unit_id)
            .values_list("path", flat=True)
            .first()
            or ""
        )
    record(action=action, actor=instance.by, obj=report, unit_path=unit_path, note=instance.note)


def on_page_review(sender: Any, instance: PageReview, created: bool, **kwargs: Any) -> None:
    action = PAGE_MOVES.get((instance.from_state, instance.to_state))
    if not created or action is None:
        return
    page = instance.page
    record(
        action=action,
        actor=instance.by,
        obj=page,
        unit_path=_body_unit_path(page.body_id),
        note=instance.note,
    )


def on_incident_step(sender: Any, instance: IncidentStep, created: bool, **kwargs: Any) -> None:
    action = INCIDENT_MOVES.get(instance.to_state)
    if not created or action is None or not instance.from_state:
        return
    incident = instance.incident
    record(
        action=action,
        actor=instance.by,
        obj=incident,
        unit_path=_body_unit_path(incident.body_id),
        note=instance.note,
    )


def on_directive_history(
    sender: Any, instance: Directive, history_instance: Any, history_user: Any, **kwargs: Any
) -> None:
    """A directive's historical record: the first one in the issued state is its issue."""
    if instance.state != DirectiveState.ISSUED:
        return
    issued_before = (
        sender.objects.filter(id=instance.pk, state=DirectiveState.ISSUED)
        .exclude(pk=history_instance.pk)
        .exists()
    )
    if issued_before:
        return
    record(
        action=AuditAction.DIRECTIVE_ISSUE,
        actor=history_user,
        obj=instance,
        unit_path=_body_unit_path(instance.issuer_id),
    )


# Role changes: who gained or lost a scope.


def _role_event(instance: RoleAssignment, action: str) -> None:
    if instance.unit_id is not None:
        unit_path = (
            AdministrativeUnit.objects.filter(pk=instance.unit_id)
            .values_list("path", flat=True)
            .first()
            or ""
        )
    else:
        unit_path = _body_unit_path(instance.body_id)
    record(
        action=action,
        obj=instance.user,
        unit_path=unit_path,
        note=instance.get_role_display(),
    )


def on_role_saved(sender: Any, instance: RoleAssignment, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        _role_event(instance, AuditAction.ROLE_GRANT)


def on_role_deleted(sender: Any, instance: RoleAssignment, **kwargs: Any) -> None:
    _role_event(instance, AuditAction.ROLE_REVOKE)


def connect() -> None:
    """Connect every receiver; called once from ``AuditConfig.ready``."""
    uid = "audit."
    user_logged_in.connect(on_logged_in, dispatch_uid=uid + "login")
    user_logged_out.connect(on_logged_out, dispatch_uid=uid + "logout")
    user_login_failed.connect(on_login_failed, dispatch_uid=uid + "login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid=uid + "lockout")
    post_save.connect(on_report_step, sender=ReportStep, dispatch_uid=uid + "report_step")
    post_save.connect(on_page_review, sender=PageReview, dispatch_uid=uid + "page_review")
    post_save.connect(on_incident_step, sender=IncidentStep, dispatch_uid=uid + "incident_step")
    post_create_historical_record.connect(
        on_directive_history,
        sender=Directive.history.model,
        dispatch_uid=uid + "directive_issue",
    )
    post_save.connect(on_role_saved, sender=RoleAssignment, dispatch_uid=uid + "role_saved")
    post_delete.connect(on_role_deleted, sender=RoleAssignment, dispatch_uid=uid + "role_deleted")
