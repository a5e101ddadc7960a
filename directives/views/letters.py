"""The list and inbox, drafting, the letter with its recipients, and the chain of letters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from directives import selectors, services
from directives.forms import (
    ISSUERS_LISTED,
    DirectiveFilterForm,
    DirectiveForm,
    IssuerForm,
)
from directives.models import (
    Attachment,
    Directive,
    ImplementationReport,
    Receipt,
)
from directives.views.common import (
    PAGE_SIZE,
    _apply_errors,
    _error_messages,
    _letter,
    _visible_reports,
)
from units.models import Body, BodyKind
from users import scope
from users.requests import AuthenticatedHttpRequest

# --- List and inbox --------------------------------------------------------------------------


@login_required
@require_GET
def directive_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Directives the user may read: issued by their side, or received."""
    form = DirectiveFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    directives = selectors.filter_directives(
        selectors.directives_for(request.user),
        q=filters.get("q", ""),
        state=filters.get("state", ""),
    )
    page = Paginator(directives, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "directives/directive_list.html",
        {
            "form": form,
            "page": page,
            "filtered": bool(filters.get("q") or filters.get("state")),
            "counts": selectors.inbox_counts(request.user),
            "can_issue": scope.issuing_bodies(request.user).exists(),
        },
    )


@login_required
@require_GET
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Letters addressed to what the user answers for, by someone else, with where each
    one stands; the counts say what the user owes."""
    page = Paginator(selectors.inbox_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    # Each recipient's own tasks first, when a letter gives different recipients different
    # tasks (one query for the page, five when a letter on it gives different tasks).
    rows = list(page.object_list)
    tasks = selectors.tasks_by_receipt(rows, targeted_only=True)
    for receipt in rows:
        receipt.tasks = tasks[receipt.pk]
    page.object_list = rows
    return render(
        request,
        "directives/inbox.html",
        {"page": page, "counts": selectors.inbox_counts(request.user)},
    )


@login_required
@require_GET
def outbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Letters the user's bodies issued (and their drafts), with how many recipients have
    reported and how many are late."""
    page = Paginator(selectors.outgoing_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "directives/outbox.html",
        {
            "page": page,
            "counts": selectors.inbox_counts(request.user),
            "can_issue": scope.issuing_bodies(request.user).exists(),
        },
    )


# --- Drafting ----------------------------------------------------------------------------------


def _implementing_initial(parent: Directive) -> dict[str, Any]:
    """A letter implementing ``parent`` starts from it: subject, basis and citations.

    The letter's own words are Vietnamese whatever the interface language.
    """
    subject = parent.subject[:1].lower() + parent.subject[1:]
    when = f" ngày {parent.issued_on:%d/%m/%Y}" if parent.issued_on else ""
    return {
        "implements": parent.pk,
        "subject": f"Triển khai {subject}"[:500],
        "basis": (
            f"Thực hiện Công văn số {parent.reference}{when} của {parent.issuer.name} "
            f"về việc {subject};"
        ),
        "cited": list(parent.cited_nodes.values_list("pk", flat=True)),
        # The figures the parent asks are asked again, with the same keys, so that the
        # chain page adds this letter's recipients' figures up into the parent's.
        "asked_figures": [
            {"key": figure.key, "label": figure.label, "unit": figure.unit}
            for figure in parent.asked_figures.order_by("position")
        ],
    }


def _chosen_issuer(request: AuthenticatedHttpRequest, bodies: list[Body]) -> Body | None:
    if len(bodies) == 1:
        return bodies[0]
    return IssuerForm(request.GET, user=request.user).chosen()


def _suggested_issuer(bodies: list[Body], implements: Directive | None) -> Body:
    """The body most likely to sign: the one the implemented letter names, else the
    People's Committee (which signs for a unit addressed as a whole)."""
    if implements is not None:
        named = set(
            implements.receipts.filter(body__in=[body.pk for body in bodies]).values_list(
                "body_id", flat=True
            )
        )
        for body in bodies:
            if body.pk in named:
                return body
    return next((body for body in bodies if body.kind == BodyKind.PEOPLES_COMMITTEE), bodies[0])


