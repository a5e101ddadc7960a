"""Report pages: the list and review queue, a period and its build, one report, filling it
in, and the workflow's buttons.

Every view fetches its report through ``reports.selectors`` (which asks ``users.scope``):
anything outside the user's reach is a 404, never data. Writes go through
``reports.services``; a ``ValidationError`` is shown on the form field it names (or on top
of the form), and a ``PermissionDenied`` from a service — the second lock, should the
selectors and the service ever disagree — is a 404 as well.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from legal.models import ComplianceCriterion
from portal.text import fold
from reports import selectors, services
from reports.forms import NoteForm, ReportFilterForm, ReportForm, SubmitForm, verbose_name
from reports.models import (
    BUILDABLE_STATES,
    DECLARATION_FIELDS,
    FIGURE_CRITERIA,
    BuildRun,
    BuildState,
    ReportingPeriod,
    ReportState,
    RolledUpTotals,
    UnitReport,
)
from reports.periods import due_on
from units.models import AdministrativeUnit
from users import scope

PAGE_SIZE = 50
# Rows of a report's body and page tables per page: a province's own bodies run to hundreds.
ROWS_PAGE_SIZE = 50
QUEUE_SIZE = 20
TODO_SIZE = 10
# Periods offered as chips on the list; older ones fold away under "Older periods".
CHIPS = 12

S = ReportState

# Figures a ratio is read against: "2 of 3 approved pages are verified".
_DENOMINATORS = {
    "pages_approved": "pages_registered",
    "pages_verified": "pages_approved",
    "pages_needing_review": "pages_approved",
    "pages_with_responsible_unit": "pages_approved",
    "bodies_with_contact": "bodies",
    "bodies_contact_notified": "bodies",
    "bodies_with_rules": "bodies",
    "units_info_consistent": "units_reporting",
    "units_security_measures": "units_reporting",
}
# Totals shown as headline numbers rather than against a criterion.
_HEADLINE = ("bodies", "pages_registered", "units_reporting", "units_missing")
# Summed delays: shown as one mean, not as their sum and count.
_HOURS = ("hours_to_report_total", "hours_to_report_count")


# --- Helpers -------------------------------------------------------------------------------


def _label(name: str) -> str:
    return str(verbose_name(name))


def _apply_errors(form: Any, error: ValidationError) -> None:
    """Show a service's errors on the fields they name, else on top, naming the field."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        if name in form.fields:
            form.add_error(name, errors)
            continue
        for message in ValidationError(errors).messages:
            prefix = f"{_label(name)[:1].upper()}{_label(name)[1:]}: " if name != "__all__" else ""
            form.add_error(None, f"{prefix}{message}")


def _today() -> date:
    return timezone.localdate()


def _dress(reports: Iterable[UnitReport], due: dict[tuple[int, int], date]) -> None:
    """Give each report its due date (its unit's level) and whether it is overdue now."""
    today = _today()
    for report in reports:
        report.due_on = due.get((report.period_id, report.unit.level_id))  # type: ignore[attr-defined]
        report.overdue = (  # type: ignore[attr-defined]
            report.state in BUILDABLE_STATES
            and report.first_submitted_at is None
            and report.due_on is not None  # type: ignore[attr-defined]
            and today > report.due_on  # type: ignore[attr-defined]
        )


@dataclass(frozen=True)
class Pager:
    """One page of a report's rows, with links that keep the other tables' pages."""

    page: Page
    param: str
    anchor: str
    request: HttpRequest

    def _url(self, number: int) -> str:
        query = self.request.GET.copy()
        query[self.param] = str(number)
        return f"?{query.urlencode()}#{self.anchor}"

    @property
    def previous_url(self) -> str:
        return self._url(self.page.previous_page_number()) if self.page.has_previous() else ""

    @property
    def next_url(self) -> str:
        return self._url(self.page.next_page_number()) if self.page.has_next() else ""


def _pager(request: HttpRequest, rows: QuerySet[Any], param: str, anchor: str) -> Pager:
    page = Paginator(rows, ROWS_PAGE_SIZE).get_page(request.GET.get(param))
    return Pager(page=page, param=param, anchor=anchor, request=request)


# --- The list ----------------------------------------------------------------------------


def _periods(user: Any) -> list[ReportingPeriod]:
    """Every period, newest first, with how many of its reports the user sees (one query,
    plus two for the deadlines)."""
    visible = selectors.reports_for(user).values("pk")
    today = _today()
    periods: list[ReportingPeriod] = list(
        selectors.periods().annotate(visible=Count("reports", filter=Q(reports__in=visible)))
    )
    for period in periods:
        period.is_current = period.starts_on <= today <= period.ends_on  # type: ignore[attr-defined]
    return periods


