"""The user's own settings pages (login, logout and passwords are Django's views)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from users.forms import NotificationSettingsForm
from users.requests import AuthenticatedHttpRequest


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Whether the signed-in user also gets notices by email.

    The form is bound to ``request.user`` and nothing else: there is no user id in the URL
    or the form, so nobody can change another user's choice.
    """
    # An unticked checkbox sends nothing: a POST with no data is still a submission.
    data = request.POST if request.method == "POST" else None
    form = NotificationSettingsForm(data, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification settings were saved."))
        return redirect("notification_settings")
    email = getattr(request.user, "email", "")
    return render(
        request, "registration/notification_settings.html", {"form": form, "email": email}
    )
