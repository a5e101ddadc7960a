"""What writes the audit trail for the page registry: a receiver on the ``PageReview`` rows.

An approval or a return already writes a review row inside its service's transaction; the
receiver on that row writes the event, in the same transaction: an approval without its
audit row cannot exist. Connected once, from ``AccountsRegistryConfig.ready``.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from accounts_registry.models import PageReview, PageState
from audit.models import AuditAction
from audit.services import body_unit_path, record

PAGE_MOVES: dict[tuple[str, str], str] = {
    (PageState.SUBMITTED, PageState.APPROVED): AuditAction.PAGE_APPROVE,
    (PageState.SUBMITTED, PageState.RETURNED): AuditAction.PAGE_RETURN,
}


def on_page_review(sender: Any, instance: PageReview, created: bool, **kwargs: Any) -> None:
    action = PAGE_MOVES.get((instance.from_state, instance.to_state))
    if not created or action is None:
        return
    page = instance.page
    record(
        action=action,
        actor=instance.by,
        obj=page,
        unit_path=body_unit_path(page.body_id),
        note=instance.note,
    )


def connect() -> None:
    """Connect the receiver; called once from ``AccountsRegistryConfig.ready``."""
    post_save.connect(on_page_review, sender=PageReview, dispatch_uid="audit.page_review")
