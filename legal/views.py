"""The legal library's pages: public, since the Code is public law read by citizens and officers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from legal import selectors
from legal.models import LibraryContent, TextStatus


def library_list(request: HttpRequest) -> HttpResponse:
    """The legal texts loaded in the portal."""
    return render(
        request, "legal/library_list.html", {"libraries": list(selectors.text_libraries())}
    )


def library_detail(request: HttpRequest, library_id: str) -> HttpResponse:
    """A whole text on one page, every node anchored by its id, searchable without diacritics."""
    library = get_object_or_404(
        selectors.text_libraries(), library_id=library_id, content=LibraryContent.TEXT
    )
    query = request.GET.get("q", "").strip()
    rows, match_count = selectors.library_rows(library, query=query)
    return render(
        request,
        "legal/library_detail.html",
        {
            "library": library,
            "rows": rows,
            "query": query,
            "match_count": match_count,
            "has_summaries": any(row.node.text_status == TextStatus.SUMMARY for row in rows),
            "retired": [] if query else selectors.retired_nodes(library),
        },
    )


def criteria_list(request: HttpRequest) -> HttpResponse:
    """The compliance criteria, each with the clauses it cites."""
    return render(request, "legal/criteria_list.html", {"criteria": selectors.criteria()})
