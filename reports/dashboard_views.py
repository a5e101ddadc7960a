"""The compliance dashboard page: one unit (or the user's whole scope) for one period.

The unit is fetched through ``users.scope.get_unit_or_404`` (outside the user's scope: 404,
never data); everything the page shows comes from ``reports.dashboard.build_dashboard``,
in a fixed number of queries.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from reports.dashboard import build_dashboard
from reports.dashboard.model import RATE_BAR_WIDTH, STACK_WIDTH
from reports.models import ReportingPeriod
from users import scope
from users.requests import AuthenticatedHttpRequest


def _period(raw: str) -> ReportingPeriod | None:
    """The period asked for; periods are the same for everyone, so no scope applies."""
    if not raw:
        return None
    try:
        return ReportingPeriod.objects.get(pk=raw)
    except (ReportingPeriod.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


@login_required
@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Completeness, timeliness, compliance by criterion, gaps and trends of a unit."""
    raw_unit = request.GET.get("unit", "")
    unit = scope.get_unit_or_404(request.user, raw_unit) if raw_unit else None
    data = build_dashboard(request.user, unit=unit, period=_period(request.GET.get("period", "")))
    return render(
        request,
        "reports/dashboard.html",
        {
            "dashboard": data,
            "stack_width": STACK_WIDTH,
            "rate_bar_width": RATE_BAR_WIDTH,
        },
    )
