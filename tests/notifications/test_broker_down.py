"""An email queued while the broker is down is kept, and the writer's request goes on."""

from __future__ import annotations

from typing import Any

import pytest

from notifications import services
from notifications.models import EmailStatus, OutboundEmail
from notifications.services import emails


@pytest.mark.django_db
def test_an_email_queued_while_the_broker_is_down_waits_and_the_caller_goes_on(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    def broker_down(email_id: int) -> None:
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(emails, "_enqueue", broker_down)

    # When an email is queued and its transaction commits (the robust callback fails)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email = services.queue_email(to="hoa@camngoc.gov.vn", subject="Thử", text="Nội dung")

    # Then nothing reached the caller, and the email waits for enqueue_stale()
    assert len(callbacks) == 1
    assert OutboundEmail.objects.get(pk=email.pk).status == EmailStatus.QUEUED
