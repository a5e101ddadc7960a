"""The outbox's receiver of ``users.signals.account_email``: emails about an account.

``users`` renders the email (the password reset link) and sends the signal, since it may not
import ``notifications``; this receiver puts the email in the outbox like any other: a stored
row, delivered by a Celery task after the commit, retried while the mail server is down.
Connected once, from ``NotificationsConfig.ready()``.
"""

from __future__ import annotations

from typing import Any

from notifications.services import queue_email
from users.signals import account_email

DISPATCH_UID = "notifications:account_email"


def queue_account_email(
    sender: Any, *, to: str, subject: str, text: str, html: str = "", **kwargs: Any
) -> None:
    """Queue the account's email; an error reaches the sender of the signal."""
    queue_email(to=to, subject=subject, text=text, html=html)


def connect() -> None:
    account_email.connect(queue_account_email, dispatch_uid=DISPATCH_UID)
