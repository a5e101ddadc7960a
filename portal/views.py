"""Portal-wide pages: the home page of each user and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from units import selectors
from users import scope


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's scope at a glance: their roles, units and bodies, with counts."""
    grants = scope.grants_for(request.user)
    assignments = list(selectors.role_assignments(request.user))
    context = {
        "grants": grants,
        "assignments": assignments,
        "level_counts": selectors.unit_counts_by_level(request.user),
        "body_count": selectors.body_count(request.user),
        "my_bodies": scope.bodies(request.user).filter(pk__in=sorted(grants.body_ids))
        if grants.body_ids
        else [],
    }
    return render(request, "portal/home.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for the container health check."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
