"""The reorganisation of 01/07/2025 (or any conversion table) applied as one operation.

Input: a database holding the three-tier registry (provinces, districts, communes in force
until 30/06/2025, with their bodies, pages, contacts, rules and users), the official
conversion table old commune → new commune(s), and the two-tier edition whose codes the table
uses. ``build_plan`` reads all of it and decides, without writing, what happens to every unit
and body; ``run`` applies it in one transaction. See ``docs/reorganisation.md``.

Defaults (every one can be overridden per commune or per body by a decisions file):

* **Units.** The two-tier units are imported (``valid_from`` = the effective date, codes
  reconciled by ``units.reconcile``). Every old province, district and commune is closed the
  day before (``valid_until``). An old commune merged whole gets ``succeeded_by`` = its new
  commune; an old province gets the new province its communes went to; a district is
  dissolved (no successor); a split commune (``partly``) gets none.
* **Bodies of a commune merged whole** move to the new commune, except its People's
  Committee and People's Council: one body of each kind per commune, so they *merge* into
  one survivor (the new commune's own if it has one; else the one of the old commune whose
  name the new commune carries; else the one with most pages, then the smallest old code).
  The survivor is renamed after the new commune; the others are archived with
  ``merged_into`` = the survivor, and their pages, contact persons and rules go to it.
* **Bodies of a split or unmatched commune** are not guessed: the plan lists them as needing
  a choice, and ``run`` refuses to apply until the decisions give a target for each commune.
* **Bodies of a district** are archived (the People's Committee and Council, the offices,
  the party and mass organisations of the district ceased with it), except public service
  units, press agencies and state enterprises (district hospitals and health centres, high
  schools, the district radio), which move to the new province.
* **Bodies of a province** move to the new province; People's Committees and Councils of
  merged provinces merge into one, as for communes.
* **Users.** Staff of a merged body are moved to the survivor; officers of an old province or
  of a commune merged whole are moved to its successor; the others (officers of districts,
  of split communes; staff of archived bodies) are flagged in the report, left as they are.
* **Reports** are never touched: a report stays on the unit it was made for.
"""

from __future__ import annotations

import gzip
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from reorganisation.apply import _apply
from reorganisation.build import build_plan
from reorganisation.decisions import Decisions, read_decisions
from reorganisation.plan import Plan
from reorganisation.report import _report_rows, _summary, decisions_template, report_csv
from reorganisation.table import (
    CONVERSION_TABLES,
    ConversionSpec,
    ConversionTable,
    ReorganisationError,
    read_table,
)
from units.importers import Edition, edition, import_divisions
from units.models import PlanStatus, ReorganisationPlan

if TYPE_CHECKING:
    from users.models import User

__all__ = [
    "CONVERSION_TABLES",
    "ConversionSpec",
    "ConversionTable",
    "Decisions",
    "Outcome",
    "Plan",
    "ReorganisationError",
    "build_plan",
    "decisions_template",
    "load",
    "read_decisions",
    "read_table",
    "report_csv",
    "run",
]


@dataclass
class Outcome:
    plan: Plan
    applied: bool
    summary: dict[str, int]
    report_rows: list[list[str]]
    seconds: float = 0.0
    refused: str = ""  # why applying was refused (choices missing, bad decisions)


