"""Report pages: the list and review queue, a period and its build, one report, filling it
in, the workflow's buttons, and a province's reporting calendar.

Every view fetches its report through ``reports.selectors`` (which asks ``users.scope``):
anything outside the user's reach is a 404, never data. Writes go through
``reports.services``; a ``ValidationError`` is shown on the form field it names (or on top
of the form), and a ``PermissionDenied`` from a service — the second lock, should the
selectors and the service ever disagree — is a 404 as well.

One module per page or group of pages: ``lists`` (the list), ``periods`` (a period and its
build), ``detail`` (one report), ``workflow`` (filling in, submitting, reviewing),
``reporting_calendar``; ``common`` holds what they share.
"""

from __future__ import annotations

from reports.views.detail import report_detail
from reports.views.lists import report_list
from reports.views.periods import build, build_status, period_detail
from reports.views.reporting_calendar import calendar
from reports.views.workflow import (
    report_accept,
    report_edit,
    report_reopen,
    report_return,
    report_submit,
)

__all__ = [
    "build",
    "build_status",
    "calendar",
    "period_detail",
    "report_accept",
    "report_detail",
    "report_edit",
    "report_list",
    "report_reopen",
    "report_return",
    "report_submit",
]
