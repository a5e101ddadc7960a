"""What writes the audit trail for reports: a receiver on the ``ReportStep`` rows.

The workflow is not edited to call the audit: each move already writes a step row inside
its service's transaction, and the receiver on that row writes the event. The event is
therefore part of the same transaction: if it cannot be written, the move is rolled back
with it. Connected once, from ``ReportsConfig.ready``.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from audit.models import AuditAction
from audit.services import cached, record, unit_path_of
from reports.models import ReportState, ReportStep

# (from state, to state) of a report's step → the event it is.
REPORT_MOVES: dict[tuple[str, str], str] = {
    (ReportState.DRAFT, ReportState.SUBMITTED): AuditAction.REPORT_SUBMIT,
    (ReportState.RETURNED, ReportState.SUBMITTED): AuditAction.REPORT_SUBMIT,
    (ReportState.SUBMITTED, ReportState.ACCEPTED): AuditAction.REPORT_ACCEPT,
    (ReportState.SUBMITTED, ReportState.RETURNED): AuditAction.REPORT_RETURN,
    (ReportState.ACCEPTED, ReportState.RETURNED): AuditAction.REPORT_REOPEN,
}


def on_report_step(sender: Any, instance: ReportStep, created: bool, **kwargs: Any) -> None:
    action = REPORT_MOVES.get((instance.from_state, instance.to_state))
    if not created or action is None:
        return
    report = instance.report
    unit = cached(report, "unit")
    path = unit.path if unit is not None else report.unit_path
    if not path:
        path = unit_path_of(report.unit_id)
    record(action=action, actor=instance.by, obj=report, unit_path=path, note=instance.note)


def connect() -> None:
    """Connect the receiver; called once from ``ReportsConfig.ready``."""
    post_save.connect(on_report_step, sender=ReportStep, dispatch_uid="audit.report_step")
