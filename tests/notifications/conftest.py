"""Fixtures of the notification tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.notifications.backends import FlakyBackend


@pytest.fixture
def flaky_smtp(settings: Any) -> Iterator[type[FlakyBackend]]:
    """An SMTP server that fails as many times as the test sets ``failures_left``."""
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    FlakyBackend.failures_left = 0
    yield FlakyBackend
    FlakyBackend.failures_left = 0


@pytest.fixture
def retries_in_process() -> Iterator[None]:
    """Let ``apply()`` run a task's retries in this process instead of raising the first."""
    from portal.celery_app import app

    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """Run enqueued tasks at once, in this process, instead of publishing them to Redis."""
    from portal.celery_app import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
