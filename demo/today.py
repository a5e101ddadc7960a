"""Today's country in the demo: the two-tier Tỉnh Thanh Hóa since 01/07/2025, on top of the
three-tier history that the rest of the demo loads.

The history (the bodies of Huyện Cẩm Thủy and its communes, their pages, the chain of the
five real letters, the reports of Quý 2/2025) is carried over by the reorganisation command's
own code (the ``reorganisation`` app), driven by the official conversion table, as an operator
would run it: Xã Cẩm Ngọc and Thị trấn Phong Sơn become the new Xã Cẩm Thủy, their People's
Committees merge into one, the district is dissolved. On top of that this module adds what
exists now and is not in the history: the People's Committees of the province's 166 communes
and wards (since 01/07/2025), the Sở Thông tin và Truyền thông closed on 01/03/2025 (its
information work went to the Sở Văn hóa, Thể thao và Du lịch), the officer of the new
commune's Phòng Văn hóa - Xã hội, and the reports of the current year. Everything is an
upsert: a second run writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction

from demo import hierarchy
from demo.hierarchy import BodySpec, DemoResult, UserSpec
from demo.reports import backdate, moment
from portal.history import effective_moment, recorded_on
from portal.text import fold
from reorganisation import services as reorganisation
from reports import services as report_services
from reports.build import build_period
from reports.models import PeriodKind, ReportState, UnitReport
from reports.periods import ensure_period
from units.models import AdministrativeUnit, Body, BodyKind, PlanStatus, ReorganisationPlan
from users.models import Role, User

REFORM_TABLE = "conversion-2025-07"
REFORM_ON = date(2025, 7, 1)
# The provinces' Sở Thông tin và Truyền thông ceased when their work was shared out between
# other departments (information and the press went to the Sở Văn hóa, Thể thao và Du lịch).
INFORMATION_DEPARTMENT_CLOSED_ON = date(2025, 3, 1)

THANH_HOA = "Tỉnh Thanh Hóa"
CAM_THUY = "Xã Cẩm Thủy"

# The current year's quarters: the third is over (its reports are under review), the fourth
# is the one being filled in.
LAST_QUARTER_DAY = date(2026, 8, 15)
THIS_QUARTER_DAY = date(2026, 11, 15)

DECLARATIONS: dict[str, Any] = {
    "info_consistent": True,
    "security_measures": True,
    "impersonation_scans": 3,
    "fake_pages_found": 0,
    "dissemination_sessions": 2,
    "participants": 120,
    "positive_posts": 31,
    "comments_answered": 14,
    "achievements": (
        "Ủy ban nhân dân xã đã hợp nhất các trang thông tin của các xã cũ thành trang của xã "
        "mới, cập nhật tên hiệu và đầu mối liên hệ; phổ biến Bộ Quy tắc ứng xử tới cán bộ, "
        "công chức và người dân trên địa bàn."
    ),
    "difficulties": "Địa bàn xã mới rộng, cán bộ phụ trách trang còn kiêm nhiệm.",
    "proposals": "Đề nghị Sở tổ chức tập huấn quản trị trang cho cán bộ cấp xã sau sắp xếp.",
}


@dataclass
class TodayResult:
    reform: str = ""
    bodies: DemoResult = field(default_factory=DemoResult)
    archived: int = 0
    reports: int = 0
    reports_changed: bool = False

    @property
    def changed(self) -> bool:
        return (
            self.reform == "applied"
            or self.bodies.changed
            or bool(self.archived)
            or self.reports_changed
        )

    def summary(self) -> str:
        return (
            f"Today's country: reorganisation of {REFORM_ON:%d/%m/%Y} {self.reform}; "
            f"{self.bodies.bodies_created} bodies and {self.bodies.users_created} users created; "
            f"{self.reports} reports of the current year in {THANH_HOA}."
        )


def reform_applied() -> bool:
    return ReorganisationPlan.objects.filter(table=REFORM_TABLE, status=PlanStatus.APPLIED).exists()


def apply_reform(*, by: User | None) -> str:
    """The reorganisation of 01/07/2025, applied by the command's own code (idempotent)."""
    table, spec = reorganisation.load(table_name=REFORM_TABLE)
    outcome, _plan = reorganisation.run(
        table=table, edition_spec=spec, dry_run=False, by=by, table_name=REFORM_TABLE
    )
    if outcome.refused:
        raise hierarchy.DemoDataError(outcome.refused)
    return "applied" if outcome.applied else "already applied"


def province_today(name: str) -> AdministrativeUnit:
    """The top-level unit of that name in force today (the two-tier one)."""
    found = (
        AdministrativeUnit.objects.filter(parent__isnull=True, search_name=fold(name))
        .filter(valid_from__isnull=False, valid_until__isnull=True)
        .select_related("level")
        .first()
    )
    if found is None:
        raise hierarchy.DemoDataError(f"{name} (two-tier) is not in the database.")
    return found


def _communes(province: AdministrativeUnit) -> list[AdministrativeUnit]:
    return list(province.children.filter(valid_until__isnull=True).order_by("code", "pk"))


def _body_specs(province: AdministrativeUnit) -> list[BodySpec]:
    ubnd = f"ubnd:{province.pk}"
    specs = [hierarchy._people_committee(province, ubnd, None)]
    specs += [
        hierarchy._people_committee(commune, f"ubnd:{commune.pk}", ubnd)
        for commune in _communes(province)
    ]
    return specs


