"""The standing fake-page review: the list in scope, and the form for one's own unit.

Reads go through ``selectors_reviews`` (scoped by ``users.scope``); writes through
``services_reviews``. ``?unit=&period=`` narrows the list (the report's page links to its
unit's review of the period that way).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reports import selectors_reviews as selectors
from reports import services_reviews as services
from reports.forms import FakePageReviewForm
from reports.views.common import _apply_errors
from users.requests import AuthenticatedHttpRequest

PAGE_SIZE = 50


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@login_required
@require_http_methods(["GET", "POST"])
def fake_page_reviews(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The reviews the user may see, newest period first, and the form to record one."""
    units = selectors.recording_units(request.user)
    periods = selectors.open_periods()
    form = FakePageReviewForm(request.POST or None, units=units, periods=periods)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.fake_page_review_record(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The fake-page review was recorded."))
                return redirect("reports:fake_page_reviews")
        status = 400
    reviews = selectors.fake_page_reviews_for(request.user)
    unit_id, period_id = _number(request.GET.get("unit")), _number(request.GET.get("period"))
    if unit_id is not None:
        reviews = reviews.filter(unit_id=unit_id)
    if period_id is not None:
        reviews = reviews.filter(period_id=period_id)
    reviews = reviews.select_related("unit", "period", "recorded_by").order_by(
        "-period__starts_on", "unit__path"
    )
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/fake_page_reviews.html",
        {
            "form": form,
            "page": page,
            "can_record": units.exists(),
            "narrowed": unit_id is not None or period_id is not None,
        },
        status=status,
    )
