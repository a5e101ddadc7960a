"""Queueing and delivering email: at most once per row, whatever runs twice."""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from notifications.models import EmailStatus, OutboundEmail

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


# Rows per INSERT: a reminder run over the whole country writes tens of thousands at once.
BULK_SIZE = 1000


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
