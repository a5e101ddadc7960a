"""Public pages, no login: "is this page real?" and the directory of official pages."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts_registry.selectors import public
from accounts_registry.throttling import (
    PublicDirectoryThrottle,
    PublicVerifyThrottle,
    retry_after,
)

PAGE_SIZE = 30


@require_safe
def verify(request: HttpRequest) -> HttpResponse:
    """A box to paste a link into, and the verdict on the same page (GET, so it can be shared)."""
    url = request.GET.get("url", "").strip()
    verdict = None
    if url:
        # Only verifications count against the allowance, not showing the empty form.
        wait = retry_after(request, PublicVerifyThrottle)
        if wait is not None:
            return _rate_limited(request, wait)
        verdict = public.verify_url(url)
    return render(
        request,
        "accounts_registry/public/verify.html",
        {"url": url, "verdict": verdict, "max_length": public.MAX_URL_LENGTH},
    )


@require_safe
def directory(request: HttpRequest) -> HttpResponse:
    """Approved pages, searchable by page, body and unit, filtered by platform and province."""
    wait = retry_after(request, PublicDirectoryThrottle)
    if wait is not None:
        return _rate_limited(request, wait)
    query = request.GET.get("q", "").strip()
    platform = request.GET.get("platform", "").strip()
    province_param = request.GET.get("province", "").strip()
    province = int(province_param) if province_param.isdigit() else None
    pages = public.directory_pages(query=query, platform=platform, province=province)
    page = Paginator(pages, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts_registry/public/directory.html",
        {
            "page": page,
            "rows": public.public_pages(page.object_list),
            "query": query,
            "platform": platform,
            "province": province,
            "platforms": list(public.directory_platforms()),
            "provinces": list(public.directory_provinces(on=timezone.localdate())),
            "filtered": bool(query or platform or province),
        },
    )


def _rate_limited(request: HttpRequest, wait: int) -> HttpResponse:
    response = render(
        request,
        "accounts_registry/public/rate_limited.html",
        {"wait": wait},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response