def _due_dates(periods: Iterable[ReportingPeriod]) -> dict[tuple[int, int], date]:
    return {
        (deadline.period_id, deadline.level_id): deadline.due_on
        for period in periods
        for deadline in period.deadlines.all()
    }


def _chosen(periods: list[ReportingPeriod], wanted: int | None) -> ReportingPeriod | None:
    """The period asked for; else the newest started one the user has reports in."""
    for period in periods:
        if period.pk == wanted:
            return period
    started = [period for period in periods if period.starts_on <= _today()]
    with_reports = [period for period in started if period.visible]  # type: ignore[attr-defined]
    candidates = with_reports or started or periods
    return candidates[0] if candidates else None


def _state_counts(reports: QuerySet[UnitReport]) -> dict[str, int]:
    return reports.aggregate(
        total=Count("pk"),
        **{state: Count("pk", filter=Q(state=state)) for state in S.values},
        late=Count("pk", filter=Q(submitted_late=True)),
    )


def _filtered(reports: QuerySet[UnitReport], *, q: str, state: str) -> QuerySet[UnitReport]:
    if state:
        reports = reports.filter(state=state)
    # Word by word on the folded name: "cam ngoc", "Cẩm Ngọc" and "ngoc cam" all match.
    for word in fold(q).split():
        reports = reports.filter(unit__search_name__contains=word)
    return reports


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    """The reports a user sees for one period, with what waits for them on top."""
    user = request.user
    form = ReportFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()  # the valid filters are kept, a bad one is ignored
        filters = form.cleaned_data
    periods = _periods(user)
    due = _due_dates(periods)
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
        _dress(page.object_list, due)
    _dress(queue, due)
    _dress(todo, due)
    shown = [p for p in periods if p.visible or p.is_current or p == period]  # type: ignore[attr-defined]
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


# --- A period and its build ----------------------------------------------------------------


@login_required
@require_GET
def period_detail(request: HttpRequest, period_id: int) -> HttpResponse:
    """A period: its deadlines per level with how the user's units stand, its reports, and
    for those who may, the build of its drafts with its progress."""
    period = get_object_or_404(selectors.periods(), pk=period_id)
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
    deadlines = list(period.deadlines.all())
    for deadline in deadlines:
        deadline.counts = by_level.get(deadline.level_id, {})  # type: ignore[attr-defined]
    rows = selectors.report_rows(reports).select_related("unit__parent")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    _dress(page.object_list, _due_dates([period]))
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
            "counts": _state_counts(reports),
            "page": page,
            "can_build": builder,
            "run": run,
            "run_active": run is not None and run.state in (BuildState.QUEUED, BuildState.RUNNING),
        },
    )


@login_required
@require_POST
def build(request: HttpRequest, period_id: int) -> HttpResponse:
    """Queue a (re)build of the period's drafts; one already waiting or running is reused."""
    if not selectors.can_build(request.user):
        raise Http404
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    under_way = BuildRun.objects.filter(
        period=period, state__in=[BuildState.QUEUED, BuildState.RUNNING]
    ).exists()
    services.build_start(period=period, by=request.user)  # type: ignore[arg-type]
    if under_way:
        messages.info(request, _("A build of this period is already under way."))
    else:
        messages.success(request, _("The build was queued. Its progress is shown below."))
    return redirect("reports:period", period_id=period.pk)


@login_required
@require_GET
def build_status(request: HttpRequest, run_id: int) -> JsonResponse:
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


# --- One report --------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    name: str
    label: str
    value: Any
    of: Any = None  # the denominator, when the figure is a part of another


@dataclass
class CriterionFigures:
    ref: str
    criterion: ComplianceCriterion | None
    figures: list[Figure]


