"""The in-app inbox: every notice the portal sent the user, newest first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from notifications import selectors
from users.requests import AuthenticatedHttpRequest

PAGE_SIZE = 50


@login_required
@require_GET
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's notices, newest first, with the unread ones marked."""
    user = request.user
    page = Paginator(selectors.notifications_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread": selectors.unread_count(user)},
    )


@login_required
@require_POST
def notifications_mark_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    selectors.notifications_for(user).filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications:list")
