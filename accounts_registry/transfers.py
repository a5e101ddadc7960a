"""Moving official pages from one body to another, keeping their history.

A page keeps its identity, address, state and workflow when it changes hands (a body merged
into another, a page registered under the wrong body): only ``body`` changes. Each transfer
leaves a historical record of the page (django-simple-history, with the reason), moves the
page's own contact person along, and writes a ``PageReview`` step in the page's workflow
(same state before and after, the note saying from which body to which), which is what the
page's history screen and the audit trail read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts_registry.models import ContactPerson, PageReview, PageState, SocialPage
from accounts_registry.verify_cache import bump_registry_version
from units.models import Body


def transfer_note(*, from_body: Body | str, to_body: Body | str, reason: str) -> str:
    """The workflow note of a transfer, in the portal's language (Vietnamese first)."""
    note = _("Transferred from %(from)s to %(to)s.") % {"from": from_body, "to": to_body}
    return f"{note} {reason.strip()}".strip()


@transaction.atomic
def page_transfer(*, page: SocialPage, to_body: Body, by: Any, reason: str) -> SocialPage:
    """Give ``page`` to ``to_body``; its history, workflow and page contact go with it."""
    page = SocialPage.objects.select_for_update().select_related("body").get(pk=page.pk)
    to_body = Body.objects.get(pk=to_body.pk)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the page changes body.")})
    if to_body.pk == page.body_id:
        raise ValidationError({"to_body": _("The page already belongs to this body.")})
    if to_body.archived_at is not None:
        raise ValidationError({"to_body": _("A page cannot be given to an archived body.")})
    pages_transfer(pages=[page], to_bodies={page.pk: to_body}, by=by, reason=reason)
    page.refresh_from_db()
    return page


def pages_transfer(
    *,
    pages: Sequence[SocialPage],
    to_bodies: dict[int, Body],
    by: Any,
    reason: str,
    on: datetime | None = None,
) -> int:
    """Move many pages at once (a reorganisation): one UPDATE per receiving body.

    ``pages`` are loaded rows (with ``body``); ``to_bodies`` maps each page's pk to its new
    body. History rows and workflow steps are written in bulk, so moving 20,000 pages is a
    few statements, not 60,000. ``on`` dates the history records when the move took effect
    earlier than now (a reorganisation). The caller holds the transaction.
    """
    if not pages:
        return 0
    now = timezone.now()
    by_target: dict[int, list[int]] = defaultdict(list)
    steps: list[PageReview] = []
    for page in pages:
        target = to_bodies[page.pk]
        steps.append(
            PageReview(
                page=page,
                from_state=page.state,
                to_state=page.state,
                note=transfer_note(from_body=page.body, to_body=target, reason=reason),
                by=by,
                at=now,
            )
        )
        by_target[target.pk].append(page.pk)
        page.body = target
        page.updated_at = now
    # A page's own contact person belongs to the page's body: it follows the page, with history.
    contacts = list(
        ContactPerson.objects.filter(page_id__in=[page.pk for page in pages]).order_by("pk")
    )
    for target_pk, page_ids in by_target.items():
        SocialPage.objects.filter(pk__in=page_ids).update(body_id=target_pk, updated_at=now)
        ContactPerson.objects.filter(page_id__in=page_ids).exclude(body_id=target_pk).update(
            body_id=target_pk, updated_at=now
        )
    moved = []
    for contact in contacts:
        assert contact.page_id is not None  # filtered on page_id above
        target = to_bodies[contact.page_id]
        if contact.body_id != target.pk:
            contact.body_id, contact.updated_at = target.pk, now
            moved.append(contact)
    SocialPage.history.bulk_history_create(
        list(pages),
        update=True,
        default_user=by,
        default_change_reason=reason[:100],
        default_date=on,
    )
    if moved:
        ContactPerson.history.bulk_history_create(
            moved, update=True, default_user=by, default_change_reason=reason[:100], default_date=on
        )
    PageReview.objects.bulk_create(steps, batch_size=5000)
    # The UPDATE sent no signal: cached verdicts still name the old body.
    bump_registry_version()
    return len(pages)


def pages_archive(
    *, pages: Sequence[SocialPage], by: Any, reason: str, on: datetime | None = None
) -> int:
    """Take many pages out of the register (their body was archived), with history; ``on``
    is when that took effect, if earlier than now (a reorganisation)."""
    live = [page for page in pages if page.state != PageState.ARCHIVED]
    if not live:
        return 0
    now = timezone.now()
    archived_at = on or now
    steps = []
    for page in live:
        steps.append(
            PageReview(
                page=page,
                from_state=page.state,
                to_state=PageState.ARCHIVED,
                note=reason,
                by=by,
                at=now,
            )
        )
        page.state = PageState.ARCHIVED
        page.archived_at = archived_at
        page.updated_at = now
    SocialPage.objects.filter(pk__in=[page.pk for page in live]).update(
        state=PageState.ARCHIVED, archived_at=archived_at, updated_at=now
    )
    SocialPage.history.bulk_history_create(
        live, update=True, default_user=by, default_change_reason=reason[:100], default_date=on
    )
    PageReview.objects.bulk_create(steps, batch_size=5000)
    # The UPDATE sent no signal: cached verdicts would still say "official".
    bump_registry_version()
    return len(live)