def _figures(report: UnitReport) -> tuple[list[Figure], list[CriterionFigures]]:
    """The report's totals: headline numbers, then the figures grouped by criterion."""
    totals = report.totals or {}
    labels = {field.name: str(field.verbose_name) for field in RolledUpTotals._meta.local_fields}
    headline = [Figure(name, labels[name], totals.get(name)) for name in _HEADLINE]
    groups: dict[str, CriterionFigures] = {}
    for name, label in labels.items():
        if name in _HEADLINE or name in _HOURS:
            continue
        ref = FIGURE_CRITERIA.get(name, "")
        of = totals.get(_DENOMINATORS[name]) if name in _DENOMINATORS else None
        group = groups.setdefault(ref, CriterionFigures(ref, None, []))
        group.figures.append(Figure(name, label, totals.get(name), of))
        if name == "incidents_resolved":
            count = totals.get("hours_to_report_count") or 0
            mean = round(totals.get("hours_to_report_total", 0) / count, 1) if count else None
            group.figures.append(
                Figure("hours_to_report_mean", _("mean hours from discovery to report"), mean)
            )
    criteria = {
        criterion.ref: criterion
        for criterion in ComplianceCriterion.objects.filter(ref__in=list(groups))
    }
    for group in groups.values():
        group.criterion = criteria.get(group.ref)
    ordered = sorted(
        groups.values(),
        key=lambda g: (g.criterion.order if g.criterion else 10_000, g.ref),
    )
    return headline, ordered


def _declarations(report: UnitReport) -> list[Figure]:
    return [Figure(name, _label(name), getattr(report, name)) for name in DECLARATION_FIELDS]


@login_required
@require_GET
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    """One report: its figures by criterion, the unit's declarations and narrative, the
    units below, the bodies and pages as built, its history, and what the user may do."""
    user = request.user
    report = selectors.get_report_or_404(user, report_id)
    preparer = selectors.can_prepare(user, report)
    reviewer = selectors.can_review(user, report)
    children = list(selectors.child_rows_of(report))
    child_ids = [row.child_report_id for row in children if row.child_report_id]
    reachable = (
        set(selectors.reports_for(user).filter(pk__in=child_ids).values_list("pk", flat=True))
        if child_ids
        else set()
    )
    for row in children:
        row.reachable = row.child_report_id in reachable  # type: ignore[attr-defined]
    due = due_on(report.period, report.unit.level_id)
    headline, criteria = _figures(report)
    editable = preparer and report.is_editable
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "due": due,
            "overdue": (
                report.is_editable
                and report.first_submitted_at is None
                and due is not None
                and _today() > due
            ),
            "headline": headline,
            "criteria": criteria,
            "declarations": _declarations(report),
            "missing": [_label(name) for name in report.missing_declarations()],
            "children": children,
            "children_summary": {
                "expected": sum(row.expected for row in children),
                "submitted": sum(row.submitted for row in children),
                "on_time": sum(row.on_time for row in children),
                "accepted": sum(row.accepted for row in children),
                "missing": sum(row.missing for row in children),
            },
            "bodies": _pager(request, selectors.body_rows_of(report), "bodies", "bodies"),
            "pages": _pager(request, selectors.page_rows_of(report), "pages", "pages"),
            "steps": list(selectors.steps_of(report)),
            "can_edit": editable,
            "can_submit": editable,
            "can_accept": reviewer and report.state == S.SUBMITTED,
            "can_return": reviewer and report.state == S.SUBMITTED,
            "can_reopen": reviewer and report.state == S.ACCEPTED,
            "return_form": NoteForm(auto_id="return_%s"),
            "accept_form": NoteForm(required=False, auto_id="accept_%s"),
        },
    )


def _posted(request: HttpRequest) -> Any:
    # A form posted empty (a confirmation button, nothing else) is still a bound form.
    return request.POST if request.method == "POST" else None


# The criteria each part of the fill-in form answers, shown beside its heading.
_FORM_GROUPS = {
    "declarations": ("info_consistent", "security_measures"),
    "impersonation": ("impersonation_scans",),
    "dissemination": ("dissemination_sessions",),
    "content": ("positive_posts", "comments_answered"),
}


def _form_criteria() -> dict[str, list[ComplianceCriterion]]:
    """For each part of the form, the criteria its fields measure (one query)."""
    refs = {
        group: [FIGURE_CRITERIA[name] for name in names] for group, names in _FORM_GROUPS.items()
    }
    found = {
        criterion.ref: criterion
        for criterion in ComplianceCriterion.objects.filter(
            ref__in=[ref for group in refs.values() for ref in group]
        )
    }
    return {
        group: [found[ref] for ref in group_refs if ref in found]
        for group, group_refs in refs.items()
    }


def _has_children(report: UnitReport) -> bool:
    return (
        AdministrativeUnit.objects.in_force_on(report.period.ends_on)
        .filter(parent_id=report.unit_id)
        .exists()
    )


