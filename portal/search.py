"""Bounds on every search a person can type, public or staff.

Each word of a search becomes a condition (often a sub-query over the units above a page), so
an unbounded query is a cheap way to occupy every worker: 2,000 words once took 44 s and ended
in "Expression tree is too large". ``SearchBoundsMiddleware`` refuses an over-long search
before any view runs, with a clear 400; ``search_words`` caps what a selector uses, for the
callers that do not come through a request.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from portal.text import fold

# Longer than any real name of a body, a unit or a page, with room to spare.
MAX_SEARCH_LENGTH = 200
MAX_SEARCH_WORDS = 10
# The query parameters that hold free-text searches, in pages and in the API.
SEARCH_PARAMETERS = ("q", "search", "query")


def search_problem(value: str) -> str | None:
    """Why a search cannot be run as typed (a sentence for the person), or None."""
    if len(value.split()) > MAX_SEARCH_WORDS:
        return _("The search has too many words: use at most %(count)d.") % {
            "count": MAX_SEARCH_WORDS
        }
    if len(value) > MAX_SEARCH_LENGTH:
        return _("The search is too long: use at most %(count)d characters.") % {
            "count": MAX_SEARCH_LENGTH
        }
    return None


def search_words(value: str) -> list[str]:
    """The distinct folded words of a search, at most ``MAX_SEARCH_WORDS`` of them."""
    words = list(dict.fromkeys(fold(value[:MAX_SEARCH_LENGTH]).split()))
    return words[:MAX_SEARCH_WORDS]


class SearchBoundsMiddleware:
    """Answer 400, before any view or query, when a search parameter is out of bounds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name in SEARCH_PARAMETERS:
            for value in request.GET.getlist(name):
                problem = search_problem(value)
                if problem:
                    return self._refuse(request, name, problem)
        return self.get_response(request)

    def _refuse(self, request: HttpRequest, name: str, problem: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            return HttpResponse(
                json.dumps({name: [problem]}, ensure_ascii=False),
                status=400,
                content_type="application/json",
            )
        html = render_to_string("400_search.html", {"problem": problem}, request=request)
        return HttpResponse(html, status=400)
