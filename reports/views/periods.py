"""A period: its deadlines and reports, and the build of its drafts with its progress."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reports import selectors, services
from reports.models import BuildRun, BuildState, ReportingPeriod
from reports.periods import deadlines_of_existing_levels, due_dates
from reports.periods_policy import required_kinds
from reports.views.common import PAGE_SIZE, S, _dress, _provinces_of, _state_counts, _today
from users.requests import AuthenticatedHttpRequest


@login_required
@require_GET
def period_detail(request: AuthenticatedHttpRequest, period_id: int) -> HttpResponse:
    """A period: its deadlines per level with how the user's units stand, its reports, and
    for those who may, the build of its drafts with its progress.

    Only the levels that exist in the period are listed (no "Cấp huyện" after 30/06/2025),
    with the due dates of the user's province where it set its own.
    """
    period = get_object_or_404(
        ReportingPeriod.objects.prefetch_related(
            Prefetch("deadlines", queryset=deadlines_of_existing_levels().order_by("due_on"))
        ),
        pk=period_id,
    )
    reports = selectors.reports_for(request.user).filter(period=period)
    by_level = {
        row["unit__level_id"]: row
        for row in reports.values("unit__level_id").annotate(
            total=Count("pk"),
            submitted=Count("pk", filter=Q(state__in=[S.SUBMITTED, S.ACCEPTED])),
            accepted=Count("pk", filter=Q(state=S.ACCEPTED)),
            returned=Count("pk", filter=Q(state=S.RETURNED)),
            late=Count("pk", filter=Q(submitted_late=True)),
        )
    }
    provinces = _provinces_of(request.user)
    # One province: its own dates and its choice; several or the whole country: the
    # national dates (each report below still shows its own).
    province_id = provinces[0] if len(provinces) == 1 else None
    due = due_dates([period.pk], province_ids=[province_id] if province_id else [])
    deadlines = list(period.deadlines.all())
    for deadline in deadlines:
        deadline.counts = by_level.get(deadline.level_id, {})  # type: ignore[attr-defined]
        deadline.due_on = (
            due.of_province(period.pk, province_id, deadline.level_id) or deadline.due_on
        )
    deadlines.sort(key=lambda deadline: (deadline.due_on, deadline.level.rank))
    required = period.kind in required_kinds([province_id])[province_id] if province_id else True
    rows = selectors.report_rows(reports).select_related("unit__parent")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    _dress(page.object_list)
    builder = selectors.can_build(request.user)
    run = period.build_runs.first() if builder else None
    today = _today()
    return render(
        request,
        "reports/period.html",
        {
            "period": period,
            "is_current": period.starts_on <= today <= period.ends_on,
            "deadlines": deadlines,
            "required": required,
            "counts": _state_counts(reports),
            "page": page,
            "can_build": builder,
            "run": run,
            "run_active": run is not None and run.state in (BuildState.QUEUED, BuildState.RUNNING),
        },
    )


@login_required
@require_POST
def build(request: AuthenticatedHttpRequest, period_id: int) -> HttpResponse:
    """Queue a (re)build of the period's drafts; one already waiting or running is reused."""
    if not selectors.can_build(request.user):
        raise Http404
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    under_way = BuildRun.objects.filter(
        period=period, state__in=[BuildState.QUEUED, BuildState.RUNNING]
    ).exists()
    services.build_start(period=period, by=request.user)
    if under_way:
        messages.info(request, _("A build of this period is already under way."))
    else:
        messages.success(request, _("The build was queued. Its progress is shown below."))
    return redirect("reports:period", period_id=period.pk)


@login_required
@require_GET
def build_status(request: AuthenticatedHttpRequest, run_id: int) -> JsonResponse:
    """A build's progress, polled every second by ``static/js/report-build.js``."""
    run = get_object_or_404(selectors.build_runs_for(request.user), pk=run_id)
    response = JsonResponse(
        {
            "state": run.state,
            "state_label": run.get_state_display(),
            "done": run.done,
            "total": run.total,
            "percent": run.percent,
            "error": run.error,
        }
    )
    response["Cache-Control"] = "no-store"
    return response
