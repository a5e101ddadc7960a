"""Autocomplete endpoints of the directive form's pickers (``directives/forms/``).

Who may be addressed depends on the issuing body (``?issuer=``, one the user issues for:
``users.scope.issuing_bodies``), and the letter a draft implements is one of the issued
letters the user may read. Answered, scoped and rate limited like every picker
(``accounts_registry.autocomplete.answer``).

    GET /directives/autocomplete/recipients/units/?issuer=12&q=cam thuy
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from accounts_registry.autocomplete import answer
from directives import selectors as directive_selectors
from units.models import Body
from units.pickers import PickerKind
from users import scope


def _issuer(request: HttpRequest) -> Body:
    """The issuing body named by ``?issuer=``: one the user issues for, else 404."""
    issuer = request.GET.get("issuer", "")
    if not issuer.isdigit():
        raise Http404
    user: Any = request.user
    return get_object_or_404(scope.issuing_bodies(user), pk=int(issuer))


@login_required
@require_GET
def recipient_units(request: HttpRequest) -> JsonResponse:
    """Units a letter of ``?issuer=`` may be addressed to (the directive form's recipients)."""
    issuer = _issuer(request)
    return answer(request, directive_selectors.recipient_units(issuer), PickerKind.UNIT)


@login_required
@require_GET
def recipient_bodies(request: HttpRequest) -> JsonResponse:
    """Bodies a letter of ``?issuer=`` may be addressed to (the directive form's recipients)."""
    issuer = _issuer(request)
    return answer(request, directive_selectors.recipient_bodies(issuer), PickerKind.BODY)


@login_required
@require_GET
def directives(request: HttpRequest) -> JsonResponse:
    """Issued letters the user may read: those a new letter may implement."""
    return answer(request, directive_selectors.implementable(request.user), PickerKind.DIRECTIVE)


@login_required
@require_GET
def issuers(request: HttpRequest) -> JsonResponse:
    """Bodies the user issues letters for (the first step of drafting a directive)."""
    user: Any = request.user
    return answer(request, scope.issuing_bodies(user), PickerKind.BODY)
