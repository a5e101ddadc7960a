"""History written for a date other than now: for writers that enter today what took effect
earlier (a reorganisation entered in December 2026 that took effect on 01/07/2025, a demo
loading the registry of 2025), so that a past period built later (``reports.asof``) sees
each object as it stood then.

Time is half-open: the state at the end of a day is everything recorded *before* the first
instant of the next day (``effective_moment``); a change that takes effect on a day is dated
at that first instant, and the state it replaces at the instant just before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from simple_history.signals import pre_create_historical_record

# The instant just before a moment: where the state a change replaces is put on record.
JUST_BEFORE = timedelta(microseconds=1)


def effective_moment(day: date) -> datetime:
    """The first instant of ``day`` in the portal's time zone: when a change dated ``day``
    takes effect, and the end of the day before."""
    zone = timezone.get_current_timezone()
    return timezone.make_aware(datetime.combine(day, time.min), zone)


def keep_baseline(
    objects: QuerySet[Any], *, reason: str = "baseline", on: datetime | None = None
) -> int:
    """Record the present state of the objects that have no history yet, before a change.

    Rows written with ``bulk_create`` have no history; a bulk change written after this
    keeps their earlier state on record, so a past period built afterwards (``states_at``,
    rule 4) still sees them as they were. Call it in the changing transaction, just before
    the change; ``on`` dates the records (default: now), e.g. just before a change that takes
    effect on an earlier day. One INSERT per 1000 objects; returns how many were recorded.
    """
    model = objects.model
    history = model.history.all()
    missing = list(objects.exclude(pk__in=history.values("id")).order_by("pk"))
    if not missing:
        return 0
    # "~": the object existed before its records began; its creation is not on record.
    created = model.history.bulk_history_create(
        missing, batch_size=1000, update=True, default_change_reason=reason, default_date=on
    )
    return len(created)


@contextmanager
def recorded_on(moment: datetime) -> Iterator[None]:
    """Date every history record written in the block ``moment``, not now.

    For writers that enter today what took effect earlier: a reorganisation entered in
    December 2026 creating the committee of a commune that exists since 01/07/2025, a demo
    loading the registry of 2025. Their objects then exist in the periods they belong to.
    It acts on the whole process (a signal receiver): for commands, not for web requests.
    """

    def receiver(history_instance: Any, **kwargs: Any) -> None:
        history_instance.history_date = moment

    uid = f"portal.history.recorded_on.{id(receiver)}"
    pre_create_historical_record.connect(receiver, weak=False, dispatch_uid=uid)
    try:
        yield
    finally:
        pre_create_historical_record.disconnect(dispatch_uid=uid)


def record_by(obj: object, user: object) -> None:
    """Name who makes the change that ``obj``'s next save records in its history.

    django-simple-history reads the user from the instance's ``_history_user`` (its
    documented way to record a user outside a request); this sets it in one typed place.
    """
    setattr(obj, "_history_user", user)  # noqa: B010 - the attribute django-simple-history reads
