"""Building a period's reports: set-based, batched, idempotent.

``build_period`` has two ways of writing the same rows and totals:

- on PostgreSQL, the build inside the database (``reports.build_sql``): a fixed number of
  set-based statements (``INSERT … SELECT``, ``UPDATE … FROM (… GROUP BY …)``), the
  reports locked first, for the whole period in one transaction, or per batch of
  ``SQL_BATCH_SIZE`` units when a ``BuildRun`` watches the progress;
- elsewhere (the embedded SQLite), the portable ORM build (``reports.build.orm``).

A period that has ended is built from the registry as it stood at its end
(``reports.asof``): units with the name and parent they had then, bodies in the unit they
were in then, and the pages, contacts, rules and incidents as they were, read from their
history in a bounded number of queries per batch (steps 3-5 of the ORM build become about
fifteen; the SQL build computes the same states in SQL). A period not over yet is built from
the current registry, as above.

The package holds, in order of use:

- ``common``: what both builds share (batch sizes, the result, the period's bounds, the
  units to build, the hierarchy of a past period);
- ``orm``: the portable ORM build, one batch of units at a time;
- ``period``: ``build_period``, which picks the build and runs it batch by batch, and
  ``run_build``, the body of the Celery task behind a ``BuildRun``.
"""

from __future__ import annotations

# ``common`` first: ``reports.build_sql`` may import its names while this package loads.
from reports.build.common import (
    BATCH_SIZE,
    INSERT_BATCH_SIZE,
    SQL_BATCH_SIZE,
    BuildResult,
    UnitTree,
    empty_totals,
    local_bounds,
    requiring_kind,
    units_of,
)
from reports.build.period import build_period, default_engine, run_build

__all__ = [
    "BATCH_SIZE",
    "INSERT_BATCH_SIZE",
    "SQL_BATCH_SIZE",
    "BuildResult",
    "UnitTree",
    "build_period",
    "default_engine",
    "empty_totals",
    "local_bounds",
    "requiring_kind",
    "run_build",
    "units_of",
]
