"""Notices to users and the email that carries them: at most once per row, whatever runs twice.

The package, along its seams: ``emails`` (queueing and delivering email, each claimed once),
``texts`` (what an email says: the notice's text, the sender's name) and ``notices`` (in-app
notices, their emails for users who want them, digests); callers import from here. The
portal's address and name, which every email uses, are ``portal.site``'s.
"""

from notifications.services.emails import (
    BULK_SIZE,
    ENQUEUE_BATCH,
    MAX_ATTEMPTS,
    RETRY_AFTER_SECONDS,
    STALE_AFTER,
    DeliveryDeferred,
    DeliveryOutcome,
    Email,
    deliver,
    deliver_batch,
    enqueue_stale,
    queue_email,
    queue_emails,
    requeue,
)
from notifications.services.notices import (
    Addressee,
    Notice,
    Recipient,
    digest,
    merge_notices,
    notify,
    send_notices,
    wants_email,
)
from notifications.services.texts import email_text, sender_name

__all__ = [
    "BULK_SIZE",
    "ENQUEUE_BATCH",
    "MAX_ATTEMPTS",
    "RETRY_AFTER_SECONDS",
    "STALE_AFTER",
    "Addressee",
    "DeliveryDeferred",
    "DeliveryOutcome",
    "Email",
    "Notice",
    "Recipient",
    "deliver",
    "deliver_batch",
    "digest",
    "email_text",
    "enqueue_stale",
    "merge_notices",
    "notify",
    "queue_email",
    "queue_emails",
    "requeue",
    "send_notices",
    "sender_name",
    "wants_email",
]
