"""The steps of a reminder schedule, shared by every sender of reminders (letters, reports).

A schedule is a few days around a due date (negative: before it); each step is sent once,
under a stable name, so that a retried or concurrent run finds it already claimed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings

DEFAULT_DAYS = (-3, 1, 7)


def reminder_days(setting: str) -> tuple[int, ...]:
    """The days of the schedule named by ``setting``, distinct and in order."""
    days = getattr(settings, setting, DEFAULT_DAYS)
    return tuple(sorted({int(day) for day in days}))


def step_name(day: int) -> str:
    """A step's stable name: "before-3d", "after-7d"."""
    return f"before-{-day}d" if day < 0 else f"after-{day}d"


def step_of(due: date, today: date, days: Iterable[int]) -> int | None:
    """The latest step whose day has come for a due date, or None before the first."""
    came = [day for day in days if due + timedelta(days=day) <= today]
    return max(came) if came else None
