"""Helpers that put official pages (and what their gaps look at) into the database."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
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
from portal.text import fold
from units.models import AdministrativeUnit, Body, BodyKind
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


def generated_registry(*, states: Sequence[str], count: int, seed: int) -> None:
    """Bodies in every unit and twice ``count`` pages named from a few words, written in bulk:
    the search tests compare the search documents with the plain path on them."""
    rng = random.Random(seed)
    words = ["ubnd", "xã", "Cẩm", "Ngọc", "Thủy", "trường", "THCS", "hội", "đoàn", "an", "x"]
    platforms = list(Platform.objects.filter(code__in=["facebook", "zalo", "youtube"]))
    units = list(AdministrativeUnit.objects.all())
    bodies = Body.objects.bulk_create(
        Body(
            unit=rng.choice(units),
            kind=BodyKind.PUBLIC_SERVICE_UNIT,
            name=(name := f"{' '.join(rng.sample(words, 3))} {n}"),
            search_name=fold(name),
        )
        for n in range(count)
    )
    SocialPage.objects.bulk_create(
        SocialPage(
            body=rng.choice(bodies),
            platform=rng.choice(platforms),
            display_name=(name := " ".join(rng.sample(words, 2))),
            url=f"https://www.facebook.com/sinh{n}",
            canonical_key=f"sinh{n}",
            state=rng.choice(states),
            search_name=fold(f"{name} https://www.facebook.com/sinh{n}"),
        )
        for n in range(count * 2)
    )
