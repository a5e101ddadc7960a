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
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Left
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from legal.models import ComplianceCriterion
from portal.text import fold
from reports import selectors, selectors_reviews, services, services_periods
from reports.forms import (
    CalendarForm,
    NoteForm,
    ReportFilterForm,
    ReportForm,
    SubmitForm,
    verbose_name,
)
from reports.models import (
    BUILDABLE_STATES,
    DECLARATION_FIELDS,
    FIGURE_CRITERIA,
    BuildRun,
    BuildState,
    PeriodKind,
    ReportingPeriod,
    ReportState,
    RolledUpTotals,
    UnitReport,
)
from reports.periods import deadlines_of_existing_levels, due_dates, due_for
from reports.periods_policy import (
    ROOT_LENGTH,
    policy_history,
    policy_of,
    province_id_of,
    required_kinds,
)
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


def _dress(reports: Iterable[UnitReport]) -> None:
    """Give each report its due date (its unit's level, in its province) and whether it is
    overdue now (one query for all of them)."""
    reports = list(reports)
    today = _today()
    due = due_dates(
        {report.period_id for report in reports},
        province_ids={province_id_of(report.unit.path) for report in reports},
    )
    for report in reports:
        report.due_on = due.of(report.period_id, report.unit.level_id, report.unit.path)  # type: ignore[attr-defined]
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


# --- A period and its build ----------------------------------------------------------------


def _provinces_of(user: Any) -> list[int]:
    """The provinces the user's units lie in (one query; none listed for an administrator)."""
    if scope.grants_for(user).is_admin:
        return []
    roots = (
        scope.units(user)
        .annotate(root=Left("path", ROOT_LENGTH))
        .values_list("root", flat=True)
        .order_by()
        .distinct()
    )
    return sorted({province_id_of(root) for root in roots})


@login_required
@require_GET
def period_detail(request: HttpRequest, period_id: int) -> HttpResponse:
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
    due = due_for(report.period, report.unit)
    headline, criteria = _figures(report)
    editable = preparer and report.is_editable
    # The unit's own fake-page review of the period, live beside the declared (and, once
    # submitted, frozen) counts.
    review = selectors_reviews.review_of_report(user, report)
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
            "review": review,
            "review_differs": review is not None
            and (
                report.impersonation_scans,
                report.fake_pages_found,
                report.fake_pages_reported,
                report.fake_pages_taken_down,
            )
            != (
                review.scans_done,
                review.fake_pages_found,
                review.reported_to_platform,
                review.taken_down,
            ),
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
    form = ReportForm(
        _posted(request),
        instance=report,
        has_children=_has_children(report),
        # Empty counts are offered from the unit's fake-page review of the period.
        review=(
            selectors_reviews.review_of_report(request.user, report)
            if request.method != "POST"
            else None
        ),
    )
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
            "due": due_for(report.period, report.unit),
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
    # Live, not the snapshot: a unit below accepted since the last build is not missing.
    missing_children = selectors.missing_children(report)
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
            "due": due_for(report.period, report.unit),
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
            "due": due_for(report.period, report.unit),
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


# --- A province's reporting calendar -------------------------------------------------------


def _calendar_provinces(user: Any, today: date) -> QuerySet[AdministrativeUnit]:
    """The provinces in force whose calendar the user may read: those their units lie in
    (every province for an administrator)."""
    provinces = AdministrativeUnit.objects.in_force_on(today).filter(parent__isnull=True)
    if scope.grants_for(user).is_admin:
        return provinces
    roots = scope.units(user).annotate(root=Left("path", ROOT_LENGTH)).values("root")
    return provinces.filter(path__in=roots)


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """Which kinds of period a province requires and when each level's report is due.

    Everyone reads their province's calendar; its own officers (and administrators) change
    it, and every change is kept in its history.
    """
    today = _today()
    provinces = list(_calendar_provinces(request.user, today).order_by("name"))
    if not provinces:
        raise Http404
    wanted = request.POST.get("province") or request.GET.get("province")
    province = next((p for p in provinces if str(p.pk) == wanted), None) if wanted else provinces[0]
    if province is None:
        # Another province's calendar, or no such province: not in reach.
        raise Http404
    editable = services_periods.can_set_policy(request.user, province)
    if request.method == "POST" and not editable:
        raise Http404
    policy = policy_of(province, today)
    initial: dict[str, Any] = {f"required_{kind}": kind in policy.required for kind in PeriodKind}
    initial.update({f"days_{kind}_{level}": days for (kind, level), days in policy.days.items()})
    form = CalendarForm(
        _posted(request) if editable else None,
        initial=initial,
        levels=policy.levels,
        kinds=list(PeriodKind.choices),
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services_periods.period_policy_set(
                province=province,
                by=request.user,  # type: ignore[arg-type]
                required=form.required(),
                days=form.days(),
                today=today,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            if changed:
                messages.success(request, _("The reporting calendar was saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect(f"{request.path}?province={province.pk}")
    return render(
        request,
        "reports/calendar.html",
        {
            "province": province,
            "provinces": provinces,
            "policy": policy,
            "form": form,
            "rows": form.rows(),
            "editable": editable,
            "history": policy_history(province),
        },
        status=400 if request.method == "POST" else 200,
    )
