"""Demo registry: a few pages of Xã Cẩm Ngọc and Huyện Cẩm Thủy, through the real services.

It runs after ``demo.hierarchy.build_demo`` (it needs its users and bodies) and is idempotent: a
page whose address is already registered is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from accounts_registry.models import ContactPerson, Platform, SocialPage
from accounts_registry.services import contacts, pages
from units.models import Body
from users import scope
from users.models import Role, User

# The day the history's registry is recorded on (``load_demo``'s ``HISTORY_RECORDED_AT``).
HISTORY_DAY = date(2024, 4, 1)


@dataclass(frozen=True)
class DemoPage:
    body: str  # "commune" (the commune staff's body) or "district" (its supervising body)
    platform: str
    url: str
    display_name: str
    approve: bool
    verified_on: date | None = None
    responsible_unit: str = ""


DEMO_PAGES = [
    DemoPage(
        "commune",
        "facebook",
        "https://www.facebook.com/ubndxacamngoc",
        "UBND xã Cẩm Ngọc",
        approve=True,
        responsible_unit="Công chức Văn hóa - Xã hội xã Cẩm Ngọc",
    ),
    DemoPage(
        "commune",
        "zalo",
        "https://zalo.me/2815460581237512345",
        "UBND xã Cẩm Ngọc",
        approve=False,
        responsible_unit="Văn phòng - Thống kê xã Cẩm Ngọc",
    ),
    DemoPage(
        "district",
        "facebook",
        "https://www.facebook.com/camthuy.thanhhoa",
        "Cổng thông tin huyện Cẩm Thủy",
        approve=True,
        verified_on=date(2023, 5, 10),
        responsible_unit="Phòng Văn hóa và Thông tin huyện Cẩm Thủy",
    ),
]


def build_demo_registry() -> int:
    """Register the demo pages that are missing; return how many were created."""
    staff = User.objects.get(username="xa.camngoc")
    officer = User.objects.get(username="huyen.camthuy")
    commune_body = Body.objects.get(
        role_assignments__user=staff, role_assignments__role=Role.BODY_STAFF
    )
    bodies = {"commune": commune_body, "district": commune_body.supervising_body}
    platforms = {p.code: p for p in Platform.objects.all()}
    created = 0
    with transaction.atomic():
        for spec in DEMO_PAGES:
            body = bodies[spec.body]
            platform = platforms[spec.platform]
            key = pages.canonicalise_for(platform, spec.url).key
            if (
                body is None
                or SocialPage.objects.live().filter(platform=platform, canonical_key=key).exists()
            ):
                continue
            page = pages.page_register(
                body=body,
                platform=platform,
                url=spec.url,
                display_name=spec.display_name,
                by=staff,
                is_platform_verified=spec.verified_on is not None,
                platform_verified_on=spec.verified_on,
                responsible_unit=spec.responsible_unit,
            )
            if spec.approve:
                # The history's steps, judged on its day as the site judged them then (the
                # workflow checks who acts); the district's page has none of its staff in the
                # demo: the system sends it.
                with scope.acting_on(HISTORY_DAY):
                    pages.page_submit(page=page, by=staff if body == commune_body else None)
                    pages.page_approve(page=page, by=officer)
            created += 1
        if not ContactPerson.objects.filter(
            body=commune_body, page__isnull=True, archived_at__isnull=True
        ).exists():
            contacts.contact_set(
                body=commune_body,
                name=staff.get_full_name(),
                position=staff.position,
                phone="0912 345 678",
                email="vhxh.camngoc@demo.example",
                notice_number="45/UBND-VHTT",
                notice_date=date(2024, 5, 6),
                by=staff,
            )
    return created
