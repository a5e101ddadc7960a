"""What writes the audit trail for people: logins, logouts, failures, axes' lockouts, and
the roles granted and withdrawn.

Logins are recorded in the request's own (autocommit) transaction; a role change in the
transaction that saves or deletes the ``RoleAssignment``. Connected once, from
``UsersConfig.ready``.
"""

from __future__ import annotations

from typing import Any

from axes.helpers import get_failure_limit
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext

from audit.models import AuditAction
from audit.services import body_unit_path, record, unit_path_of
from users.models import RoleAssignment

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


# Role changes: who gained or lost a scope.


def _role_event(instance: RoleAssignment, action: str) -> None:
    if instance.unit_id is not None:
        path = unit_path_of(instance.unit_id)
    else:
        path = body_unit_path(instance.body_id)
    record(
        action=action,
        obj=instance.user,
        unit_path=path,
        note=instance.get_role_display(),
    )


def on_role_saved(sender: Any, instance: RoleAssignment, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        _role_event(instance, AuditAction.ROLE_GRANT)


def on_role_deleted(sender: Any, instance: RoleAssignment, **kwargs: Any) -> None:
    _role_event(instance, AuditAction.ROLE_REVOKE)


def connect() -> None:
    """Connect every receiver; called once from ``UsersConfig.ready``."""
    uid = "audit."
    user_logged_in.connect(on_logged_in, dispatch_uid=uid + "login")
    user_logged_out.connect(on_logged_out, dispatch_uid=uid + "logout")
    user_login_failed.connect(on_login_failed, dispatch_uid=uid + "login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid=uid + "lockout")
    post_save.connect(on_role_saved, sender=RoleAssignment, dispatch_uid=uid + "role_saved")
    post_delete.connect(on_role_deleted, sender=RoleAssignment, dispatch_uid=uid + "role_deleted")
