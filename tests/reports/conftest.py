"""A reporting world: the tree, officers at each level, a quarter, and a registry in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from accounts_registry.models import PageState, SocialPage
from accounts_registry.services.contacts import contact_set
from incidents import services as incident_services
from incidents.models import IncidentKind, IncidentState
from reports.models import PeriodKind, ReportingPeriod, UnitReport
from reports.periods import ensure_period
from tests import factories
from tests.accounts_registry.factories_pages import page, rules
from tests.conftest import Tree
from users.models import User

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
# Inside the third quarter of 2026, before any deadline.
IN_QUARTER = datetime(2026, 8, 10, 9, 0, tzinfo=HANOI)


@dataclass
class People:
    province: User  # Thanh Hóa
    cam_thuy: User  # district culture office
    ba_thuoc: User
    cam_ngoc: User  # commune officers
    cam_thanh: User
    cam_ngoc_staff: User  # staff of the commune People's Committee
    tan_uyen: User  # another province's district: sees nothing of Thanh Hóa


@pytest.fixture
def now(time_machine: Any) -> datetime:
    time_machine.move_to(IN_QUARTER, tick=False)
    return IN_QUARTER


@pytest.fixture
def quarter(db: None) -> ReportingPeriod:
    """Quý 3/2026: due 05/10 for communes, 10/10 for districts, 15/10 for the province."""
    return ensure_period(PeriodKind.QUARTERLY, date(2026, 7, 15))


@pytest.fixture
def people(tree: Tree) -> People:
    return People(
        province=factories.officer_of(tree.thanh_hoa),
        cam_thuy=factories.officer_of(tree.cam_thuy),
        ba_thuoc=factories.officer_of(tree.ba_thuoc),
        cam_ngoc=factories.officer_of(tree.cam_ngoc),
        cam_thanh=factories.officer_of(tree.cam_thanh),
        cam_ngoc_staff=factories.staff_of(tree.ubnd_cam_ngoc),
        tan_uyen=factories.officer_of(tree.tan_uyen),
    )


@dataclass
class Registry:
    """What the registry holds for Cẩm Ngọc's People's Committee (and a little elsewhere)."""

    verified: SocialPage  # approved, verified, names a responsible unit
    stale: SocialPage  # approved, not re-confirmed for a year
    draft: SocialPage
    archived: SocialPage


@pytest.fixture
def registry(tree: Tree, people: People, now: datetime) -> Registry:
    """Cẩm Ngọc: 3 live pages (2 approved, 1 verified, 1 stale), 1 archived, a notified
    contact, rules, and incidents: 2 discovered in the quarter (one reported 6 hours later
    and resolved), 1 discovered in the quarter before. Cẩm Thành: one draft page, nothing
    else."""
    body = tree.ubnd_cam_ngoc
    verified = page(
        body,
        state=PageState.APPROVED,
        is_platform_verified=True,
        platform_verified_on=date(2026, 1, 5),
        responsible_unit="Văn phòng HĐND-UBND xã",
        display_name="UBND xã Cẩm Ngọc",
    )
    stale = page(body, state=PageState.APPROVED, display_name="Tuổi trẻ Cẩm Ngọc")
    SocialPage.objects.filter(pk=stale.pk).update(confirmed_at=now - timedelta(days=365))
    draft = page(body, state=PageState.DRAFT, display_name="Cẩm Ngọc quê hương")
    archived = page(body, state=PageState.ARCHIVED, display_name="Trang cũ")
    contact_set(
        body=body,
        name="Nguyễn Thị Hoa",
        phone="0912 345 678",
        notice_number="15/UBND-VP",
        notice_date=date(2026, 3, 1),
        by=people.cam_ngoc_staff,
    )
    rules(body)
    page(tree.ubnd_cam_thanh, state=PageState.DRAFT, display_name="Xã Cẩm Thành")

    staff, officer = people.cam_ngoc_staff, people.cam_thuy
    reported = incident_services.incident_report(
        body=body,
        kind=IncidentKind.IMPERSONATION,
        url="https://www.facebook.com/ubnd.camngoc.gia",
        description="Trang giả mạo.",
        by=staff,
        discovered_at=now - timedelta(hours=6),
    )
    for step in (IncidentState.UNDER_REVIEW, IncidentState.REPORTED_TO_PLATFORM):
        reported = incident_services.incident_transition(
            incident=reported, to_state=step, by=officer, note="Đã kiểm tra."
        )
    incident_services.incident_transition(
        incident=reported, to_state=IncidentState.RESOLVED, by=officer, note="Đã gỡ."
    )
    incident_services.incident_report(
        body=body,
        kind=IncidentKind.LOST_CONTROL,
        page=verified,
        description="Mất mật khẩu.",
        by=staff,
    )
    incident_services.incident_report(
        body=body,
        kind=IncidentKind.IMPERSONATION,
        url="https://www.facebook.com/camngoc.cu",
        description="Từ quý trước.",
        by=staff,
        discovered_at=datetime(2026, 6, 20, 8, 0, tzinfo=HANOI),
    )
    return Registry(verified=verified, stale=stale, draft=draft, archived=archived)


DECLARATIONS: dict[str, Any] = {
    "info_consistent": True,
    "security_measures": True,
    "impersonation_scans": 3,
    "fake_pages_found": 1,
    "dissemination_sessions": 2,
    "participants": 45,
    "positive_posts": 12,
    "comments_answered": 7,
}


def report_of(unit: Any, period: ReportingPeriod) -> UnitReport:
    return UnitReport.objects.get(unit=unit, period=period)
