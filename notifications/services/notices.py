"""Notices to users: in the portal always, by email if they want it; merged into one per
user and group inside a ``digest()`` block."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import override

from notifications.models import Notification
from notifications.services.emails import BULK_SIZE, Email, queue_emails
from notifications.services.texts import email_text
from portal.site import absolute_url


class Addressee(Protocol):
    """What sending a notice needs of a user: a ``User``, or a ``Recipient`` read in bulk."""

    @property
    def pk(self) -> Any: ...

    @property
    def email(self) -> str: ...

    @property
    def email_notifications(self) -> bool: ...


@dataclass(frozen=True)
class Recipient:
    """A user as read with ``values_list`` alongside other data, without loading ``User``."""

    pk: int
    email: str = ""
    email_notifications: bool = True
    # The name the email is addressed to; read from the user when left empty.
    name: str = ""


def wants_email(user: Addressee) -> bool:
    """Whether notices to ``user`` also go by email: an address, and they did not opt out."""
    return bool(user.email) and bool(user.email_notifications)


@dataclass(frozen=True)
class Notice:
    """One in-app notice to one user, and its email (sent only if the user wants email).

    ``key`` is the notice's deduplication key, unique per event and user; the email uses the
    same key. Without a ``subject`` no email is sent. The email is ``email_text`` (else the
    notice's text), addressed to the user by name, with the officer's ``note`` where the
    action had one, the absolute link, and a signature naming ``sender`` (the unit or body
    that acted) and the portal.
    """

    user: Addressee
    text: str
    key: str
    link: str = ""
    subject: str = ""
    email_text: str = ""
    note: str = ""
    sender: str = ""
    # Inside ``digest()``, the notices of one ``group`` to one user are sent as one: its
    # text is ``group_text`` (a lazy ngettext taking ``%(count)d``), its link ``group_link``
    # (else the first notice's), its email lists every notice. Empty: always sent alone.
    group: str = ""
    group_text: Any = ""
    group_link: str = ""

    def email(self, name: str = "") -> Email:
        body = email_text(
            name=name or str(getattr(self.user, "name", "") or ""),
            body=self.email_text or self.text,
            link=self.link,
            note=self.note,
            sender=self.sender,
        )
        return Email(to=self.user.email, subject=self.subject, text=body, dedupe_key=self.key)


def _names(users: Iterable[Addressee]) -> dict[Any, str]:
    """How to address each user: the full name, else the username. One query at most."""
    from users.models import User

    names: dict[Any, str] = {}
    missing = []
    for user in users:
        known = getattr(user, "name", "") if isinstance(user, Recipient) else ""
        if isinstance(user, User):
            known = user.full_name or user.username
        if known:
            names[user.pk] = known
        else:
            missing.append(user.pk)
    if missing:
        for pk, full_name, username in User.objects.filter(pk__in=missing).values_list(
            "pk", "full_name", "username"
        ):
            names[pk] = full_name or username
    return names


# The notices held back by the innermost open ``digest()`` block of this thread, if any.
_pending: ContextVar[list[Notice] | None] = ContextVar("pending_notices", default=None)


@contextmanager
def digest() -> Iterator[None]:
    """Send the notices of the block at its end, one per user and group instead of many.

    An action that submits twenty pages at once must not send each reviewer twenty notices
    and twenty emails: inside the block, ``send_notices`` (and so ``notify``) only gathers;
    when the block ends without an error, the notices of one ``group`` to one user become
    one (``merge_notices``), and all are sent in the caller's transaction, the emails queued
    on commit as always. An error in the block sends nothing (the transaction's writes are
    rolled back with it). A block inside another joins the outer one.
    """
    if _pending.get() is not None:
        yield
        return
    pending: list[Notice] = []
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    send_notices(merge_notices(pending))


def _digest_key(items: Sequence[Notice]) -> str:
    """A key naming exactly this set of notices: the same set again (a retry) sends nothing."""
    digest_of = hashlib.sha256("\n".join(sorted(item.key for item in items)).encode()).hexdigest()
    return f"digest:{items[0].group[:60]}:{items[0].user.pk}:{digest_of[:32]}"


def _merged(items: Sequence[Notice]) -> Notice:
    """One notice standing for ``items`` (same user, same group), its email listing them."""
    first = items[0]
    with override("vi"):
        # Stored text, like every notice: in the portal's language, not the caller's.
        title = str(first.group_text % {"count": len(items)}) if first.group_text else first.text
        body = render_to_string(
            "notifications/email/digest.txt",
            {
                "title": title,
                "items": [
                    {
                        "text": item.text,
                        "note": item.note.strip(),
                        "link": absolute_url(item.link) if item.link.startswith("/") else item.link,
                    }
                    for item in items
                ],
            },
        )
    senders = {item.sender for item in items}
    return Notice(
        user=first.user,
        text=title,
        key=_digest_key(items),
        link=first.group_link or first.link,
        subject=f"[Cổng MXH] {title}" if any(item.subject for item in items) else "",
        email_text=body.strip(),
        # Each item's note is in the list; one signature only when one person acted.
        sender=senders.pop() if len(senders) == 1 else "",
    )


def merge_notices(notices: Sequence[Notice]) -> list[Notice]:
    """The notices to send for ``notices``: those of one group to one user merged into one.

    Notices already sent (their key is used: a retry after some were sent alone) are left
    out first, so a digest lists only news. One query.
    """
    by_key: dict[str, Notice] = {}
    for notice in notices:
        by_key.setdefault(notice.key, notice)
    sent = set(
        Notification.objects.filter(dedupe_key__in=list(by_key)).values_list(
            "dedupe_key", flat=True
        )
    )
    alone: list[Notice] = []
    groups: dict[tuple[Any, str], list[Notice]] = {}
    for key, notice in by_key.items():
        if key in sent:
            continue
        if notice.group:
            groups.setdefault((notice.user.pk, notice.group), []).append(notice)
        else:
            alone.append(notice)
    for items in groups.values():
        alone.append(items[0] if len(items) == 1 else _merged(items))
    return alone


@transaction.atomic
def send_notices(notices: Sequence[Notice]) -> int:
    """Create the notices not sent before and queue their emails; returns how many were new.

    Inside a ``digest()`` block the notices are only gathered (and their number returned):
    the block sends them at its end.

    The users' choice is honoured here, for every sender: the notice always appears in the
    portal, the email goes only to users with an address and ``email_notifications`` on. A
    key already used sends nothing (a retry, a second run); two concurrent runs are decided
    by the unique keys, so each notice and each email exists once. Five statements (and
    their savepoints) however many notices, up to ``BULK_SIZE`` per insert.
    """
    pending = _pending.get()
    if pending is not None:
        pending.extend(notices)
        return len(notices)
    by_key: dict[str, Notice] = {}
    for notice in notices:
        by_key.setdefault(notice.key, notice)
    if not by_key:
        return 0
    existing = set(
        Notification.objects.filter(dedupe_key__in=list(by_key)).values_list(
            "dedupe_key", flat=True
        )
    )
    fresh = [notice for key, notice in by_key.items() if key not in existing]
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=notice.user.pk,
                text=notice.text[:300],
                link=notice.link,
                dedupe_key=notice.key,
            )
            for notice in fresh
        ],
        ignore_conflicts=True,
        batch_size=BULK_SIZE,
    )
    emailed = [notice for notice in fresh if notice.subject and wants_email(notice.user)]
    names = _names(notice.user for notice in emailed)
    queue_emails(notice.email(names.get(notice.user.pk, "")) for notice in emailed)
    return len(fresh)


def notify(
    users: Iterable[Addressee],
    *,
    text: str,
    key: str,
    link: str = "",
    subject: str = "",
    email_text: str = "",
    note: str = "",
    sender: str = "",
    group: str = "",
    group_text: Any = "",
    group_link: str = "",
) -> int:
    """Tell each of ``users`` the same thing once: keys are ``f"{key}:{user.pk}"``.

    See ``send_notices``; returns how many notices were new. ``group`` and its texts say how
    many such notices to one user are merged inside ``digest()`` (see ``Notice``).
    """
    return send_notices(
        [
            Notice(
                user=user,
                text=text,
                key=f"{key}:{user.pk}",
                link=link,
                subject=subject,
                email_text=email_text,
                note=note,
                sender=sender,
                group=group,
                group_text=group_text,
                group_link=group_link,
            )
            for user in users
        ]
    )