@login_required
def report_edit(request: HttpRequest, report_id: int) -> HttpResponse:
    """Fill in the unit's declarations, counts and narrative (draft or returned only)."""
    report = selectors.get_preparable_or_404(request.user, report_id)
    if not report.is_editable:
        messages.error(request, _("Only a draft or returned report can be changed."))
        return redirect("reports:detail", report_id=report.pk)
    form = ReportForm(_posted(request), instance=report, has_children=_has_children(report))
    if request.method == "POST" and form.is_valid():
        try:
            services.report_update(report=report, by=request.user, **form.changes())  # type: ignore[arg-type]
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The report was saved."))
            if "then_submit" in request.POST:
                return redirect("reports:submit", report_id=report.pk)
            return redirect("reports:detail", report_id=report.pk)
    return render(
        request,
        "reports/edit.html",
        {
            "report": report,
            "form": form,
            "due": due_on(report.period, report.unit.level_id),
            "criteria": _form_criteria(),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def report_submit(request: HttpRequest, report_id: int) -> HttpResponse:
    """Ask, then send the report up: what is still missing is listed before the button."""
    report = selectors.get_preparable_or_404(request.user, report_id)
    if not report.is_editable:
        messages.info(request, _("This report has already been submitted."))
        return redirect("reports:detail", report_id=report.pk)
    missing_children = list(
        report.child_rows.filter(missing=True)
        .order_by("child_path")
        .values_list("child_name", flat=True)
    )
    has_children = bool(missing_children) or _has_children(report)
    form = SubmitForm(
        _posted(request),
        reason_shown=has_children,
        reason_required=bool(missing_children),
        initial={"missing_children_reason": report.missing_children_reason},
    )
    if request.method == "POST" and form.is_valid():
        try:
            reason = form.cleaned_data.get("missing_children_reason")
            if reason is not None and reason.strip() != report.missing_children_reason:
                report = services.report_update(
                    report=report,
                    by=request.user,  # type: ignore[arg-type]
                    missing_children_reason=reason,
                )
            report = services.report_submit(report=report, by=request.user)  # type: ignore[arg-type]
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            message = _("The report was submitted to the level above for review.")
            if report.submitted_late:
                message += " " + _("It was submitted after the due date.")
            messages.success(request, message)
            return redirect("reports:detail", report_id=report.pk)
    return render(
        request,
        "reports/submit.html",
        {
            "report": report,
            "form": form,
            "missing": [_label(name) for name in report.missing_declarations()],
            "missing_children": missing_children,
            "due": due_on(report.period, report.unit.level_id),
        },
        status=400 if request.method == "POST" else 200,
    )


@dataclass(frozen=True)
class ReviewAction:
    """One of the reviewer's moves: which state it starts from, its service, its words."""

    name: str
    from_state: str
    note_required: bool
    service: Callable[..., UnitReport]
    done: str


def _review_actions() -> dict[str, ReviewAction]:
    return {
        "accept": ReviewAction(
            "accept", S.SUBMITTED, False, services.report_accept, _("The report was accepted.")
        ),
        "return": ReviewAction(
            "return",
            S.SUBMITTED,
            True,
            services.report_return,
            _("The report was returned to its unit with your note."),
        ),
        "reopen": ReviewAction(
            "reopen",
            S.ACCEPTED,
            True,
            services.report_reopen,
            _("The report was reopened; its unit can correct it and submit it again."),
        ),
    }


def _review(request: HttpRequest, report_id: int, name: str) -> HttpResponse:
    action = _review_actions()[name]
    report = selectors.get_reviewable_or_404(request.user, report_id)
    if report.state != action.from_state:
        messages.info(request, _("This report is no longer waiting for this step."))
        return redirect("reports:detail", report_id=report.pk)
    form = NoteForm(_posted(request), required=action.note_required)
    if request.method == "POST" and form.is_valid():
        try:
            action.service(report=report, by=request.user, note=form.cleaned_data["note"])
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, action.done)
            return redirect("reports:detail", report_id=report.pk)
    return render(
        request,
        "reports/review.html",
        {
            "report": report,
            "form": form,
            "action": action.name,
            "due": due_on(report.period, report.unit.level_id),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def report_accept(request: HttpRequest, report_id: int) -> HttpResponse:
    """Accept a submitted report (an optional note): it is frozen from now on."""
    return _review(request, report_id, "accept")


@login_required
def report_return(request: HttpRequest, report_id: int) -> HttpResponse:
    """Return a submitted report to its unit, saying what to correct."""
    return _review(request, report_id, "return")


@login_required
def report_reopen(request: HttpRequest, report_id: int) -> HttpResponse:
    """Reopen an accepted report for correction, saying why."""
    return _review(request, report_id, "reopen")
