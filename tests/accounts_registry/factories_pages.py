"""Helpers that put official pages (and what their gaps look at) into the database."""

from __future__ import annotations

import itertools
from typing import Any

from django.utils import timezone

from accounts_registry.models import (
    ContactPerson,
    PageState,
    Platform,
    PostingRules,
    SocialPage,
)
from accounts_registry.services import pages as services
from units.models import Body
from users.models import User

_handles = itertools.count(1)


def platform(code: str = "facebook") -> Platform:
    return Platform.objects.get(code=code)


def next_url() -> str:
    return f"https://www.facebook.com/trangthunghiem{next(_handles)}"


def page(
    body: Body,
    *,
    state: str = PageState.DRAFT,
    url: str | None = None,
    platform_code: str = "facebook",
    display_name: str | None = None,
    by: User | None = None,
    **kwargs: Any,
) -> SocialPage:
    """A page of ``body`` registered and moved to ``state`` through the services."""
    registered = services.page_register(
        body=body,
        platform=platform(platform_code),
        url=url or next_url(),
        display_name=display_name or f"Trang của {body.name}",
        by=by,
        **kwargs,
    )
    if state == PageState.DRAFT:
        return registered
    if state == PageState.ARCHIVED:
        return services.page_archive(page=registered, by=by)
    submitted = services.page_submit(page=registered, by=by)
    if state == PageState.SUBMITTED:
        return submitted
    if state == PageState.RETURNED:
        return services.page_return(page=submitted, by=by, note="Thiếu tên bộ phận quản lý.")
    return services.page_approve(page=submitted, by=by)


def contact(body: Body, *, page: SocialPage | None = None, **kwargs: Any) -> ContactPerson:
    values: dict[str, Any] = {"name": "Nguyễn Thị Lan", "phone": "0912 345 678", **kwargs}
    return ContactPerson.objects.create(body=body, page=page, **values)


def rules(body: Body, **kwargs: Any) -> PostingRules:
    version = PostingRules.objects.filter(body=body).count() + 1
    values: dict[str, Any] = {
        "document_number": f"{version}/QĐ-UBND",
        "issued_on": timezone.localdate(),
        "signed_by": "Lê Văn Minh",
        "file": f"posting-rules/{body.pk}/noi-quy-{version}.pdf",
        "original_filename": "noi-quy.pdf",
        "content_type": "application/pdf",
        "size": 1024,
        "sha256": "0" * 64,
        **kwargs,
    }
    return PostingRules.objects.create(body=body, version=version, **values)
