"""Compliance reports up the chain: periods as data, unit reports and their frozen snapshots.

A ``UnitReport`` is one unit's report for one period. Its figures are not computed when it
is read: ``reports.build`` writes them as snapshot rows (one per body, one per page, one per
child unit) and as ``totals``, and rewrites them only while the report is a draft or has
been returned. From submission on, the rows are never touched again, so an accepted report
keeps the registry and the hierarchy as they were, whatever changes later.

The models live in one module per sub-domain and are all imported here, where Django and
the rest of the portal find them (``from reports.models import UnitReport``):

- ``periods``: the reporting periods, their deadlines, and each province's own calendar;
- ``unit_reports``: a unit's report, its declarations, and the steps of its workflow;
- ``rows``: the frozen snapshot (rows per body, page and unit below, the rolled-up
  totals) and the criterion each figure measures;
- ``jobs``: the builds of a period and the exports of a report;
- ``reminders``: the reminders sent, each once;
- ``reviews``: a unit's standing fake-page review.
"""

from __future__ import annotations

from reports.models.jobs import BuildRun, BuildState, ExportFormat, ExportJob, ExportState
from reports.models.periods import (
    DEFAULT_REQUIRED_KINDS,
    MAX_DAYS_AFTER_END,
    DeadlineRule,
    PeriodDeadline,
    PeriodKind,
    PeriodRequirement,
    ProvinceDeadlineRule,
    ProvincePeriodDeadline,
    ReportingPeriod,
)
from reports.models.reminders import ReportReminder
from reports.models.reviews import FakePageReview
from reports.models.rows import (
    FIGURE_CRITERIA,
    TOTAL_FIELDS,
    BodyFigures,
    ReportBodyRow,
    ReportChildRow,
    ReportPageRow,
    RolledUpTotals,
)
from reports.models.unit_reports import (
    BUILDABLE_STATES,
    DECLARATION_FIELDS,
    NARRATIVE_FIELDS,
    OPTIONAL_DECLARATIONS,
    ReportState,
    ReportStep,
    UnitReport,
)

__all__ = [
    "BUILDABLE_STATES",
    "DECLARATION_FIELDS",
    "DEFAULT_REQUIRED_KINDS",
    "FIGURE_CRITERIA",
    "MAX_DAYS_AFTER_END",
    "NARRATIVE_FIELDS",
    "OPTIONAL_DECLARATIONS",
    "TOTAL_FIELDS",
    "BodyFigures",
    "BuildRun",
    "BuildState",
    "DeadlineRule",
    "ExportFormat",
    "ExportJob",
    "ExportState",
    "FakePageReview",
    "PeriodDeadline",
    "PeriodKind",
    "PeriodRequirement",
    "ProvinceDeadlineRule",
    "ProvincePeriodDeadline",
    "ReportBodyRow",
    "ReportChildRow",
    "ReportPageRow",
    "ReportReminder",
    "ReportState",
    "ReportStep",
    "ReportingPeriod",
    "RolledUpTotals",
    "UnitReport",
]
