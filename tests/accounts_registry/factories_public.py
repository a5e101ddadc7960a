"""Pages and contacts for the public verification and directory tests, written with the ORM."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit

from django.utils import timezone

from accounts_registry import canonical
from accounts_registry.models import ContactPerson, PageState, Platform, SocialPage
from units.models import Body

# The contact's details: tests assert that none of them reaches a public answer.
CONTACT_NAME = "Trần Thị Bí Mật"
CONTACT_PHONE = "0912 345 678"
CONTACT_EMAIL = "dau.moi.bi.mat@camngoc.gov.vn"
PAGE_NOTE = "Ghi chú nội bộ không công khai"
REVIEW_NOTE = "Nhận xét thẩm định không công khai"


def page(
    body: Body,
    url: str,
    *,
    platform: str = "facebook",
    state: str = PageState.APPROVED,
    display_name: str | None = None,
    permanent_id: str | None = None,
    is_platform_verified: bool = False,
    platform_verified_on: date | None = None,
    approved_at: datetime | None = None,
    archived_at: datetime | None = None,
) -> SocialPage:
    """A page as registration would store it: canonicalised by the real canonicaliser."""
    platform_row = Platform.objects.get(code=platform)
    hosts = tuple(platform_row.hosts) or (urlsplit(url).hostname or "",)
    found = canonical.canonicalise(url, platform_row.rules, extra_hosts=hosts)
    now = timezone.now()
    return SocialPage.objects.create(
        body=body,
        platform=platform_row,
        display_name=display_name or body.name,
        url=found.url,
        canonical_key=found.key,
        permanent_id=(found.platform_id or "") if permanent_id is None else permanent_id,
        is_platform_verified=is_platform_verified,
        platform_verified_on=platform_verified_on,
        state=state,
        notes=PAGE_NOTE,
        review_note=REVIEW_NOTE,
        approved_at=approved_at
        or (now if state in (PageState.APPROVED, PageState.ARCHIVED) else None),
        archived_at=archived_at or (now if state == PageState.ARCHIVED else None),
    )


def contact(body: Body, *, on_page: SocialPage | None = None) -> ContactPerson:
    """The body's contact person (or the page's own), with details that must stay private."""
    return ContactPerson.objects.create(
        body=body,
        page=on_page,
        name=CONTACT_NAME,
        position="Công chức Văn hóa - Xã hội",
        phone=CONTACT_PHONE,
        email=CONTACT_EMAIL,
        notice_number="15/UBND-VHXH",
        notice_date=date(2024, 3, 1),
    )


def private_strings() -> list[str]:
    """Strings that must never appear in a public answer."""
    return [CONTACT_NAME, CONTACT_PHONE, CONTACT_EMAIL, PAGE_NOTE, REVIEW_NOTE]
