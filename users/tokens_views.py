"""The "API tokens" page: create one (shown once), list them, revoke one. Own tokens only."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from users import tokens
from users.requests import AuthenticatedHttpRequest


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the name of a script or a computer."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the user's tokens; a valid POST creates one and shows it, this once only.

    The page that shows a new token is the answer to the POST itself, never stored: it is
    not in the session, in a message or in a redirect, and logged-in pages are no-store.
    """
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, clear = tokens.issue(
                request.user,
                name=form.cleaned_data["name"],
                request=request,
            )
        except tokens.TooManyTokens:
            form.add_error(None, tokens.too_many_message())
        else:
            created = {"token": token, "clear": clear}
            form = ApiTokenForm()
    context = {
        "form": form,
        "created": created,
        "tokens": list(tokens.tokens_of(request.user)),
        "now": timezone.now(),
        "ttl_days": tokens.ttl().days,
    }
    return render(request, "users/tokens.html", context)


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Revoke one of the user's own tokens; anyone else's is a 404."""
    token = get_object_or_404(tokens.tokens_of(request.user), pk=pk)
    tokens.revoke(token, request=request)
    messages.success(
        request, _("The token “%(name)s” was revoked: it no longer works.") % {"name": token.name}
    )
    return redirect("api_tokens")
