"""Queueing and delivering email: at most once per row, whatever runs twice."""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from django.conf import settings
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
    # The worker must not look for the row before it is committed. If the broker is down,
    # the error is logged rather than failing the caller: the row stays queued, and
    # enqueue_stale() sends it later.
    transaction.on_commit(partial(_enqueue, email.pk), robust=True)
    return email


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
    for pk in ids:
        transaction.on_commit(partial(_enqueue, pk), robust=True)
    return len(ids)


# Long enough for any healthy worker to have picked up the first message.
STALE_AFTER = timedelta(minutes=10)


def enqueue_stale(*, older_than: timedelta = STALE_AFTER) -> int:
    """Enqueue again the emails whose first delivery message was lost; returns how many.

    Only rows never attempted are taken: a row that failed once is waiting for its retry,
    which Celery already holds. Enqueueing a row twice is harmless: delivery claims it once.
    """
    ids = list(
        OutboundEmail.objects.filter(
            status=EmailStatus.QUEUED,
            attempts=0,
            created_at__lt=timezone.now() - older_than,
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        _enqueue(pk)
    return len(ids)
