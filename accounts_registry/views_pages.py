"""The register of official pages for logged-in users: list, detail, register, edit, review.

Every view fetches its page through ``selectors.pages.pages_for`` with the action it needs
(view, edit or review): a page outside that scope is a 404, never data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts_registry.forms_pages import NoteForm, PageEditForm, PageFilterForm, PageRegisterForm
from accounts_registry.models import PageState, Platform, SocialPage
from accounts_registry.selectors import pages as selectors
from accounts_registry.services import pages as services
from users import scope
from users.requests import AuthenticatedHttpRequest
from users.scope import Action

PAGE_SIZE = 50


def _get_page(request: AuthenticatedHttpRequest, pk: int, action: Action) -> SocialPage:
    try:
        return (
            selectors.with_gaps(selectors.pages_for(request.user, action))
            .select_related("body", "body__unit", "platform", "created_by")
            .get(pk=pk)
        )
    except SocialPage.DoesNotExist as exc:
        raise Http404 from exc


def _editable_bodies(request: AuthenticatedHttpRequest) -> QuerySet[Any]:
    return scope.bodies(request.user, Action.EDIT).filter(archived_at__isnull=True).order_by("name")


def filtered_pages(
    request: AuthenticatedHttpRequest,
) -> tuple[PageFilterForm, QuerySet[SocialPage]]:
    """The list's filter form and the scoped pages it selects; the exports use it too."""
    form = PageFilterForm(
        request.GET or None,
        units=scope.units(request.user).order_by("path"),
        bodies=scope.bodies(request.user).filter(archived_at__isnull=True).order_by("name"),
        platforms=list(Platform.objects.all()),
    )
    pages = selectors.pages_for(request.user)
    filters: dict[str, Any] = {}
    if form.is_bound and not form.is_valid():
        # A unit or body outside the user's scope is as good as absent: nothing matches.
        pages = pages.none()
    elif form.is_bound:
        filters = form.cleaned_data
    pages = selectors.filter_pages(
        pages,
        unit=filters.get("unit"),
        body=filters.get("body"),
        platform=filters.get("platform") or None,
        state=filters.get("state") or None,
        gap=filters.get("gap") or None,
        q=filters.get("q", ""),
    )
    return form, pages


@login_required
def page_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Pages in scope, filtered by unit, body, platform, state, gap and name."""
    form, pages = filtered_pages(request)
    ordered = selectors.page_rows(pages)
    page = Paginator(ordered.values_list("pk", flat=True), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(item, selectors.gaps_of(item)) for item in selectors.rows_of(ordered, page)]
    return render(
        request,
        "accounts_registry/pages/page_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            # The pickers' typed text (unit_q, body_q) filters too.
            "filtered": any(value for name, value in request.GET.items() if name != "page"),
            "can_register": _editable_bodies(request).exists(),
        },
    )


@login_required
def page_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One page: its fields, its gaps, the actions open to the user, its workflow and history."""
    page = _get_page(request, pk, Action.VIEW)
    can_edit = selectors.pages_for(request.user, Action.EDIT).filter(pk=page.pk).exists()
    can_review = selectors.pages_for(request.user, Action.REVIEW).filter(pk=page.pk).exists()
    live = page.state != PageState.ARCHIVED
    reviews = list(selectors.reviews_of(page))
    # Four eyes: whoever registered or last submitted the page does not review it (the
    # service refuses; the buttons give way to the reason). Read from the steps above.
    submitted_by = next(
        (r.by_id for r in reversed(reviews) if r.to_state == PageState.SUBMITTED), None
    )
    own_work = request.user.pk in (page.created_by_id, submitted_by)
    can_review = can_review and page.state == PageState.SUBMITTED
    return render(
        request,
        "accounts_registry/pages/page_detail.html",
        {
            "page": page,
            "gaps": selectors.gaps_of(page),
            "reviews": reviews,
            "history": selectors.history_of(page),
            "can_edit": can_edit and page.state in services.EDITABLE_STATES,
            "can_submit": can_edit and page.state in (PageState.DRAFT, PageState.RETURNED),
            "can_confirm": can_edit and page.state == PageState.APPROVED,
            "can_archive": can_edit and live,
            "can_review": can_review and not own_work,
            "four_eyes_blocked": can_review and own_work,
            "note_form": NoteForm(),
        },
    )


def _apply_errors(form: Any, error: ValidationError) -> None:
    """Show a service's errors on the form fields they name (or on top of the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def page_register(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Register a page of one of the bodies the user edits."""
    # Never the whole list of bodies: an administrator may edit 100,000 of them.
    if not _editable_bodies(request).exists():
        raise Http404
    initial: dict[str, Any] = {}
    wanted = request.GET.get("body", "")
    if wanted.isdigit() and _editable_bodies(request).filter(pk=int(wanted)).exists():
        initial["body"] = int(wanted)
    form = PageRegisterForm(
        request.POST or None,
        initial=initial,
        bodies=_editable_bodies(request),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            page = services.page_register(by=request.user, **data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _("The page “%(name)s” is registered as a draft. Submit it for review when ready.")
                % {"name": page.display_name},
            )
            return redirect("registry:page_detail", pk=page.pk)
    return render(
        request,
        "accounts_registry/pages/page_form.html",
        {"form": form, "page": None},
    )


@login_required
def page_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change a draft, returned or approved page (an approved one goes back to review)."""
    page = _get_page(request, pk, Action.EDIT)
    if page.state not in services.EDITABLE_STATES:
        messages.error(request, _("A page that is submitted or archived cannot be edited."))
        return redirect("registry:page_detail", pk=page.pk)
    form = PageEditForm(request.POST or None, initial=PageEditForm.initial_from(page))
    if request.method == "POST" and form.is_valid():
        was_approved = page.state == PageState.APPROVED
        try:
            page = services.page_update(page=page, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if was_approved and page.state == PageState.SUBMITTED:
                messages.warning(
                    request,
                    _("The page was changed and is back under review until approved again."),
                )
            else:
                messages.success(request, _("The page was saved."))
            return redirect("registry:page_detail", pk=page.pk)
    return render(
        request,
        "accounts_registry/pages/page_form.html",
        {"form": form, "page": page},
    )


def _transition(
    request: AuthenticatedHttpRequest,
    pk: int,
    *,
    action: Action,
    service: Callable[..., SocialPage],
    done: Any,
    takes_note: bool = True,
) -> HttpResponse:
    page = _get_page(request, pk, action)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if takes_note:
            service(page=page, by=request.user, note=note)
        else:
            service(page=page, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("registry:page_detail", pk=page.pk)


@login_required
@require_POST
def page_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        action=Action.EDIT,
        service=services.page_submit,
        done=_("The page was submitted for review."),
        takes_note=False,
    )


@login_required
@require_POST
def page_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        action=Action.REVIEW,
        service=services.page_approve,
        done=_("The page was approved: it is now listed as official."),
    )


@login_required
@require_POST
def page_return(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        action=Action.REVIEW,
        service=services.page_return,
        done=_("The page was returned to its body with your note."),
    )


@login_required
@require_POST
def page_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        action=Action.EDIT,
        service=services.page_confirm,
        done=_("Thank you: the page is confirmed as still yours and in use."),
    )


@login_required
@require_POST
def page_archive(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        action=Action.EDIT,
        service=services.page_archive,
        done=_("The page was archived. It is kept in the register as no longer official."),
    )
