"""The demo's compliance reports: Quý 2/2025 in Thanh Hóa, part way up the chain.

The demo's hierarchy is the three-tier country, in force until 30/06/2025, so the demo
reports on the second quarter of 2025 (the last quarter of that hierarchy). Cẩm Thủy's
communes show every state: Cẩm Ngọc accepted by the district, Cẩm Thành returned with a
note, Cẩm Tâm submitted and waiting for review, the others drafts. The district's own
report is a draft, for the demo's district officer to submit. Steps go through the
services, so each is recorded with its author. Loading twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from reports import services
from reports.build import build_period
from reports.models import PeriodKind, ReportChildRow, ReportState, ReportStep, UnitReport
from reports.periods import ensure_period
from units.models import AdministrativeUnit
from users import scope
from users.models import User

QUARTER_DAY = date(2025, 4, 15)
# When the story happened: the communes sent their reports at the end of June 2025 and the
# district reviewed them on its last day, 30/06/2025, before it was dissolved (the story is
# told as of the period's end, when these units were in force).
SUBMITTED_ON = date(2025, 6, 27)
REVIEWED_ON = date(2025, 6, 30)

DECLARATIONS = {
    "info_consistent": True,
    "security_measures": True,
    "impersonation_scans": 3,
    "fake_pages_found": 1,
    "dissemination_sessions": 2,
    "participants": 85,
    "positive_posts": 24,
    "comments_answered": 9,
    "achievements": (
        "Các cơ quan trên địa bàn đã rà soát, đăng ký trang thông tin chính thức; tổ chức "
        "phổ biến Bộ Quy tắc ứng xử tới cán bộ, công chức và người dân."
    ),
    "difficulties": "Một số cán bộ phụ trách trang còn kiêm nhiệm, chưa được tập huấn.",
    "proposals": "Đề nghị cấp trên tổ chức tập huấn kỹ năng quản trị trang cho cấp xã.",
}


@dataclass
class DemoReports:
    period_label: str = ""
    reports: int = 0
    changed: bool = False

    def summary(self) -> str:
        return f"Demo reports: {self.period_label}, {self.reports} reports in Thanh Hóa."


def _unit(name: str, parent: AdministrativeUnit | None = None) -> AdministrativeUnit | None:
    units = AdministrativeUnit.objects.filter(name=name, valid_until__isnull=False)
    if parent is not None:
        units = units.filter(parent=parent)
    return units.first()


def backdate(report: UnitReport, *, submitted: datetime, decided: datetime) -> None:
    """Date a demo report's steps when the story says they happened, not when it was loaded
    (the services stamp them now): its submission, the review, and the level above's row."""
    report.refresh_from_db()
    accepted = {"accepted_at": decided} if report.state == ReportState.ACCEPTED else {}
    UnitReport.objects.filter(pk=report.pk).update(
        first_submitted_at=submitted, submitted_at=submitted, **accepted
    )
    steps = list(report.steps.order_by("pk"))
    for step in steps:
        step.at = submitted if step.to_state == ReportState.SUBMITTED else decided
    ReportStep.objects.bulk_update(steps, ["at"])
    ReportChildRow.objects.filter(child_report_id=report.pk).update(child_submitted_at=submitted)


def moment(day: date, hour: int) -> datetime:
    """A local time on a day of the story."""
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


@transaction.atomic
def build_demo_reports() -> DemoReports:
    result = DemoReports()
    thanh_hoa = _unit("Tỉnh Thanh Hóa")
    cam_thuy = _unit("Huyện Cẩm Thủy", thanh_hoa) if thanh_hoa else None
    users = {
        user.username: user
        for user in User.objects.filter(username__in=["admin", "huyen.camthuy", "xa.camngoc"])
    }
    if thanh_hoa is None or cam_thuy is None or len(users) < 3:
        return result
    period = ensure_period(PeriodKind.QUARTERLY, QUARTER_DAY)
    result.period_label = period.label
    subtree = AdministrativeUnit.objects.in_force_on(period.ends_on).subtree_of(thanh_hoa)
    if not UnitReport.objects.filter(period=period, unit=cam_thuy).exists():
        build_period(period, unit_ids=list(subtree.values_list("pk", flat=True)))
        result.changed = True
    result.reports = UnitReport.objects.filter(period=period, unit__in=subtree).count()

    communes = {unit.name: unit for unit in AdministrativeUnit.objects.filter(parent=cam_thuy)}
    reviewer, admin = users["huyen.camthuy"], users["admin"]
    # (commune, who fills it in, what the district does with it)
    story = [
        ("Xã Cẩm Ngọc", users["xa.camngoc"], "accept"),
        ("Xã Cẩm Thành", admin, "return"),
        ("Xã Cẩm Tâm", admin, None),
    ]
    for name, preparer, decision in story:
        unit = communes.get(name)
        report = UnitReport.objects.filter(period=period, unit=unit).first() if unit else None
        if report is None or report.state != ReportState.DRAFT or report.steps.exists():
            continue
        result.changed = True
        # The story is history: told as of the period's end, when these units were in force.
        with scope.acting_on(period.ends_on):
            services.report_update(report=report, by=preparer, **DECLARATIONS)
            services.report_submit(report=report, by=preparer)
            if decision == "accept":
                services.report_accept(report=report, by=reviewer, note="Số liệu đầy đủ.")
            elif decision == "return":
                services.report_return(
                    report=report,
                    by=reviewer,
                    note="Đề nghị bổ sung số buổi tuyên truyền và số người tham dự.",
                )
        backdate(report, submitted=moment(SUBMITTED_ON, 9), decided=moment(REVIEWED_ON, 15))
    if result.changed:
        # The district's draft, rebuilt after its communes' steps (as of the period's end).
        build_period(period, unit_ids=[cam_thuy.pk])
    return result
