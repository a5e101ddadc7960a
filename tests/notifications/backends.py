"""Email backends for the delivery tests: an SMTP server that fails on cue."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from typing import Any, ClassVar

from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FlakyBackend(LocmemBackend):
    """Fails the next ``failures_left`` sends like a dropped SMTP connection, then delivers."""

    failures_left: ClassVar[int] = 0

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if FlakyBackend.failures_left > 0:
            FlakyBackend.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(email_messages)


class BrokenBackend(LocmemBackend):
    """Fails with an error that no retry will fix."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> Any:
        raise ValueError("Header values may not contain linefeed or carriage return")
