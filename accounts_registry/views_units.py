"""Browsing units and bodies within the user's scope."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from accounts_registry.selectors.pages import can_register_for
from units.models import BodyKind, UnitLevel
from users import scope, selectors
from users.requests import AuthenticatedHttpRequest

PAGE_SIZE = 50


@login_required
def unit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Units in scope, searchable by name (any case, with or without diacritics)."""
    query = request.GET.get("q", "").strip()
    level = request.GET.get("level", "")
    units = selectors.search_units(request.user, query=query, level=level)
    page = Paginator(units.select_related("level", "parent"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # Parents outside the user's scope are shown as plain text: a link would only 404.
    visible_parent_ids = selectors.visible_unit_ids(request.user, (unit.parent_id for unit in page))
    return render(
        request,
        "units/unit_list.html",
        {
            "page": page,
            "query": query,
            "level": level,
            "levels": UnitLevel.objects.all(),
            "visible_parent_ids": visible_parent_ids,
        },
    )


@login_required
def unit_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One unit: where it sits, what it became or came from, its sub-units and bodies."""
    unit = scope.get_unit_or_404(request.user, pk)
    ancestors = selectors.ancestors(unit)
    predecessors = selectors.predecessors(unit)
    children = Paginator(
        selectors.search_units(request.user, parent=unit).select_related("level"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    bodies = list(
        selectors.search_bodies(request.user, unit=unit).select_related("supervising_body")
    )
    visible_ids = selectors.visible_unit_ids(
        request.user,
        [*selectors.pks(ancestors), *selectors.pks(predecessors), unit.succeeded_by_id],
    )
    return render(
        request,
        "units/unit_detail.html",
        {
            "unit": unit,
            "ancestors": ancestors,
            "visible_ids": visible_ids,
            "predecessors": predecessors,
            "children": children,
            "bodies": bodies,
        },
    )


@login_required
def body_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Bodies in scope, searchable by name and filtered by kind."""
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    include_archived = request.GET.get("archived") == "1"
    bodies = selectors.search_bodies(
        request.user, query=query, kind=kind, include_archived=include_archived
    )
    page = Paginator(bodies.select_related("supervising_body"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    visible_unit_ids = selectors.visible_unit_ids(request.user, (body.unit_id for body in page))
    return render(
        request,
        "units/body_list.html",
        {
            "page": page,
            "query": query,
            "kind": kind,
            "kinds": BodyKind.choices,
            "include_archived": include_archived,
            "visible_unit_ids": visible_unit_ids,
        },
    )


@login_required
def body_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One body: its unit, kind, supervising body and contact details."""
    body = scope.get_body_or_404(request.user, pk)
    ancestors = [*selectors.ancestors(body.unit), body.unit]
    supervising = body.supervising_body
    supervised = list(
        selectors.search_bodies(request.user).filter(supervising_body=body).order_by("name")
    )
    return render(
        request,
        "units/body_detail.html",
        {
            "body": body,
            "ancestors": ancestors,
            "visible_ids": selectors.visible_unit_ids(request.user, selectors.pks(ancestors)),
            "supervising": supervising,
            "supervising_visible": supervising is not None
            and bool(selectors.visible_body_ids(request.user, [supervising.pk])),
            "supervised": supervised,
            "can_register_pages": can_register_for(request.user, body),
        },
    )
