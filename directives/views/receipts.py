"""A recipient's copy of a letter: reading, acknowledging, reporting back."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from directives import selectors, services
from directives.forms import (
    FigureFormSet,
    ReportForm,
    filled_figures,
)
from directives.models import (
    Attachment,
    ImplementationReport,
    Receipt,
    ReportFigure,
)
from directives.views.common import (
    _apply_errors,
    _error_messages,
    _letter,
)
from users import scope
from users.requests import AuthenticatedHttpRequest

# --- A recipient's copy ---------------------------------------------------------------------


def _receipt_reports(receipt: Receipt) -> list[ImplementationReport]:
    return list(
        ImplementationReport.objects.filter(receipt=receipt)
        .select_related("submitted_by")
        .prefetch_related(
            Prefetch("figures", queryset=ReportFigure.objects.order_by("position")),
            Prefetch("attachments", queryset=Attachment.objects.order_by("pk")),
        )
        .order_by("submitted_at", "pk")
    )


@login_required
@require_GET
def receipt_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The letter as addressed to one recipient; opening it records that it was read."""
    receipt = selectors.get_receipt_or_404(request.user, pk)
    directive = receipt.directive
    answer = directive.is_issued and selectors.answerable(request.user, receipt)
    if answer:
        services.receipt_open(receipt, by=request.user)
        receipt.refresh_from_db(fields=["read_at"])
    context = {
        **_letter(directive),
        "receipt": receipt,
        "answerable": answer,
        "can_issue": answer and scope.issuing_bodies(request.user).exists(),
        "reports": _receipt_reports(receipt),
        "ancestors": selectors.ancestors_of(request.user, directive),
        "tasks": selectors.tasks_of(receipt),
    }
    return render(request, "directives/receipt_detail.html", context)


@login_required
@require_POST
def receipt_acknowledge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    receipt = selectors.get_answerable_or_404(request.user, pk)
    try:
        services.receipt_acknowledge(receipt, by=request.user)
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("Receipt acknowledged. The issuer can see it."))
    return redirect("directives:receipt", pk=receipt.pk)


@login_required
def report_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Report back on implementation: what was done, figures, files."""
    receipt = selectors.get_answerable_or_404(request.user, pk)
    tasks = selectors.tasks_of(receipt)
    form = ReportForm(request.POST or None, request.FILES or None, asked=tasks.asked)
    figures = FigureFormSet(request.POST or None, prefix="figures")
    if request.method == "POST" and form.is_valid() and figures.is_valid():
        try:
            services.report_submit(
                receipt,
                by=request.user,
                text=form.cleaned_data["text"],
                figures=filled_figures(figures),
                files=form.cleaned_data["attachments"],
                asked=form.asked_values(),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Your report was sent to the issuer."))
            return redirect("directives:receipt", pk=receipt.pk)
    return render(
        request,
        "directives/report_form.html",
        {
            "receipt": receipt,
            "directive": receipt.directive,
            "form": form,
            "figures": figures,
            "tasks": tasks,
        },
        status=400 if request.method == "POST" else 200,
    )
