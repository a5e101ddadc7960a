"""Filling a report in, submitting it, and the reviewer's moves (accept, return, reopen)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from legal.models import ComplianceCriterion
from reports import selectors, selectors_reviews, services
from reports.forms import NoteForm, ReportForm, SubmitForm
from reports.models import FIGURE_CRITERIA, UnitReport
from reports.periods import due_for
from reports.views.common import S, _apply_errors, _label, _posted
from units.models import AdministrativeUnit
from users.requests import AuthenticatedHttpRequest

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
def report_edit(request: AuthenticatedHttpRequest, report_id: int) -> HttpResponse:
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
            services.report_update(report=report, by=request.user, **form.changes())
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
def report_submit(request: AuthenticatedHttpRequest, report_id: int) -> HttpResponse:
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
                    by=request.user,
                    missing_children_reason=reason,
                )
            report = services.report_submit(report=report, by=request.user)
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


def _review(request: AuthenticatedHttpRequest, report_id: int, name: str) -> HttpResponse:
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
def report_accept(request: AuthenticatedHttpRequest, report_id: int) -> HttpResponse:
    """Accept a submitted report (an optional note): it is frozen from now on."""
    return _review(request, report_id, "accept")


@login_required
def report_return(request: AuthenticatedHttpRequest, report_id: int) -> HttpResponse:
    """Return a submitted report to its unit, saying what to correct."""
    return _review(request, report_id, "return")


@login_required
def report_reopen(request: AuthenticatedHttpRequest, report_id: int) -> HttpResponse:
    """Reopen an accepted report for correction, saying why."""
    return _review(request, report_id, "reopen")
