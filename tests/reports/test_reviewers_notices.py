"""Who hears of a report, and which units get one at all, in today's two-tier country.

A report is reviewed by the officers in force nearest at or above its unit's parent: the
province's department for a two-tier commune, the district's office in three-tier history,
the province again for the communes of a district whose office nobody holds. They are told
when a report waits for them, and reminded of the late and waiting ones in one summary; the
unit's own people are told when it is accepted or returned. A province that does not ask
for a kind of period gets no report for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest

from notifications.models import Notification, OutboundEmail
from reports import reminders, services
from reports.build import build_period
from reports.models import (
    PeriodDeadline,
    PeriodKind,
    PeriodRequirement,
    ReportingPeriod,
    ReportState,
    UnitReport,
)
from reports.periods import ensure_period
from tests import factories
from tests.conftest import Tree
from tests.reports.conftest import DECLARATIONS, HANOI, People, report_of
from units.models import AdministrativeUnit, Body
from users.models import User

pytestmark = pytest.mark.django_db


@dataclass
class TwoTier:
    """Thanh Hóa after 01/07/2025: communes straight under the province."""

    province: AdministrativeUnit
    cam_thuy: AdministrativeUnit  # with its own Phòng Văn hóa - Xã hội (an officer)
    cam_tu: AdministrativeUnit  # without one
    ubnd_cam_thuy: Body
    department: User  # Sở Văn hóa, Thể thao và Du lịch
    commune_office: User  # Phòng Văn hóa - Xã hội xã Cẩm Thủy
    commune_staff: User  # staff of the commune's People's Committee


@pytest.fixture
def two_tier(db: None, now: datetime) -> TwoTier:
    province = factories.province("Tỉnh Thanh Hóa", code="38", valid_from=date(2025, 7, 1))
    cam_thuy = factories.commune(province, "Xã Cẩm Thủy", code="15022", valid_from=date(2025, 7, 1))
    cam_tu = factories.commune(province, "Xã Cẩm Tú", code="15025", valid_from=date(2025, 7, 1))
    ubnd = factories.BodyFactory.create(unit=cam_thuy, name="Ủy ban nhân dân xã Cẩm Thủy")
    factories.BodyFactory.create(unit=cam_tu, name="Ủy ban nhân dân xã Cẩm Tú")
    return TwoTier(
        province=province,
        cam_thuy=cam_thuy,
        cam_tu=cam_tu,
        ubnd_cam_thuy=ubnd,
        department=factories.officer_of(province),
        commune_office=factories.officer_of(cam_thuy),
        commune_staff=factories.staff_of(ubnd),
    )


def _report_notices(user: User) -> list[str]:
    return list(
        Notification.objects.filter(user=user, dedupe_key__startswith="report")
        .exclude(dedupe_key__startswith="report-reminder:")
        .exclude(dedupe_key__startswith="report-review-reminder:")
        .order_by("pk")
        .values_list("text", flat=True)
    )


def _summaries(user: User) -> Any:
    return Notification.objects.filter(user=user, dedupe_key__startswith="report-review-reminder:")


def _submit(report: UnitReport, by: User) -> UnitReport:
    services.report_update(report=report, by=by, **DECLARATIONS)
    return services.report_submit(report=report, by=by)


# --- Notices of the workflow --------------------------------------------------------------


def test_a_two_tier_communes_report_waits_for_the_provinces_department_and_it_is_told(
    two_tier: TwoTier, quarter: ReportingPeriod
) -> None:
    # Given Quý 3/2026 built for the two-tier province
    build_period(quarter)
    report = report_of(two_tier.cam_thuy, quarter)

    # When the commune's office submits its report
    _submit(report, two_tier.commune_office)

    # Then the department of the province is told it waits for its review, once, by email too
    (text,) = _report_notices(two_tier.department)
    assert "Xã Cẩm Thủy" in text
    assert "Quý 3/2026" in text
    assert "chờ" in text  # in Vietnamese: "đang chờ ... duyệt"
    notice = Notification.objects.get(user=two_tier.department)
    assert notice.link == f"/reports/{report.pk}/"
    assert OutboundEmail.objects.filter(to=two_tier.department.email).count() == 1
    # and the commune's own people, who prepared it, are not told they must review it
    assert _report_notices(two_tier.commune_office) == []
    assert _report_notices(two_tier.commune_staff) == []


def test_accepting_or_returning_tells_the_units_own_people_not_the_reviewers(
    two_tier: TwoTier, quarter: ReportingPeriod
) -> None:
    build_period(quarter)
    report = _submit(report_of(two_tier.cam_thuy, quarter), two_tier.commune_office)

    services.report_return(report=report, by=two_tier.department, note="Thiếu số liệu tháng 9.")

    for person in (two_tier.commune_office, two_tier.commune_staff):
        (text,) = _report_notices(person)
        assert "Thiếu số liệu tháng 9." in text
    # The department heard only of the submission
    assert len(_report_notices(two_tier.department)) == 1

    # Sent again: the department is told again (a new submission), then accepts
    report = services.report_submit(
        report=report_of(two_tier.cam_thuy, quarter), by=two_tier.commune_office
    )
    services.report_accept(report=report, by=two_tier.department)
    assert len(_report_notices(two_tier.department)) == 2
    assert len(_report_notices(two_tier.commune_office)) == 2


def test_a_three_tier_communes_report_goes_to_its_districts_office_or_above_it_when_none(
    tree: Tree, people: People, quarter: ReportingPeriod, now: datetime
) -> None:
    # Given Bá Thước's office has ceased: its officer's assignment is no longer in force
    build_period(quarter)
    dien_lu_officer = factories.officer_of(tree.dien_lu)
    AdministrativeUnit.objects.filter(pk=tree.ba_thuoc.pk).update(valid_until=date(2026, 7, 31))

    # When Cẩm Ngọc and Điền Lư submit
    _submit(report_of(tree.cam_ngoc, quarter), people.cam_ngoc)
    _submit(report_of(tree.dien_lu, quarter), dien_lu_officer)

    # Then Cẩm Thủy's office hears of Cẩm Ngọc; the province, not the ceased district, of
    # Điền Lư
    assert [("Xã Cẩm Ngọc" in text) for text in _report_notices(people.cam_thuy)] == [True]
    assert [("Xã Điền Lư" in text) for text in _report_notices(people.province)] == [True]
    assert _report_notices(people.ba_thuoc) == []


# --- Reminders' summaries -----------------------------------------------------------------


def _on(time_machine: Any, day: date) -> None:
    time_machine.move_to(datetime(day.year, day.month, day.day, 7, 30, tzinfo=HANOI), tick=False)


def test_the_late_communes_of_a_two_tier_province_are_summed_up_for_its_department(
    two_tier: TwoTier, quarter: ReportingPeriod, time_machine: Any
) -> None:
    build_period(quarter)
    _on(time_machine, date(2026, 10, 6))  # the communes were due on 05/10/2026

    reminders.send_due_reminders()
    reminders.send_due_reminders()

    (summary,) = _summaries(two_tier.department)
    assert "Xã Cẩm Thủy" in summary.text
    assert "Xã Cẩm Tú" in summary.text
    assert summary.link == f"/reports/{report_of(two_tier.province, quarter).pk}/"
    # The commune's office is reminded of its own report, and reviews nobody's
    assert not _summaries(two_tier.commune_office).exists()
    assert Notification.objects.filter(
        user=two_tier.commune_office, dedupe_key__startswith="report-reminder:"
    ).exists()


def test_reviewers_above_several_districts_without_an_office_get_one_summary(
    tree: Tree, people: People, quarter: ReportingPeriod, time_machine: Any
) -> None:
    # Given neither district office is held any more, and Cẩm Thành's report waits
    build_period(quarter)
    _submit(report_of(tree.cam_thanh, quarter), people.cam_thanh)
    AdministrativeUnit.objects.filter(pk__in=[tree.cam_thuy.pk, tree.ba_thuoc.pk]).update(
        valid_until=date(2026, 9, 30)
    )
    # Only the communes' date, so that the districts' own reports are not chased as well
    PeriodDeadline.objects.filter(period=quarter).exclude(level__code="commune").delete()
    _on(time_machine, date(2026, 10, 6))

    outcome = reminders.send_due_reminders()
    again = reminders.send_due_reminders()

    # Then the province's department gets one summary of the communes of both districts
    # (and Tân Uyên's office, in Lai Châu, its own of Mường Khoa)
    assert (outcome.reviewers, again.reviewers) == (2, 0)
    (summary,) = _summaries(people.province)
    for name in ("Xã Cẩm Ngọc", "Xã Điền Lư", "Xã Cẩm Thành"):
        assert name in summary.text
    # linking to the period's reports, since its own report lists districts, not communes
    assert summary.link == f"/reports/?period={quarter.pk}"
    assert not _summaries(people.cam_thuy).exists()
    assert not _summaries(people.ba_thuoc).exists()


# --- Only the kinds a province requires ------------------------------------------------------


def test_a_province_that_dropped_half_years_gets_no_report_for_one(
    tree: Tree, people: People, now: datetime
) -> None:
    # Given Thanh Hóa no longer asks for six-monthly reports; Lai Châu keeps the default
    PeriodRequirement.objects.create(
        province=tree.thanh_hoa, kind=PeriodKind.HALF_YEARLY, required=False
    )
    half = ensure_period(PeriodKind.HALF_YEARLY, date(2026, 3, 1))
    quarter = ensure_period(PeriodKind.QUARTERLY, date(2026, 3, 1))

    # When both periods are built
    result = build_period(half)
    build_period(quarter)

    # Then only Lai Châu's units have a half-year report, and Thanh Hóa keeps its quarter
    lai_chau = {tree.lai_chau.pk, tree.tan_uyen.pk, tree.muong_khoa.pk}
    assert set(UnitReport.objects.filter(period=half).values_list("unit_id", flat=True)) == lai_chau
    assert result.units == result.created == 3
    assert UnitReport.objects.filter(period=quarter, unit=tree.cam_ngoc).exists()
    # and Lai Châu's province report counts its units below as before
    province_report = report_of(tree.lai_chau, half)
    assert [row.child_name for row in province_report.child_rows.all()] == ["Huyện Tân Uyên"]
    assert province_report.state == ReportState.DRAFT


def test_a_past_half_year_is_built_only_where_its_province_asked_for_it(
    tree: Tree, people: People, now: datetime
) -> None:
    PeriodRequirement.objects.create(
        province=tree.lai_chau, kind=PeriodKind.HALF_YEARLY, required=False
    )
    half = ensure_period(PeriodKind.HALF_YEARLY, date(2025, 9, 1))  # ended 31/12/2025

    build_period(half)

    reported = set(UnitReport.objects.filter(period=half).values_list("unit__name", flat=True))
    assert "Xã Cẩm Ngọc" in reported
    assert "Tỉnh Thanh Hóa" in reported
    assert not reported & {"Tỉnh Lai Châu", "Huyện Tân Uyên", "Xã Mường Khoa"}