def _form_page(
    request: AuthenticatedHttpRequest,
    form: DirectiveForm,
    *,
    directive: Directive | None,
    bodies: list[Body] | None = None,
    implements: Directive | None = None,
) -> HttpResponse:
    return render(
        request,
        "directives/directive_form.html",
        {
            "form": form,
            "directive": directive,
            "issuer": form.issuer,
            "several_bodies": bodies is not None and len(bodies) > 1,
            "implements": implements,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def directive_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Draft a letter for one of the bodies the user issues for (chosen first if several)."""
    # A few are listed; more (an administrator: any body) are searched (issue #14).
    issuing = scope.issuing_bodies(request.user).order_by("unit__path", "name")
    bodies = list(issuing[: ISSUERS_LISTED + 1])
    if not bodies:
        raise Http404
    implements: Directive | None = None
    if request.GET.get("implements", "").isdigit():
        implements = (
            selectors.implementable(request.user).filter(pk=request.GET["implements"]).first()
        )
    issuer = _chosen_issuer(request, bodies)
    if issuer is None:
        return render(
            request,
            "directives/issuer_choice.html",
            {
                "bodies": bodies if len(bodies) <= ISSUERS_LISTED else None,
                "form": IssuerForm(request.GET or None, user=request.user),
                "implements": implements,
                "suggested": _suggested_issuer(bodies, implements),
            },
        )
    initial: dict[str, Any] = {"place": services.default_place(issuer)}
    if implements is not None:
        initial.update(_implementing_initial(implements))
    form = DirectiveForm(
        request.POST or None,
        request.FILES or None,
        issuer=issuer,
        user=request.user,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            directive = services.directive_create(
                issuer=issuer,
                by=request.user,
                fields=form.draft_fields(),
                instructions=form.cleaned_data["instructions"],
                recipients=form.recipients(),
                cited=form.cleaned_data["cited"],
                implements=form.cleaned_data["implements"],
                files=form.cleaned_data["attachments"],
                asked_figures=form.figure_specs(),
                paper=form.paper(),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("The draft was saved. Check it, then issue it to its recipients."),
            )
            return redirect("directives:detail", pk=directive.pk)
    return _form_page(request, form, directive=None, bodies=bodies, implements=implements)


@login_required
def directive_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change a draft (an issued letter never changes)."""
    directive = selectors.get_managed_or_404(request.user, pk)
    if not directive.is_draft:
        messages.error(request, _("Only a draft can be changed; this directive was issued."))
        return redirect("directives:detail", pk=directive.pk)
    form = DirectiveForm(
        request.POST or None,
        request.FILES or None,
        issuer=directive.issuer,
        user=request.user,
        initial=DirectiveForm.initial_from(directive),
    )
    if request.method == "POST" and form.is_valid():
        had_recipients = directive.receipts.exists()
        try:
            services.directive_update(
                directive,
                by=request.user,
                fields=form.draft_fields(),
                instructions=form.cleaned_data["instructions"],
                # A draft that never had recipients may stay without; one that had must keep one.
                recipients=form.recipients() if form.has_recipients() or had_recipients else None,
                cited=form.cleaned_data["cited"],
                implements=form.cleaned_data["implements"],
                files=form.cleaned_data["attachments"],
                asked_figures=form.figure_specs(),
                paper=form.paper(),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The draft was saved."))
            return redirect("directives:detail", pk=directive.pk)
    return _form_page(request, form, directive=directive, implements=directive.implements)


def _confirm_page(
    request: AuthenticatedHttpRequest, directive: Directive, action: str
) -> HttpResponse:
    return render(
        request,
        "directives/directive_confirm.html",
        {
            "directive": directive,
            "action": action,
            "recipient_count": directive.receipts.count(),
        },
    )


@login_required
def directive_issue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ask, then issue a draft: it is delivered to every recipient and never changes again."""
    directive = selectors.get_managed_or_404(request.user, pk)
    if request.method != "POST":
        if not directive.is_draft:
            return redirect("directives:detail", pk=directive.pk)
        return _confirm_page(request, directive, "issue")
    try:
        directive = services.directive_issue(directive, by=request.user)
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        count = directive.receipts.count()
        messages.success(
            request,
            ngettext(
                "Directive %(reference)s was issued to %(count)d recipient.",
                "Directive %(reference)s was issued to %(count)d recipients.",
                count,
            )
            % {"reference": directive.reference, "count": count},
        )
    return redirect("directives:detail", pk=directive.pk)


@login_required
def directive_archive(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ask, then put away a draft that will not be issued (nothing is deleted)."""
    directive = selectors.get_managed_or_404(request.user, pk)
    if request.method != "POST":
        if not directive.is_draft:
            return redirect("directives:detail", pk=directive.pk)
        return _confirm_page(request, directive, "archive")
    try:
        services.directive_archive(directive, by=request.user)
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("The draft was archived."))
    return redirect("directives:detail", pk=directive.pk)


# --- The letter and its recipients ---------------------------------------------------------


@login_required
@require_GET
def directive_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The letter, where it comes from and what implements it; for its issuer, the recipients
    and their reports."""
    directive = selectors.get_directive_or_404(request.user, pk)
    manage = selectors.can_manage(request.user, directive)
    rows = selectors.receipt_rows(directive) if manage else []
    context = {
        **_letter(directive),
        "can_manage": manage,
        "rows": rows,
        "tally": selectors.tally(rows) if manage else None,
        # Those a reminder can still reach: not reported, and not ceased.
        "unanswered": sum(1 for row in rows if row.awaited),
        "ancestors": selectors.ancestors_of(request.user, directive),
        "implementations": list(
            selectors.implementable(request.user)
            .filter(implements=directive)
            .order_by("issuer__unit__path", "issued_on", "pk")
        ),
        "own_receipts": list(
            selectors.inbox_for(request.user).filter(directive=directive)
            if directive.is_issued
            else []
        ),
        "reports": list(
            selectors.reports_of(directive) if manage else _visible_reports(request.user, directive)
        ),
    }
    return render(request, "directives/directive_detail.html", context)


@login_required
@require_POST
def directive_remind(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Remind every recipient who has not reported (or one of them), at most once a day."""
    directive = selectors.get_managed_or_404(request.user, pk)
    receipts: QuerySet[Receipt] | None = None
    wanted = request.POST.get("receipt", "")
    if wanted:
        if not wanted.isdigit():
            raise Http404
        receipts = directive.receipts.filter(pk=wanted)
        if not receipts.exists():
            raise Http404
    try:
        outcome = services.remind_now(
            directive,
            by=request.user,
            receipts=receipts,
        )
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        if outcome.reminded:
            messages.success(
                request,
                ngettext(
                    "A reminder was sent to %(count)d recipient.",
                    "A reminder was sent to %(count)d recipients.",
                    outcome.reminded,
                )
                % {"count": outcome.reminded},
            )
        if outcome.skipped:
            messages.info(
                request,
                ngettext(
                    "%(count)d recipient was already reminded today.",
                    "%(count)d recipients were already reminded today.",
                    outcome.skipped,
                )
                % {"count": outcome.skipped},
            )
        if not outcome.reminded and not outcome.skipped:
            messages.info(request, _("Nobody to remind: every recipient has reported."))
    return redirect(reverse("directives:detail", args=[directive.pk]) + "#recipients")


# --- The chain -----------------------------------------------------------------------------


@dataclass
class ChainEntry:
    """A node of the chain with the reports on it the user may read."""

    node: selectors.ChainNode
    reports: list[ImplementationReport]
    children: list[ChainEntry]


def _entries(
    node: selectors.ChainNode, reports: dict[int, list[ImplementationReport]]
) -> ChainEntry:
    return ChainEntry(
        node=node,
        reports=reports.get(node.directive.pk, []),
        children=[_entries(child, reports) for child in node.children],
    )


def _chain_ids(node: selectors.ChainNode) -> list[int]:
    return [node.directive.pk, *(pk for child in node.children for pk in _chain_ids(child))]


@login_required
@require_GET
def directive_chain(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The tree of letters implementing this one, each with who reported and who is late."""
    directive = selectors.get_directive_or_404(request.user, pk)
    node = selectors.chain_below(request.user, directive)
    reports: dict[int, list[ImplementationReport]] = {}
    visible = (
        ImplementationReport.objects.filter(
            receipt__in=selectors.receipts_for(request.user)
            .filter(directive__in=_chain_ids(node))
            .values("pk")
        )
        .select_related("receipt", "receipt__unit", "receipt__body")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
        .order_by("submitted_at", "pk")
    )
    for report in visible:
        reports.setdefault(report.receipt.directive_id, []).append(report)
    ancestors = selectors.ancestors_of(request.user, directive)
    return render(
        request,
        "directives/chain.html",
        {
            "directive": directive,
            "ancestors": list(reversed(ancestors)),
            "paper": selectors.paper_root(request.user, directive, ancestors),
            "root": _entries(node, reports),
        },
    )
