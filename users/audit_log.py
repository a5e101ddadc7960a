"""Reading the audit trail, through the scoping module like every other read."""

from __future__ import annotations

from django.db.models import QuerySet

from audit.models import AuditEvent
from users import scope
from users.models import User


def events_for(user: User) -> QuerySet[AuditEvent]:
    """The events a user may read: all for administrators, their subtree's for officers.

    Officers see the approvals and role changes recorded under the units they review.
    Logins carry no unit path, which no subtree prefix matches, so only administrators see
    them; staff of a body see nothing.
    """
    return scope.restrict(
        user,
        AuditEvent.objects.select_related("actor"),
        unit_path="unit_path",
        action=scope.Action.REVIEW,
    )
