"""Browsing units and bodies within the user's scope."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from units import selectors
from units.models import BodyKind, UnitLevel
from users import scope

PAGE_SIZE = 50


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    level = request.GET.get("level", "")
    units = selectors.search_units(request.user, query=query, level=level)
    page = Paginator(units.select_related("level", "parent"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "units/unit_list.html",
        {"page": page, "query": query, "level": level, "levels": UnitLevel.objects.all()},
    )


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = scope.get_unit_or_404(request.user, pk)
    children = Paginator(
        selectors.search_units(request.user, parent=unit).select_related("level"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    bodies = selectors.search_bodies(request.user, unit=unit).select_related("supervising_body")
    visible_ids = set(
        scope.units(request.user).filter(pk__in=unit.ancestor_ids()).values_list("pk", flat=True)
    )
    return render(
        request,
        "units/unit_detail.html",
        {
            "unit": unit,
            "ancestors": selectors.ancestors(unit),
            "visible_ancestor_ids": visible_ids,
            "children": children,
            "bodies": bodies,
        },
    )


@login_required
def body_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    kind = request.GET.get("kind", "")
    bodies = selectors.search_bodies(request.user, query=query, kind=kind)
    page = Paginator(bodies.select_related("supervising_body"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "units/body_list.html",
        {"page": page, "query": query, "kind": kind, "kinds": BodyKind.choices},
    )


@login_required
def body_detail(request: HttpRequest, pk: int) -> HttpResponse:
    body = scope.get_body_or_404(request.user, pk)
    return render(
        request,
        "units/body_detail.html",
        {
            "body": body,
            "ancestors": selectors.ancestors(body.unit),
            "can_edit": scope.can(request.user, scope.Action.EDIT, body),
        },
    )
