"""A body's registry page: its contact person, posting rules and their history.

Every view fetches the body through ``users.scope`` (404 outside the user's scope). Staff of
the body (EDIT) may change things; officers above (VIEW, REVIEW) see the page read-only and
get 403 if they post anyway.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts_registry import page_facts
from accounts_registry.forms_bodies import (
    ContactForm,
    RulesUploadForm,
    SpokespersonForm,
    add_service_errors,
)
from accounts_registry.models import PostingRules
from accounts_registry.selectors import bodies as selectors
from accounts_registry.services.contacts import contact_clear_page_override, contact_set
from accounts_registry.services.rules import rules_upload
from accounts_registry.services.spokespersons import (
    current_spokesperson,
    spokesperson_clear,
    spokesperson_set,
)
from units.models import Body
from users import scope
from users.requests import AuthenticatedHttpRequest
from users.scope import Action


def _body_for_change(request: AuthenticatedHttpRequest, body_id: int) -> Body:
    """The body, if the user may change its records; 404 outside scope, 403 read-only."""
    body = scope.get_body_or_404(request.user, body_id)
    if not scope.can(request.user, Action.EDIT, body):
        raise PermissionDenied
    return body


def _render_registry(
    request: AuthenticatedHttpRequest,
    body: Body,
    *,
    contact_form: ContactForm | None = None,
    rules_form: RulesUploadForm | None = None,
    spokesperson_form: SpokespersonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_edit = scope.can(request.user, Action.EDIT, body)
    contact = selectors.current_default_contact(body)
    spokesperson = current_spokesperson(body)
    versions = list(
        selectors.rules_for(request.user)
        .filter(body=body)
        .select_related("uploaded_by")
        .order_by("-version")
    )
    current_rules = next((rules for rules in versions if rules.is_current), None)
    pages = list(
        selectors.with_effective_contact(selectors.live_pages_of(request.user, body))
        .select_related("platform")
        .order_by("platform__order", "display_name")
    )
    grants = scope.grants_for(request.user)
    # Who may record a monitoring finding: the officers above the body (REVIEW), read from
    # the grants already loaded rather than with another query.
    can_review = grants.is_admin or any(
        body.unit.path.startswith(path) for path in grants.acting_subtree_paths
    )
    return render(
        request,
        "accounts_registry/bodies/registry.html",
        {
            "body": body,
            "can_edit": can_edit,
            "can_record_finding": can_review,
            # Facts of apps above the registry (incidents: the findings counts).
            **page_facts.body_context(body),
            "contact": contact,
            "contact_form": contact_form
            or (ContactForm.for_contact(contact) if can_edit else None),
            "current_rules": current_rules,
            "older_rules": [rules for rules in versions if not rules.is_current],
            "rules_form": rules_form or (RulesUploadForm() if can_edit else None),
            "spokesperson": spokesperson,
            "spokesperson_form": spokesperson_form
            or (SpokespersonForm.for_spokesperson(spokesperson) if can_edit else None),
            "pages": pages,
            "history": selectors.body_history(body),
        },
        status=status,
    )


@login_required
@require_GET
def body_registry(request: AuthenticatedHttpRequest, body_id: int) -> HttpResponse:
    """The body's contact person, posting rules (every version) and their history."""
    body = scope.get_body_or_404(request.user, body_id)
    return _render_registry(request, body)


@login_required
@require_POST
def body_contact(request: AuthenticatedHttpRequest, body_id: int) -> HttpResponse:
    """Set the body's default contact person."""
    body = _body_for_change(request, body_id)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            contact_set(body=body, page=None, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The contact person was saved."))
            return redirect("registry:body_registry", body_id=body.pk)
    return _render_registry(request, body, contact_form=form, status=400)


@login_required
@require_POST
def body_spokesperson(request: AuthenticatedHttpRequest, body_id: int) -> HttpResponse:
    """Set the body's spokesperson, or record that it has none any more ("clear")."""
    body = _body_for_change(request, body_id)
    if "clear" in request.POST:
        if spokesperson_clear(body=body, by=request.user) is not None:
            messages.success(request, _("The spokesperson was archived."))
        return redirect("registry:body_registry", body_id=body.pk)
    form = SpokespersonForm(request.POST)
    if form.is_valid():
        try:
            spokesperson_set(body=body, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The spokesperson was saved."))
            return redirect("registry:body_registry", body_id=body.pk)
    return _render_registry(request, body, spokesperson_form=form, status=400)


@login_required
@require_POST
def body_rules_upload(request: AuthenticatedHttpRequest, body_id: int) -> HttpResponse:
    """Upload a new version of the body's posting rules."""
    body = _body_for_change(request, body_id)
    form = RulesUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            rules = rules_upload(body=body, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Version %(version)s of the posting rules was uploaded.")
                % {"version": rules.version},
            )
            return redirect("registry:body_registry", body_id=body.pk)
    return _render_registry(request, body, rules_form=form, status=400)


def rules_file_response(rules: PostingRules) -> FileResponse:
    """Stream a rules file as a download that browsers will not try to render or sniff."""
    response = FileResponse(
        rules.file.open("rb"),
        as_attachment=True,
        filename=rules.original_filename,
        content_type=rules.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_GET
def rules_download(request: AuthenticatedHttpRequest, body_id: int, pk: int) -> FileResponse:
    """Download one version of a body's rules (only in scope; media is not served)."""
    rules = selectors.get_rules_or_404(request.user, body_id=body_id, pk=pk)
    return rules_file_response(rules)


@login_required
@require_http_methods(["GET", "POST"])
def page_contact(request: AuthenticatedHttpRequest, body_id: int, page_id: int) -> HttpResponse:
    """A page's own contact person, which overrides the body's default."""
    body = scope.get_body_or_404(request.user, body_id)
    page = selectors.get_page_of_body_or_404(request.user, body=body, page_id=page_id)
    can_edit = scope.can(request.user, Action.EDIT, body)
    override = selectors.current_page_contact(page)
    form: ContactForm | None = ContactForm.for_contact(override) if can_edit else None
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        here = HttpResponseRedirect(
            reverse("registry:page_contact", kwargs={"body_id": body.pk, "page_id": page.pk})
        )
        if "clear" in request.POST:
            if contact_clear_page_override(page=page, by=request.user) is not None:
                messages.success(request, _("The page now uses the body's contact person."))
            return here
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                contact_set(body=body, page=page, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The page's contact person was saved."))
                return here
        status = 400
    context: dict[str, Any] = {
        "body": body,
        "page": page,
        "override": override,
        "default": selectors.current_default_contact(body),
        "can_edit": can_edit,
        "form": form,
    }
    return render(request, "accounts_registry/bodies/page_contact.html", context, status=status)
