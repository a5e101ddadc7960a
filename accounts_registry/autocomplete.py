"""Autocomplete endpoints of the pickers (``units/pickers.py``): the first matches as JSON.

Each answer holds at most ``LIMIT`` rows, found through ``users.scope`` (a body, unit or page
the user may not pick is never offered) by the trigram-indexed folded names
(``units/search.py``). The endpoints are rate limited by the portal's limiter
(``accounts_registry/throttling.py``): per user when logged in (``PORTAL_AUTOCOMPLETE_RATE``),
per client address for the public fake-page form (the directory's allowance, counted apart).

    GET /units/autocomplete/bodies/?q=cam ngoc[&for=edit]
    {"results": [{"id": 7, "label": "UBND xã Cẩm Ngọc — Xã Cẩm Ngọc"}], "more": false}

``answer`` is the one way to answer a picker: the directive form's pickers
(``directives/autocomplete.py``) use it too. The routes keep the ``units`` namespace
(``accounts_registry/urls_units.py``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts_registry.models import SocialPage
from accounts_registry.throttling import _PublicThrottle, retry_after
from portal.search import search_words
from units.models import Body
from units.pickers import LABELS, PickerKind, search_scope
from users import scope
from users.scope import Action

LIMIT = 10
# Fewer folded letters than this match too much to be worth a query.
MIN_LENGTH = 2


class AutocompleteThrottle(_PublicThrottle):
    """Picker searches of a logged-in user, counted per user (a few per second of typing)."""

    scope = "autocomplete"
    rate_setting = "PORTAL_AUTOCOMPLETE_RATE"
    default_rate = "300/min"

    def get_ident(self, request: Any) -> str:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return f"user:{user.pk}"
        return super().get_ident(request)


class PublicAutocompleteThrottle(_PublicThrottle):
    """The public fake-page form's body search: the directory's rate, a separate count."""

    scope = "public_autocomplete"
    rate_setting = "PORTAL_PUBLIC_DIRECTORY_RATE"
    default_rate = "120/min"


def answer(
    request: HttpRequest,
    queryset: QuerySet[Any],
    kind: PickerKind,
    throttle: type[_PublicThrottle] = AutocompleteThrottle,
) -> JsonResponse:
    """The first matches of ``?q=`` among ``queryset`` (already scoped), as JSON."""
    text = request.GET.get("q", "")
    if sum(len(word) for word in search_words(text)) < MIN_LENGTH:
        return _json({"results": [], "more": False})
    wait = retry_after(request, throttle)
    if wait is not None:
        response = _json({"detail": _("Too many searches: wait a moment, then type again.")})
        response.status_code = 429
        response["Retry-After"] = str(wait)
        return response
    label_of = LABELS[kind]
    found = list(search_scope(queryset, kind, text)[: LIMIT + 1])
    return _json(
        {
            "results": [{"id": item.pk, "label": label_of(item)} for item in found[:LIMIT]],
            "more": len(found) > LIMIT,
        }
    )


def _json(data: dict[str, Any]) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    # Answers depend on the user's scope: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


def pickable_bodies(user: Any, action: Action = Action.VIEW) -> QuerySet[Body]:
    """The bodies a user may pick: in scope for ``action``, not archived."""
    return scope.bodies(user, action).filter(archived_at__isnull=True)


def reportable_pages(user: Any) -> QuerySet[SocialPage]:
    """Live pages of the bodies the user may edit: those whose loss of control they report."""
    return (
        SocialPage.objects.live()
        .filter(body__in=pickable_bodies(user, Action.EDIT).values("pk"))
        .select_related("body", "platform")
    )


def public_bodies() -> QuerySet[Body]:
    """The bodies anyone may name in a public report: open today, their unit in force."""
    return Body.objects.filter(scope.body_open_q(timezone.localdate())).select_related("unit")


@login_required
@require_GET
def bodies(request: HttpRequest) -> JsonResponse:
    """Bodies in the user's scope; ``?for=edit``: only those the user may edit."""
    action = Action.EDIT if request.GET.get("for") == "edit" else Action.VIEW
    return answer(request, pickable_bodies(request.user, action), PickerKind.BODY)


@login_required
@require_GET
def units(request: HttpRequest) -> JsonResponse:
    """Administrative units in the user's scope (past ones too: lists filter on history)."""
    user: Any = request.user
    return answer(request, scope.units(user), PickerKind.UNIT)


@login_required
@require_GET
def pages(request: HttpRequest) -> JsonResponse:
    """Live pages of the bodies the user may edit (the incident form's page field)."""
    return answer(request, reportable_pages(request.user), PickerKind.PAGE)


@require_GET
def public(request: HttpRequest) -> JsonResponse:
    """Bodies in force, for the public fake-page form: no login, limited per address."""
    return answer(request, public_bodies(), PickerKind.BODY, PublicAutocompleteThrottle)
