"""The list of reports: one period's reports, with what waits for the user on top."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.text import fold
from reports import selectors
from reports.forms import ReportFilterForm
from reports.models import BUILDABLE_STATES, PeriodKind, ReportingPeriod, UnitReport
from reports.periods_policy import required_kinds
from reports.views.common import (
    CHIPS,
    PAGE_SIZE,
    QUEUE_SIZE,
    TODO_SIZE,
    S,
    _dress,
    _provinces_of,
    _state_counts,
    _today,
)
from users import scope
from users.models import User
from users.requests import AuthenticatedHttpRequest


def _periods(user: User) -> list[ReportingPeriod]:
    """Every period, newest first, with how many of its reports the user sees (one query)."""
    visible = selectors.reports_for(user).values("pk")
    today = _today()
    periods: list[ReportingPeriod] = list(
        ReportingPeriod.objects.annotate(
            visible=Count("reports", filter=Q(reports__in=visible))
        ).order_by("-starts_on", "kind")
    )
    for period in periods:
        period.is_current = period.starts_on <= today <= period.ends_on  # type: ignore[attr-defined]
    return periods


def _chosen(periods: list[ReportingPeriod], wanted: int | None) -> ReportingPeriod | None:
    """The period asked for; else the newest started one the user has reports in."""
    for period in periods:
        if period.pk == wanted:
            return period
    started = [period for period in periods if period.starts_on <= _today()]
    with_reports = [period for period in started if period.visible]  # type: ignore[attr-defined]
    candidates = with_reports or started or periods
    return candidates[0] if candidates else None


def _filtered(reports: QuerySet[UnitReport], *, q: str, state: str) -> QuerySet[UnitReport]:
    if state:
        reports = reports.filter(state=state)
    # Word by word on the folded name: "cam ngoc", "Cẩm Ngọc" and "ngoc cam" all match.
    for word in fold(q).split():
        reports = reports.filter(unit__search_name__contains=word)
    return reports


@login_required
@require_GET
def report_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The reports a user sees for one period, with what waits for them on top."""
    user = request.user
    form = ReportFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()  # the valid filters are kept, a bad one is ignored
        filters = form.cleaned_data
    periods = _periods(user)
    period = _chosen(periods, filters.get("period"))
    grants = scope.grants_for(user)

    queue = list(selectors.review_queue(user)[: QUEUE_SIZE + 1])
    todo: list[UnitReport] = []
    if not grants.is_admin:
        todo = list(
            selectors.preparable(user)
            .filter(state__in=BUILDABLE_STATES, period__starts_on__lte=_today())
            .select_related("unit", "unit__level", "period")
            .order_by("period__ends_on", "unit__path", "pk")[:TODO_SIZE]
        )
    page = None
    counts: dict[str, int] = {}
    if period is not None:
        reports = selectors.reports_for(user).filter(period=period)
        counts = _state_counts(reports)
        rows = selectors.report_rows(
            _filtered(reports, q=filters.get("q", ""), state=filters.get("state", ""))
        ).select_related("unit__parent")
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    # One query for the due dates of every report shown.
    _dress([*(page.object_list if page is not None else []), *queue, *todo])
    # A current period is offered even before its reports exist, if the user's province
    # requires its kind: a province that dropped monthly reports is not shown the month.
    provinces = _provinces_of(user)
    wanted = set().union(*required_kinds(provinces).values()) if provinces else set(PeriodKind)
    shown = [
        p
        for p in periods
        if p.visible or p == period or (p.is_current and p.kind in wanted)  # type: ignore[attr-defined]
    ]
    return render(
        request,
        "reports/list.html",
        {
            "form": form,
            "periods": periods,
            "period_chips": shown[:CHIPS],
            "older_periods": shown[CHIPS:],
            "period": period,
            "page": page,
            "counts": counts,
            "queue": queue[:QUEUE_SIZE],
            "queue_more": len(queue) > QUEUE_SIZE,
            "todo": todo,
            "filtered": bool(filters.get("q") or filters.get("state")),
            "states": S.choices,
        },
    )