def run(
    *,
    table: ConversionTable,
    edition_spec: Edition,
    decisions: Decisions | None = None,
    dry_run: bool,
    by: User | None = None,
    plan_row: ReorganisationPlan | None = None,
    table_name: str = "",
) -> tuple[Outcome, ReorganisationPlan | None]:
    """Import the edition, build the plan, and apply it (or, in a dry run, roll back).

    A dry run stores a draft ``ReorganisationPlan`` (summary, communes needing a choice,
    unmatched rows, the report); applying stores it as applied, in the same transaction as
    the changes. Applying refuses (storing the draft) while
    communes need a choice or decisions name unknown codes (``outcome.refused`` says why).
    When there is nothing left to
    do (a second run), nothing is written at all and no plan is returned.
    """
    started = time.perf_counter()
    decisions = decisions or Decisions()
    with transaction.atomic():
        imported = import_divisions(
            path=edition_spec.path,
            valid_from=edition_spec.valid_from,
            valid_until=edition_spec.valid_until,
            levels=edition_spec.levels,
            unit_type_from=edition_spec.unit_type_from,
            reconcile=True,
            by=by,
        )
        plan = build_plan(table=table, decisions=decisions)
        plan.import_result = imported
        rows = list(_report_rows(plan))
        outcome = Outcome(plan=plan, applied=False, summary=_summary(plan, rows), report_rows=rows)
        nothing_to_do = plan.is_empty and imported.changed == 0
        if dry_run or not plan.can_apply or nothing_to_do:
            transaction.set_rollback(True)
        else:
            plan_row = plan_row or ReorganisationPlan(
                table=table_name or table.source, effective_on=table.effective_on, created_by=by
            )
            plan_row.decisions = decisions.as_json()
            plan_row.full_clean(exclude=["report_csv_gz"])
            plan_row.save()
            _apply(plan, by=by, plan_row=plan_row, legal_basis=_legal_basis(table_name))
            outcome.applied = True
            outcome.seconds = time.perf_counter() - started
            _store(plan_row, outcome, status=PlanStatus.APPLIED, by=by)
    if outcome.applied:
        return outcome, plan_row
    outcome.seconds = time.perf_counter() - started
    if nothing_to_do and not dry_run:
        return outcome, None
    plan_row = plan_row or ReorganisationPlan(
        table=table_name or table.source, effective_on=table.effective_on, created_by=by
    )
    plan_row.decisions = decisions.as_json()
    _store(plan_row, outcome, status=PlanStatus.DRAFT, by=None)
    if not dry_run:
        outcome.refused = (
            f"Not applied: {len(plan.needs_choice)} old communes need a choice and "
            f"{len(plan.errors)} decisions are wrong (plan {plan_row.pk}, stored as a draft). "
            "Give a decisions file (see docs/reorganisation.md)."
        )
    return outcome, plan_row


def _legal_basis(table_name: str) -> str:
    spec = CONVERSION_TABLES.get(table_name)
    return spec.legal_basis if spec else ""


def _store(row: ReorganisationPlan, outcome: Outcome, *, status: str, by: User | None) -> None:
    row.status = status
    row.summary = outcome.summary
    row.needs_choice = outcome.plan.needs_choice
    row.unmatched = outcome.plan.unmatched
    row.report_csv_gz = gzip.compress(report_csv(outcome.report_rows).encode("utf-8"))
    row.seconds = round(outcome.seconds, 2)
    if status == PlanStatus.APPLIED:
        row.applied_at = timezone.now()
        row.applied_by = by
    row.full_clean(exclude=["report_csv_gz"])
    row.save()


def load(
    *,
    table_name: str = "conversion-2025-07",
    table_file: Path | None = None,
    edition_name: str = "",
) -> tuple[ConversionTable, Edition]:
    """The table and the edition to apply, by name (shipped) or from files."""
    spec = CONVERSION_TABLES.get(table_name)
    if table_file is None:
        if spec is None:
            raise ReorganisationError(
                f"Unknown table {table_name!r}; known: {', '.join(CONVERSION_TABLES)}."
            )
        table_file = spec.path
    table = read_table(table_file)
    if spec is not None and spec.edition_file is not None and not edition_name:
        return table, Edition(
            name=spec.edition,
            path=spec.edition_file,
            valid_from=table.effective_on,
            valid_until=None,
            levels=("province", "commune"),
            unit_type_from="division_type",
            reconcile=True,
        )
    return table, edition(edition_name or (spec.edition if spec else "two-tier-2026-09"))
