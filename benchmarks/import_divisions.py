"""Time the divisions importer: a cold import of each edition, then a re-run that changes nothing."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import connection, reset_queries


@dataclass(frozen=True)
class Figure:
    label: str
    seconds: float
    queries: int
    units_written: int


def _timed(label: str, edition: str) -> Figure:
    from django.conf import settings

    from units.importers import import_edition

    settings.DEBUG = True  # Count queries (the benchmark's own process only).
    reset_queries()
    started = time.perf_counter()
    result = import_edition(edition)
    seconds = time.perf_counter() - started
    queries = len(connection.queries)
    settings.DEBUG = False
    return Figure(label, seconds, queries, result.changed)


def run() -> list[Figure]:
    """Import into a throw-away database (never the configured one) and time each step."""
    from units.models import AdministrativeUnit

    figures = [
        _timed("three-tier, cold (empty database)", "three-tier"),
        _timed("three-tier, re-run (nothing changes)", "three-tier"),
        _timed("two-tier, cold (three-tier already there)", "two-tier"),
        _timed("two-tier, re-run (nothing changes)", "two-tier"),
    ]
    history = AdministrativeUnit.history.count()
    figures.append(
        Figure(
            f"(units in database: {AdministrativeUnit.objects.count()}, history rows: {history})",
            0,
            0,
            0,
        )
    )
    return figures
