"""Queueing and delivering email: at most once per row, whatever runs twice."""

from __future__ import annotations

import enum
import hashlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from notifications.models import EmailStatus, Notification, OutboundEmail

logger = logging.getLogger(__name__)

# Five tries with exponential backoff (see the task) span at most a quarter of an hour: long
# enough to ride out an SMTP server restart, short enough that a reset link is still useful.
MAX_ATTEMPTS = 5


class DeliveryOutcome(enum.StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # another run claimed the row first, or it was already sent
    FAILED = "failed"


class DeliveryDeferred(Exception):
    """A transient failure: the row is queued again and the task retries later."""


def _enqueue(email_id: int) -> None:
    # Imported here because the task module imports this one.
    from notifications.tasks import deliver_email

    deliver_email.delay(email_id)


# Email ids per delivery message when many are queued at once (a reminder run, a digest):
# one publish per email was most of a national reminder run's time.
ENQUEUE_BATCH = 200


def _enqueue_batch(email_ids: Sequence[int]) -> None:
    """Hand the worker ``email_ids`` in messages of ``ENQUEUE_BATCH`` ids each."""
    from notifications.tasks import deliver_emails

    ids = list(email_ids)
    for start in range(0, len(ids), ENQUEUE_BATCH):
        deliver_emails.delay(ids[start : start + ENQUEUE_BATCH])


def _enqueue_after_commit(email_id: int) -> None:
    """Hand the email to the worker once the transaction commits. If the broker is down, the
    error is logged rather than failing the caller: the row stays queued, and
    enqueue_stale() sends it later.

    A named function, not a ``functools.partial``: Django logs a robust callback's failure
    with its ``__qualname__``, which a partial lacks (the log line itself would then fail,
    and with it the request, exactly when the broker is down).
    """

    def enqueue() -> None:
        _enqueue(email_id)

    transaction.on_commit(enqueue, robust=True)


def _enqueue_batch_after_commit(email_ids: Sequence[int]) -> None:
    """``_enqueue_after_commit`` for many emails: one callback, one message per batch.

    If the broker is down the error is logged (the callback is robust); the rows stay queued
    for ``enqueue_stale()``, exactly as for one email.
    """
    ids = list(email_ids)
    if not ids:
        return

    def enqueue_batch() -> None:
        _enqueue_batch(ids)

    transaction.on_commit(enqueue_batch, robust=True)


@transaction.atomic
def queue_email(
    *, to: str, subject: str, text: str, html: str = "", dedupe_key: str | None = None
) -> OutboundEmail:
    """Store an email and enqueue its delivery once the transaction commits.

    With a ``dedupe_key`` that was used before, nothing new is queued: the earlier row is
    returned, whatever state it is in.
    """
    if dedupe_key is not None:
        existing = OutboundEmail.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    email = OutboundEmail(
        to=to,
        # A line break in a subject is a header injection; Django would refuse to send it.
        subject=" ".join(subject.splitlines()).strip(),
        text_body=text,
        html_body=html,
        dedupe_key=dedupe_key,
    )
    # Uniqueness of the key is left to the database, which is the only race-free judge.
    email.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            email.save()
    except IntegrityError:
        if dedupe_key is None:
            raise
        return OutboundEmail.objects.get(dedupe_key=dedupe_key)
    # The worker must not look for the row before it is committed.
    _enqueue_after_commit(email.pk)
    return email


def deliver_batch(email_ids: Iterable[int]) -> dict[str, int]:
    """Deliver each of ``email_ids`` (``deliver``); returns how many ended each way.

    An email whose delivery failed for a transient reason goes back to the one-email task,
    which retries it with backoff; an email that can never be sent is recorded as failed
    and the others still go. Each email is claimed on its own, so a batch delivered twice
    (a redelivered message, the sweep) sends every email once.
    """
    from notifications.tasks import deliver_email

    outcomes: dict[str, int] = {}
    for email_id in email_ids:
        try:
            outcome = str(deliver(email_id))
        except DeliveryDeferred:
            deliver_email.apply_async((email_id,), countdown=RETRY_AFTER_SECONDS)
            outcome = "deferred"
        except Exception:
            # Recorded on the row by ``deliver``: will not get better by trying again.
            logger.exception("Email %s could not be sent", email_id)
            outcome = str(DeliveryOutcome.FAILED)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


# The first retry of an email from a batch, as the one-email task's first backoff.
RETRY_AFTER_SECONDS = 60


def deliver(email_id: int) -> DeliveryOutcome:
    """Send one queued email, unless another run has claimed it already.

    Raises ``DeliveryDeferred`` after a transient failure with tries left; the row is then
    back in ``queued`` for the retry to claim.
    """
    # The claim is one conditional UPDATE: of two concurrent runs, exactly one sees a row.
    claimed = OutboundEmail.objects.filter(pk=email_id, status=EmailStatus.QUEUED).update(
        status=EmailStatus.SENDING, attempts=F("attempts") + 1
    )
    if not claimed:
        return DeliveryOutcome.SKIPPED
    email = OutboundEmail.objects.get(pk=email_id)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    try:
        message.send()
    except OSError as exc:
        # SMTP errors, refused connections and timeouts are all OSError: worth another try.
        retry = email.attempts < MAX_ATTEMPTS
        _record_failure(email, exc, status=EmailStatus.QUEUED if retry else EmailStatus.FAILED)
        if retry:
            raise DeliveryDeferred(str(exc)) from exc
        logger.error("Email %s failed after %s attempts: %s", email.pk, email.attempts, exc)
        return DeliveryOutcome.FAILED
    except Exception as exc:
        # Anything else (a malformed header, say) will not get better by trying again.
        _record_failure(email, exc, status=EmailStatus.FAILED)
        raise
    OutboundEmail.objects.filter(pk=email.pk, status=EmailStatus.SENDING).update(
        status=EmailStatus.SENT, sent_at=timezone.now()
    )
    return DeliveryOutcome.SENT


def _record_failure(email: OutboundEmail, exc: BaseException, *, status: EmailStatus) -> None:
    OutboundEmail.objects.filter(pk=email.pk, status=EmailStatus.SENDING).update(
        status=status, last_error=f"{type(exc).__name__}: {exc}"[:2000]
    )


@transaction.atomic
def requeue(*, email_ids: Iterable[int]) -> int:
    """Queue failed emails again (after the mail server is fixed); returns how many."""
    ids = list(
        OutboundEmail.objects.select_for_update()
        .filter(pk__in=list(email_ids), status=EmailStatus.FAILED)
        .values_list("pk", flat=True)
    )
    OutboundEmail.objects.filter(pk__in=ids).update(status=EmailStatus.QUEUED, attempts=0)
    _enqueue_batch_after_commit(ids)
    return len(ids)


# Long enough for any healthy worker to have picked up the first message.
STALE_AFTER = timedelta(minutes=10)


def enqueue_stale(*, older_than: timedelta = STALE_AFTER) -> int:
    """Enqueue again the emails whose first delivery message was lost; returns how many.

    Only rows never attempted are taken: a row that failed once is waiting for its retry,
    which Celery already holds. Enqueueing a row twice is harmless: delivery claims it once.
    The ids go in batches (``ENQUEUE_BATCH`` per message), as ``queue_emails`` sends them.
    """
    ids = list(
        OutboundEmail.objects.filter(
            status=EmailStatus.QUEUED,
            attempts=0,
            created_at__lt=timezone.now() - older_than,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    _enqueue_batch(ids)
    return len(ids)


# --- Notices to users: in the portal always, by email if they want it ------------------------

# Rows per INSERT: a reminder run over the whole country writes tens of thousands at once.
BULK_SIZE = 1000


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


def base_url() -> str:
    """The portal's public address (``PORTAL_BASE_URL``), without a trailing slash.

    Every link in an email is built from it, never from a request's host: an email is often
    written by a worker with no request, and a forged Host header must not reach anyone.
    """
    return str(settings.PORTAL_BASE_URL).rstrip("/")


def absolute_url(path: str) -> str:
    """A portal path as a link that works from an email."""
    return f"{base_url()}{path}"


# How every email names the portal in its signature.
PORTAL_NAME = _("Official social media pages portal")


def email_text(*, name: str, body: str, link: str = "", note: str = "", sender: str = "") -> str:
    """An email's text: "Kính gửi <name>,", the message, the officer's note, the link, and a
    signature naming the sending unit and the portal. Written in Vietnamese, as notices are.

    ``link`` is a portal path or an absolute address; it is left out when ``body`` already
    holds it (callers that wrote their own text with the link).
    """
    address = absolute_url(link) if link.startswith("/") else link
    with override("vi"):
        text = render_to_string(
            "notifications/email/notice.txt",
            {
                "name": name.strip(),
                "body": body.strip(),
                "note": note.strip(),
                "link": "" if address and address in body else address,
                "sender": sender.strip(),
                "portal_name": PORTAL_NAME,
                "base_url": base_url(),
                "settings_url": absolute_url(reverse("notification_settings")),
            },
        )
    return text.rstrip() + "\n"


@dataclass(frozen=True)
class Email:
    """One email to queue; ``dedupe_key`` makes queueing it twice a no-op."""

    to: str
    subject: str
    text: str
    dedupe_key: str
    html: str = ""


@transaction.atomic
def queue_emails(emails: Iterable[Email]) -> list[int]:
    """``queue_email`` for many at once, in a fixed number of queries; returns the new ids.

    Keys already queued are skipped; of two concurrent calls with the same key the unique
    index keeps one row (``ON CONFLICT DO NOTHING``), and enqueueing its id twice is harmless
    because delivery claims a row once. An address that is not valid is logged and skipped
    rather than failing everyone else's email. Delivery is enqueued on commit in batches of
    ``ENQUEUE_BATCH`` ids per message (``deliver_emails``), not one message per email.
    """
    by_key: dict[str, Email] = {}
    for email in emails:
        by_key.setdefault(email.dedupe_key, email)
    if not by_key:
        return []
    existing = set(
        OutboundEmail.objects.filter(dedupe_key__in=list(by_key)).values_list(
            "dedupe_key", flat=True
        )
    )
    rows = []
    for key, email in by_key.items():
        if key in existing:
            continue
        row = OutboundEmail(
            to=email.to,
            # One line, and no longer than the column: a long title must not lose the email.
            subject=" ".join(email.subject.splitlines()).strip()[:255],
            text_body=email.text,
            html_body=email.html,
            dedupe_key=key,
        )
        try:
            row.full_clean(validate_unique=False)
        except ValidationError as exc:
            logger.warning("Email %s not queued: %s", key, exc)
            continue
        rows.append(row)
    if not rows:
        return []
    OutboundEmail.objects.bulk_create(rows, ignore_conflicts=True, batch_size=BULK_SIZE)
    ids = list(
        OutboundEmail.objects.filter(
            dedupe_key__in=[row.dedupe_key for row in rows],
            status=EmailStatus.QUEUED,
            attempts=0,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    _enqueue_batch_after_commit(ids)
    return ids


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


def sender_name(user: Any, *, path: str = "") -> str:
    """Who sends an email about ``user``'s action: "<name> (<unit or body>)".

    The unit is the deepest one of the user's officer roles in force at or above ``path``
    (the unit whose office acted), else the body of their staff role, else none. One query.
    """
    if user is None or not getattr(user, "pk", None):
        return ""
    from users import scope
    from users.models import Role, RoleAssignment

    name = getattr(user, "full_name", "") or getattr(user, "username", "")
    rows = RoleAssignment.objects.filter(
        scope.assignment_in_force_q(scope.acting_day()), user_id=user.pk
    ).values_list("role", "unit__path", "unit__name", "body__name")
    officer: tuple[int, str] | None = None
    body = ""
    for role, unit_path, unit_name, body_name in rows:
        if role in scope.OFFICER_ROLES and unit_path and path.startswith(unit_path):
            depth = unit_path.count(".")
            if officer is None or depth > officer[0]:
                officer = (depth, unit_name)
        elif role == Role.BODY_STAFF and body_name and not body:
            body = body_name
    acting_for = officer[1] if officer is not None else body
    return f"{name} ({acting_for})" if name and acting_for else name or acting_for


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
