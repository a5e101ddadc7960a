"""``build_period``: the build of a period, by the SQL or the ORM engine, batch by batch;
and ``run_build``, the body of the Celery task behind a ``BuildRun``."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from reports import asof as registry_asof
from reports import build_sql
from reports.asof import AsOf
from reports.build import orm
from reports.build.common import (
    BATCH_SIZE,
    SQL_BATCH_SIZE,
    BuildResult,
    UnitTree,
    local_bounds,
    requiring_kind,
    units_of,
)
from reports.models import BUILDABLE_STATES, BuildRun, BuildState, ReportingPeriod, UnitReport

logger = logging.getLogger(__name__)


def build_period(
    period: ReportingPeriod,
    *,
    unit_ids: Iterable[int] | None = None,
    refresh: bool = True,
    run: BuildRun | None = None,
    now: datetime | None = None,
    batch_size: int | None = None,
    engine: str | None = None,
) -> BuildResult:
    """Create the period's missing reports and (re)build their rows.

    Without ``refresh`` only reports never built are built. ``unit_ids`` limits the build
    to some units (a submission refreshes its own report this way). With a ``run``, its
    progress is saved after every batch, outside the batch's transaction, so a UI polling
    it sees the count move.

    ``engine`` is ``"sql"`` (the build inside PostgreSQL, ``reports.build_sql``: the default
    there) or ``"orm"`` (the portable build of ``reports.build.orm``: the default
    elsewhere, such as the embedded SQLite). Both write the same rows and totals.
    """
    engine = engine or default_engine()
    if engine not in ("sql", "orm"):
        raise ValueError(f"unknown build engine {engine!r}")
    if engine == "sql" and connection.vendor != "postgresql":
        raise ValueError("the SQL build needs PostgreSQL")
    # Nobody watching the progress: the SQL build takes the period in one transaction.
    whole = engine == "sql" and run is None and batch_size is None
    batch_size = batch_size or (SQL_BATCH_SIZE if engine == "sql" else BATCH_SIZE)
    now = now or timezone.now()
    asof = registry_asof.as_of_for(period.ends_on, now=now)
    tree: UnitTree | None = None
    if asof is None:
        units = units_of(period, unit_ids)
    else:
        # The whole hierarchy as it was, once: each batch's children are read from it.
        every = registry_asof.units_at(period.ends_on, asof.moment)
        tree = UnitTree(every)
        chosen = set(unit_ids) if unit_ids is not None else None
        units = [unit for unit in every if chosen is None or unit["pk"] in chosen]
    # Only where the province asks for this kind of period; a unit's children share its
    # province, so the tree above needs no filtering.
    units = requiring_kind(period.kind, units)
    result = BuildResult(period_id=period.pk, units=len(units))
    if whole:
        batch_size = max(len(units), 1)
    # Every report exists before any is built, so each unit's child rows point at its
    # children's reports whichever batch they fall in: the first build equals the second.
    if engine == "sql":
        result.created = build_sql.create_missing(period, units, now=now)
    else:
        result.created = orm.create_missing(period, units, now=now)
    build_batch = _build_batch_sql if engine == "sql" else orm.build_batch
    if run is not None:
        BuildRun.objects.filter(pk=run.pk).update(total=len(units), done=0)
    for start in range(0, len(units), batch_size):
        batch = units[start : start + batch_size]
        with transaction.atomic():
            build_batch(
                period, batch, refresh=refresh, now=now, result=result, asof=asof, tree=tree
            )
        if run is not None:
            BuildRun.objects.filter(pk=run.pk).update(done=start + len(batch))
    return result


def default_engine() -> str:
    """The build inside the database on PostgreSQL, the ORM build elsewhere."""
    return "sql" if connection.vendor == "postgresql" else "orm"


def _build_batch_sql(
    period: ReportingPeriod,
    batch: list[dict[str, Any]],
    *,
    refresh: bool,
    now: datetime,
    result: BuildResult,
    asof: AsOf | None = None,
    tree: UnitTree | None = None,
) -> None:
    """A batch built inside PostgreSQL: lock its reports, then ``build_sql.build_rows``."""
    units = {unit["pk"]: unit for unit in batch}
    reports = list(
        UnitReport.objects.select_for_update()
        .filter(period=period, unit_id__in=list(units))
        .order_by("pk")
        .values_list("pk", "unit_id", "state", "built_at")
    )
    targets = [
        build_sql.Target(pk, unit_id, units[unit_id]["name"], units[unit_id]["path"])
        for pk, unit_id, state, built_at in reports
        if state in BUILDABLE_STATES and (refresh or built_at is None)
    ]
    result.frozen += sum(state not in BUILDABLE_STATES for _pk, _unit, state, _at in reports)
    if not targets:
        return
    starts, ends = local_bounds(period)
    children = None
    if asof is not None and tree is not None:
        children = [child for target in targets for child in tree.below.get(target.unit_id, [])]
    written = build_sql.build_rows(
        period,
        targets,
        now=now,
        starts=starts,
        ends=ends,
        asof_day=asof.day if asof is not None else None,
        children=children,
    )
    result.rebuilt += len(targets)
    result.body_rows += written.body_rows
    result.page_rows += written.page_rows
    result.child_rows += written.child_rows


def run_build(run_id: int) -> str:
    """Run a queued ``BuildRun`` (the Celery task's body); a finished run is not run again.

    A run found ``running`` is run again: its worker died, and the build is idempotent.
    """
    claimed = BuildRun.objects.filter(
        pk=run_id, state__in=[BuildState.QUEUED, BuildState.RUNNING]
    ).update(state=BuildState.RUNNING, started_at=timezone.now(), error="")
    if not claimed:
        return "skipped"
    run = BuildRun.objects.select_related("period").get(pk=run_id)
    try:
        build_period(run.period, refresh=run.refresh, run=run)
    except Exception as exc:
        logger.exception("Build run %s failed", run_id)
        BuildRun.objects.filter(pk=run_id).update(
            state=BuildState.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        return "failed"
    BuildRun.objects.filter(pk=run_id).update(state=BuildState.DONE, finished_at=timezone.now())
    return "done"