def close_information_departments() -> int:
    """The provinces' Sở Thông tin và Truyền thông ceased on 01/03/2025, with history."""
    closing = list(
        Body.objects.filter(
            kind=BodyKind.DEPARTMENT,
            search_name__startswith=fold("Sở Thông tin và Truyền thông"),
            archived_at__isnull=True,
        )
    )
    closed_at = effective_moment(INFORMATION_DEPARTMENT_CLOSED_ON)
    with recorded_on(closed_at):
        for body in closing:
            body.archived_at = closed_at
            body.save(update_fields=["archived_at", "updated_at"])
    return len(closing)


def _user_specs(province: AdministrativeUnit, commune: AdministrativeUnit) -> list[UserSpec]:
    return [
        UserSpec(
            username="tinh.thanhhoa",
            full_name="Lê Thị Thu Hà",
            position="Chuyên viên Phòng Quản lý Báo chí, Phát thanh, Truyền hình và Thông tin "
            "điện tử, Sở Văn hóa, Thể thao và Du lịch tỉnh Thanh Hóa",
            email="tinh.thanhhoa@demo.example",
            role=Role.PROVINCE_OFFICER,
            unit=province,
        ),
        UserSpec(
            username="xa.camthuy",
            full_name="Phạm Thị Hồng Nhung",
            position="Trưởng phòng Văn hóa - Xã hội, Ủy ban nhân dân xã Cẩm Thủy",
            email="xa.camthuy@demo.example",
            role=Role.UNIT_OFFICER,
            unit=commune,
        ),
        UserSpec(
            username="xa.camngoc",
            full_name="Bùi Thị Lan",
            position="Công chức Văn hóa - Xã hội, Ủy ban nhân dân xã Cẩm Thủy "
            "(trước đây xã Cẩm Ngọc)",
            email="xa.camngoc@demo.example",
            role=Role.BODY_STAFF,
            body_key=f"ubnd:{commune.pk}",
        ),
    ]


def _reports(province: AdministrativeUnit, result: TodayResult) -> None:
    """Quý 3/2026 under review (Cẩm Thủy accepted, Cẩm Tú returned, Cẩm Vân waiting) and the
    current Quý 4/2026 being filled in, for the province's units."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["tinh.thanhhoa", "xa.camngoc", "admin"])
    }
    subtree = list(
        AdministrativeUnit.objects.filter(valid_until__isnull=True)
        .subtree_of(province)
        .values_list("pk", flat=True)
    )
    last = ensure_period(PeriodKind.QUARTERLY, LAST_QUARTER_DAY)
    current = ensure_period(PeriodKind.QUARTERLY, THIS_QUARTER_DAY)
    for period in (last, current):
        if not UnitReport.objects.filter(period=period, unit=province).exists():
            build_period(period, unit_ids=subtree)
            result.reports_changed = True
    result.reports = UnitReport.objects.filter(
        period__in=[last, current], unit_id__in=subtree
    ).count()
    communes = {c.name: c for c in _communes(province)}
    reviewer = users.get("tinh.thanhhoa")
    story = [
        (CAM_THUY, users.get("xa.camngoc"), "accept"),
        ("Xã Cẩm Tú", users.get("admin"), "return"),
        ("Xã Cẩm Vân", users.get("admin"), None),
    ]
    for name, preparer, decision in story:
        unit = communes.get(name)
        report = UnitReport.objects.filter(period=last, unit=unit).first() if unit else None
        if report is None or preparer is None or reviewer is None:
            continue
        if report.state != ReportState.DRAFT or report.steps.exists():
            continue
        result.reports_changed = True
        report_services.report_update(report=report, by=preparer, **DECLARATIONS)
        report_services.report_submit(report=report, by=preparer)
        if decision == "accept":
            report_services.report_accept(report=report, by=reviewer, note="Số liệu đầy đủ.")
        elif decision == "return":
            report_services.report_return(
                report=report,
                by=reviewer,
                note="Đề nghị bổ sung số trang đã hợp nhất sau sắp xếp đơn vị hành chính.",
            )
        # Sent in October, on time for the commune's due date; reviewed a week later.
        backdate(
            report, submitted=moment(date(2026, 10, 3), 9), decided=moment(date(2026, 10, 9), 15)
        )


@transaction.atomic
def build_today(*, reset_passwords: bool = False) -> TodayResult:
    """Apply the reorganisation (once), then add what exists today; idempotent."""
    result = TodayResult()
    admin = User.objects.filter(username="admin").first()
    result.reform = apply_reform(by=admin)
    province = province_today(THANH_HOA)
    commune = next((c for c in _communes(province) if fold(c.name) == fold(CAM_THUY)), None)
    if commune is None:
        raise hierarchy.DemoDataError(f"{CAM_THUY} is not in {THANH_HOA} (two-tier).")
    # The committees of the new communes exist since the day the reorganisation took effect.
    with recorded_on(effective_moment(REFORM_ON)):
        bodies = hierarchy._upsert_bodies(_body_specs(province), result.bodies)
    result.archived = close_information_departments()
    hierarchy._upsert_users(
        _user_specs(province, commune), bodies, result.bodies, reset_passwords=reset_passwords
    )
    _reports(province, result)
    return result
