"""One report: its figures by criterion, declarations, units below, rows and history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from legal.models import ComplianceCriterion
from reports import selectors, selectors_reviews
from reports.forms import NoteForm
from reports.models import DECLARATION_FIELDS, FIGURE_CRITERIA, RolledUpTotals, UnitReport
from reports.periods import due_for
from reports.views.common import S, _label, _pager, _today
from users.requests import AuthenticatedHttpRequest

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
def report_detail(request: AuthenticatedHttpRequest, report_id: int) -> HttpResponse:
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
