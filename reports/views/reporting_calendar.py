"""A province's reporting calendar: the kinds of period it requires and their due dates."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.db.models.functions import Left
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from reports import services_periods
from reports.forms import CalendarForm
from reports.models import PeriodKind
from reports.periods_policy import ROOT_LENGTH, policy_history, policy_of
from reports.views.common import _apply_errors, _posted, _today
from units.models import AdministrativeUnit
from users import scope
from users.models import User
from users.requests import AuthenticatedHttpRequest


def _calendar_provinces(user: User, today: date) -> QuerySet[AdministrativeUnit]:
    """The provinces in force whose calendar the user may read: those their units lie in
    (every province for an administrator)."""
    provinces = AdministrativeUnit.objects.in_force_on(today).filter(parent__isnull=True)
    if scope.grants_for(user).is_admin:
        return provinces
    roots = scope.units(user).annotate(root=Left("path", ROOT_LENGTH)).values("root")
    return provinces.filter(path__in=roots)


@login_required
def calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
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
                by=request.user,
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
