"""Portal-wide pages: the home page of each user and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from accounts_registry.selectors.pages import registry_summary
from users import scope, selectors
from users.requests import AuthenticatedHttpRequest


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's scope at a glance: their roles, units and bodies, with counts."""
    grants = scope.grants_for(request.user)
    assignments = list(selectors.role_assignments(request.user))
    context = {
        "grants": grants,
        "assignments": assignments,
        "has_role": not grants.is_empty,
        # Units closed by a reorganisation stay browsable but are not counted as current.
        "level_counts": selectors.unit_counts_by_level(
            request.user, in_force_on=timezone.localdate()
        )
        if not grants.is_empty
        else [],
        "body_count": selectors.body_count(request.user) if not grants.is_empty else 0,
        "my_bodies": list(selectors.staff_bodies(request.user)) if grants.body_ids else [],
        "my_units": list(selectors.overseen_units(request.user)) if grants.subtree_paths else [],
        # What still needs doing on the pages in scope: one aggregate query.
        "registry": registry_summary(request.user) if not grants.is_empty else None,
    }
    return render(request, "portal/home.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for the container health check."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
