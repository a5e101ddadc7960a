"""Incident pages: the list, detail and workflow for staff and officers, the public report.

Every view fetches its incident through ``selectors.get_incident_or_404`` with the action
it needs: an incident outside that scope is a 404, never data.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from accounts_registry.autocomplete import public_bodies, reportable_pages
from accounts_registry.throttling import retry_after
from incidents import selectors, services
from incidents.forms import (
    EvidenceForm,
    IncidentCreateForm,
    IncidentFilterForm,
    PublicReportForm,
    TransitionForm,
)
from incidents.models import Incident
from incidents.reporters import may_see_reporter
from incidents.throttling import PublicReportThrottle
from units.models import Body
from users import scope
from users.requests import AuthenticatedHttpRequest
from users.scope import Action

PAGE_SIZE = 50


def _apply_errors(form: Any, error: ValidationError) -> None:
    """Show a service's errors on the form fields they name (or on top of the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _editable_bodies(request: AuthenticatedHttpRequest) -> QuerySet[Body]:
    return scope.bodies(request.user, Action.EDIT).filter(archived_at__isnull=True).order_by("name")


@login_required
@require_GET
def incident_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Incidents in scope, filtered by state, kind and unit."""
    form = IncidentFilterForm(request.GET or None, units=scope.units(request.user).order_by("path"))
    incidents = selectors.incidents_for(request.user)
    if form.is_bound and not form.is_valid():
        # A unit outside the user's scope is as good as absent: nothing matches.
        incidents = incidents.none()
        filters: dict[str, Any] = {}
    else:
        filters = form.cleaned_data if form.is_bound else {}
    incidents = selectors.filter_incidents(
        incidents,
        state=filters.get("state") or None,
        kind=filters.get("kind") or None,
        unit=filters.get("unit"),
    )
    page = Paginator(selectors.incident_rows(incidents), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "incidents/incident_list.html",
        {
            "form": form,
            "page": page,
            "can_report": _editable_bodies(request).exists(),
        },
    )


def _render_detail(
    request: AuthenticatedHttpRequest,
    incident: Incident,
    *,
    transition_form: TransitionForm | None = None,
    evidence_form: EvidenceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_review = (
        selectors.incidents_for(request.user, Action.REVIEW).filter(pk=incident.pk).exists()
    )
    can_add = not incident.is_closed and (
        can_review
        or selectors.incidents_for(request.user, Action.EDIT).filter(pk=incident.pk).exists()
    )
    allowed = services.allowed_transitions(incident.state) if can_review else ()
    form = transition_form or TransitionForm()
    form.fields["to_state"].choices = [  # type: ignore[attr-defined]
        (value, label)
        for value, label in form.fields["to_state"].choices  # type: ignore[attr-defined]
        if value in allowed
    ]
    return render(
        request,
        "incidents/incident_detail.html",
        {
            "incident": incident,
            "steps": list(selectors.steps_of(incident)),
            "evidence": list(selectors.evidence_of(incident)),
            "history": selectors.history_of(incident),
            "allowed": allowed,
            "transition_form": form,
            "can_add_evidence": can_add,
            "evidence_form": evidence_form or EvidenceForm(),
            # A citizen reporter's details: officers above the body only (privacy/).
            "can_see_reporter": may_see_reporter(request.user, incident.body.unit.path),
        },
        status=status,
    )


@login_required
@require_GET
def incident_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One incident: its facts, steps, evidence, history and the actions open to the user."""
    return _render_detail(request, selectors.get_incident_or_404(request.user, pk))


@login_required
@require_POST
def incident_transition(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Move an incident along its workflow (officers above the body)."""
    incident = selectors.get_incident_or_404(request.user, pk, Action.REVIEW)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.incident_transition(
                incident=incident,
                to_state=form.cleaned_data["to_state"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The incident was updated."))
            return redirect("incidents:detail", pk=incident.pk)
    return _render_detail(request, incident, transition_form=form, status=400)


@login_required
@require_POST
def evidence_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add a link or a screenshot (body staff and officers in scope)."""
    incident = selectors.get_incident_or_404(request.user, pk)
    if not (
        selectors.incidents_for(request.user, Action.EDIT).filter(pk=pk).exists()
        or selectors.incidents_for(request.user, Action.REVIEW).filter(pk=pk).exists()
    ):
        return _render_detail(request, incident, status=403)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_add(
                incident=incident,
                by=request.user,
                link=form.cleaned_data["link"],
                image=form.cleaned_data["image"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The evidence was added."))
            return redirect("incidents:detail", pk=incident.pk)
    return _render_detail(request, incident, evidence_form=form, status=400)


@login_required
@require_GET
def evidence_download(request: AuthenticatedHttpRequest, pk: int, evidence_id: int) -> FileResponse:
    """A screenshot, only to users who may see its incident (media is not served)."""
    evidence = selectors.get_evidence_or_404(request.user, incident_id=pk, pk=evidence_id)
    if not evidence.image:
        from django.http import Http404

        raise Http404
    response = FileResponse(
        evidence.image.open("rb"),
        as_attachment=False,
        filename=evidence.original_filename or "evidence",
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def incident_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Staff report loss of control of one of their pages, or a page impersonating them."""
    bodies = _editable_bodies(request)
    # Both are search fields backed by scoped autocompletes (units/pickers.py), never a
    # <select> of every body or page an administrator may edit.
    pages = reportable_pages(request.user).order_by("body__name", "display_name")
    form = IncidentCreateForm(request.POST or None, bodies=bodies, pages=pages)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.incident_report(
                body=data["body"],
                kind=data["kind"],
                page=data["page"],
                url=data["url"],
                description=data["description"],
                discovered_at=data["discovered_at"],
                by=request.user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The incident was reported."))
            return redirect("incidents:detail", pk=incident.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "incidents/incident_form.html", {"form": form}, status=status)


def _public_bodies() -> QuerySet[Body]:
    # The bodies open today, as the public autocomplete offers them (accounts_registry/autocomplete.py).
    return public_bodies().order_by("name")


def public_report(request: HttpRequest) -> HttpResponse:
    """A citizen reports a suspected fake page: no login, rate limited, reveals nothing."""
    if request.method == "POST":
        wait = retry_after(request, PublicReportThrottle)
        if wait is not None:
            response = render(request, "incidents/public_report_throttled.html", status=429)
            response["Retry-After"] = str(wait)
            return response
        form = PublicReportForm(request.POST, request.FILES, bodies=_public_bodies())
        if form.is_bot:
            # Answer a bot like a person, so it learns nothing; store nothing.
            return redirect("incidents:public_report_thanks")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.incident_report_public(
                    body=data["body"],
                    url=data["url"],
                    description=data["description"],
                    reporter_name=data["reporter_name"],
                    reporter_email=data["reporter_email"],
                    reporter_phone=data["reporter_phone"],
                    image=data["image"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                return redirect("incidents:public_report_thanks")
        status = 400
    else:
        form = PublicReportForm(
            initial={"url": request.GET.get("url", "")[:500]}, bodies=_public_bodies()
        )
        status = 200
    return render(request, "incidents/public_report.html", {"form": form}, status=status)


@require_GET
def public_report_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "incidents/public_report_thanks.html")
