"""Figures the two builds (``reports.build`` and ``reports.build_sql``) compute alike."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any


def hours_of(value: Any) -> float:
    """A summed duration as hours, rounded to two decimals from its exact microseconds, half
    away from zero (a timedelta on PostgreSQL, microseconds on SQLite; None is 0).

    Exact, so the ORM build (``reports.build``) and the SQL one (``reports.build_sql``:
    ``round(extract(epoch …) / 3600, 2)``) agree on every value, halves included.
    """
    if not value:
        return 0.0
    if isinstance(value, timedelta):
        micros = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
    else:
        micros = int(value)
    hours = Decimal(micros) / Decimal(3_600_000_000)
    return float(hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
