"""Pages for monitoring findings.

Every finding is fetched through ``selectors_findings`` with the action the view needs (404
outside scope). Officers above a body (REVIEW) record findings about it and close them;
the body's staff (EDIT) record what they did.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts_registry.models import PageState
from incidents import selectors_findings as selectors
from incidents import services_findings as services
from incidents.forms_findings import (
    FindingDecisionForm,
    FindingFilterForm,
    FindingForm,
    RemediationForm,
)
from incidents.models import FindingState, MonitoringFinding
from incidents.views import _apply_errors
from users import scope
from users.requests import AuthenticatedHttpRequest
from users.scope import Action

PAGE_SIZE = 50


@login_required
@require_http_methods(["GET"])
def finding_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Findings in scope; the finder's side filters the overdue ones and its own."""
    form = FindingFilterForm(request.GET or None)
    findings = selectors.findings_for(request.user)
    filters: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if filters.get("state"):
        findings = findings.filter(state=filters["state"])
    if filters.get("overdue"):
        findings = findings.filter(state=FindingState.OPEN, deadline__lt=timezone.localdate())
    if filters.get("body"):
        findings = findings.filter(body_id=filters["body"])
    if filters.get("mine"):
        grants = scope.grants_for(request.user)
        mine = Q(finder=request.user)
        for path in grants.acting_subtree_paths:
            mine |= Q(finder_unit__path__startswith=path)
        findings = findings.filter(mine)
    page = Paginator(selectors.finding_rows(findings), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "incidents/findings/finding_list.html",
        {"form": form, "page": page, "today": timezone.localdate()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def finding_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Record a finding about one body (``?body=<id>``), which the officer reviews."""
    body = scope.get_body_or_404(request.user, request.GET.get("body"), Action.REVIEW)
    pages = (
        body.pages.exclude(state=PageState.ARCHIVED)
        .select_related("platform")
        .order_by("display_name")
    )
    form = FindingForm(request.POST or None, pages=pages)
    if request.method == "POST" and form.is_valid():
        try:
            finding = services.finding_record(body=body, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The finding was recorded and the body was told."))
            return redirect("incidents:finding_detail", pk=finding.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "incidents/findings/finding_form.html",
        {"form": form, "body": body},
        status=status,
    )


def _detail(
    request: AuthenticatedHttpRequest,
    finding: MonitoringFinding,
    *,
    remediation_form: RemediationForm | None = None,
    decision_form: FindingDecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_remediate = (
        finding.state == FindingState.OPEN
        and selectors.findings_for(request.user, Action.EDIT).filter(pk=finding.pk).exists()
    )
    can_decide = finding.state != FindingState.CLOSED and services.may_close(finding, request.user)
    return render(
        request,
        "incidents/findings/finding_detail.html",
        {
            "finding": finding,
            "can_remediate": can_remediate,
            "can_decide": can_decide,
            "can_reopen": can_decide and finding.state == FindingState.REMEDIATED,
            "remediation_form": remediation_form or RemediationForm(),
            "decision_form": decision_form or FindingDecisionForm(),
            "history": finding.history.select_related("history_user").order_by("history_date")[:50],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def finding_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.get_finding_or_404(request.user, pk))


@login_required
@require_POST
def finding_remediate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The body's staff record what they did about the finding."""
    finding = selectors.get_finding_or_404(request.user, pk, Action.EDIT)
    form = RemediationForm(request.POST)
    if form.is_valid():
        try:
            services.finding_remediate(
                finding=finding, by=request.user, note=form.cleaned_data["remediation_note"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Your remediation was recorded; the finder was told."))
            return redirect("incidents:finding_detail", pk=finding.pk)
    return _detail(request, finding, remediation_form=form, status=400)


def _decide(request: AuthenticatedHttpRequest, pk: int, *, reopen: bool) -> HttpResponse:
    finding = selectors.get_finding_or_404(request.user, pk)
    if not services.may_close(finding, request.user):
        # The body's staff may see the finding: 403, not a 404 that would be a lie.
        raise PermissionDenied
    form = FindingDecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if reopen:
            services.finding_reopen(finding=finding, by=request.user, note=note)
        else:
            services.finding_close(finding=finding, by=request.user, note=note)
    except ValidationError as error:
        _apply_errors(form, error)
        return _detail(request, finding, decision_form=form, status=400)
    messages.success(
        request,
        _("The finding was reopened; the body was told.")
        if reopen
        else _("The finding was closed; the body was told."),
    )
    return redirect("incidents:finding_detail", pk=finding.pk)


@login_required
@require_POST
def finding_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, reopen=False)


@login_required
@require_POST
def finding_reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, reopen=True)
