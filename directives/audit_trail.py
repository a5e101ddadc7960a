"""What writes the audit trail for directives: a receiver on their historical records.

Issuing a directive saves it, and the save writes a django-simple-history record in the
same transaction; the receiver on that record writes the event, so an issue without its
audit row cannot exist. Connected once, from ``DirectivesConfig.ready``.
"""

from __future__ import annotations

from typing import Any

from simple_history.signals import post_create_historical_record

from audit.models import AuditAction
from audit.services import body_unit_path, record
from directives.models import Directive, DirectiveState


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
        unit_path=body_unit_path(instance.issuer_id),
    )


def connect() -> None:
    """Connect the receiver; called once from ``DirectivesConfig.ready``."""
    post_create_historical_record.connect(
        on_directive_history,
        sender=Directive.history.model,
        dispatch_uid="audit.directive_issue",
    )
