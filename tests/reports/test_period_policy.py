"""Periods a province chooses, and periods that speak only of the levels that exist.

Thanh Hóa's officers choose the calendar of Thanh Hóa: which kinds of period its units
report on and how long after the end each level has. Lai Châu keeps the default (quarterly,
six-monthly, yearly). Tháng 6/2026, Quý 2/2026 and 6 tháng đầu năm 2026 all end on
30/06/2026, so without a choice a commune would hear of three of them on one morning.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification
from reports import reminders, services
from reports.build import build_period
from reports.models import (
    PeriodKind,
    PeriodRequirement,
    ProvinceDeadlineRule,
    ReportingPeriod,
)
from reports.periods import ensure_period, ensure_periods, levels_of
from reports.services_periods import period_policy_set
from tests import factories
from tests.conftest import Tree
from tests.reports.conftest import DECLARATIONS, HANOI, People, report_of
from units.models import AdministrativeUnit, UnitLevel
from users.models import User

pytestmark = pytest.mark.django_db

Q, H, Y, M = (
    PeriodKind.QUARTERLY,
    PeriodKind.HALF_YEARLY,
    PeriodKind.YEARLY,
    PeriodKind.MONTHLY,
)


def _level(code: str) -> int:
    return UnitLevel.objects.get(code=code).pk


def _days(commune: int = 5, district: int = 10, province: int = 15) -> dict[tuple[str, int], int]:
    """The same days for every kind, as the calendar page sends them."""
    by_level = {"commune": commune, "district": district, "province": province}
    return {
        (kind, _level(code)): days for kind in PeriodKind.values for code, days in by_level.items()
    }


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(
    required: set[str], days: dict[tuple[str, int], int], province: AdministrativeUnit
) -> dict[str, str]:
    data = {f"days_{kind}_{level}": str(value) for (kind, level), value in days.items()}
    data.update({f"required_{kind}": "on" for kind in required})
    data["province"] = str(province.pk)
    return data


def _reminded(user: User) -> list[str]:
    """The periods a user was reminded of, by label, in the order of their text."""
    texts = Notification.objects.filter(
        user=user, dedupe_key__startswith="report-reminder:"
    ).values_list("text", flat=True)
    labels = ["Tháng 6/2026", "Quý 2/2026", "6 tháng đầu năm 2026", "Năm 2026"]
    return sorted(label for text in texts for label in labels if label in text)


# --- Which kinds a province requires ------------------------------------------------------


def test_a_commune_of_a_province_requiring_only_quarters_and_years_is_reminded_of_the_quarter_only(
    tree: Tree, people: People
) -> None:
    # Given Thanh Hóa requires quarterly and yearly reports; Lai Châu keeps the default
    period_policy_set(
        province=tree.thanh_hoa,
        by=people.province,
        required={Q, Y},
        days={},
        today=date(2026, 6, 1),
    )
    for kind in (M, Q, H):
        ensure_period(kind, date(2026, 6, 15))
    muong_khoa = factories.officer_of(tree.muong_khoa)

    # When the morning after the communes' due date (05/07/2026) comes
    reminders.send_due_reminders(date(2026, 7, 6))

    # Then Cẩm Ngọc hears of the quarter alone; Mường Khoa of the quarter and the half-year,
    # never of the month, which no province asked for
    assert _reminded(people.cam_ngoc) == ["Quý 2/2026"]
    assert _reminded(people.cam_ngoc_staff) == ["Quý 2/2026"]
    assert _reminded(muong_khoa) == ["6 tháng đầu năm 2026", "Quý 2/2026"]
    # and Cẩm Thủy's summary of its late communes is about the quarter only
    summaries = Notification.objects.filter(
        user=people.cam_thuy, dedupe_key__startswith="report-review-reminder:"
    )
    assert [("Quý 2/2026" in notice.text) for notice in summaries] == [True]


def test_periods_are_created_only_for_the_kinds_some_province_requires(
    tree: Tree, people: People
) -> None:
    # By default: quarterly, six-monthly and yearly; no official letter asks for months
    labels = sorted(period.label for period in ensure_periods(date(2026, 8, 10)))
    assert labels == sorted(
        [
            "Quý 3/2026",
            "Quý 4/2026",
            "6 tháng cuối năm 2026",
            "6 tháng đầu năm 2027",
            "Năm 2026",
            "Năm 2027",
        ]
    )
    assert not ReportingPeriod.objects.filter(kind=M).exists()

    # A province that asks for monthly reports gets the current and next month at once
    period_policy_set(
        province=tree.lai_chau,
        by=factories.officer_of(tree.lai_chau),
        required={M, Q},
        days={},
        today=date(2026, 8, 10),
    )
    assert sorted(ReportingPeriod.objects.filter(kind=M).values_list("label", flat=True)) == [
        "Tháng 8/2026",
        "Tháng 9/2026",
    ]


def test_a_province_sets_its_own_due_dates_and_its_communes_are_judged_by_them(
    tree: Tree, people: People, time_machine: Any
) -> None:
    time_machine.move_to(datetime(2026, 8, 10, 9, 0, tzinfo=HANOI), tick=False)
    quarter = ensure_period(Q, date(2026, 7, 15))  # national: communes due 05/10/2026
    muong_khoa = factories.officer_of(tree.muong_khoa)

    # Given Thanh Hóa gives its communes ten days, its districts 15 and itself 20
    period_policy_set(
        province=tree.thanh_hoa,
        by=people.province,
        required={Q, H, Y},
        days=_days(commune=10, district=15, province=20),
    )
    build_period(quarter)

    # Then on 06/10 Mường Khoa (Lai Châu, national date) is overdue, Cẩm Ngọc is not
    reminders.send_due_reminders(date(2026, 10, 6))
    (overdue,) = Notification.objects.filter(user=muong_khoa)
    assert "Quý 3/2026" in overdue.text
    assert "05/10/2026" in overdue.text
    assert not Notification.objects.filter(user=people.cam_ngoc).exists()
    # and on 07/10 Cẩm Ngọc is reminded of its own date, three days ahead
    reminders.send_due_reminders(date(2026, 10, 7))
    (notice,) = Notification.objects.filter(
        user=people.cam_ngoc, dedupe_key__startswith="report-reminder:"
    )
    assert "10/10/2026" in notice.text

    # When Cẩm Ngọc submits on 08/10, after the national date but before its own
    time_machine.move_to(datetime(2026, 10, 8, 9, 0, tzinfo=HANOI), tick=False)
    report = services.report_update(
        report=report_of(tree.cam_ngoc, quarter), by=people.cam_ngoc, **DECLARATIONS
    )
    report = services.report_submit(report=report, by=people.cam_ngoc)

    # Then it is on time, and its page says when it was due
    assert report.submitted_late is False
    page = _client(people.cam_ngoc).get(reverse("reports:detail", args=[report.pk]))
    assert "10/10/2026" in page.content.decode()


# --- The calendar page --------------------------------------------------------------------


def test_the_provinces_officer_changes_the_calendar_and_the_change_is_kept_with_its_author(
    tree: Tree, people: People
) -> None:
    client = _client(people.province)
    url = reverse("reports:calendar")

    # The page shows the defaults: quarterly, six-monthly, yearly ticked, months not
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="required_quarterly"' in text
    assert 'name="required_monthly"' in text
    form = page.context["form"]
    assert form.initial["required_quarterly"] is True
    assert form.initial["required_monthly"] is False

    # When the officer drops the six-monthly reports and gives communes 7 days
    response = client.post(url, _form({Q, Y}, _days(commune=7), tree.thanh_hoa))

    # Then the choice is saved, with who made it
    assert response.status_code == 302
    half = PeriodRequirement.objects.get(province=tree.thanh_hoa, kind=H)
    assert half.required is False
    (record,) = half.history.all()
    assert record.history_user == people.province
    rule = ProvinceDeadlineRule.objects.get(province=tree.thanh_hoa, kind=Q, level__code="commune")
    assert rule.days_after_end == 7
    assert rule.history.get().history_user == people.province
    # and the page's history says it
    history = client.get(url).content.decode()
    assert str(people.province) in history
    assert "Sáu tháng" in history or "6 tháng" in history or "Half-yearly" in history

    # Saving the same again changes nothing and adds no history
    client.post(url, _form({Q, Y}, _days(commune=7), tree.thanh_hoa))
    assert half.history.count() == 1
    assert rule.history.count() == 1
    # A later change is one more record, with its value before
    client.post(url, _form({Q, Y}, _days(commune=8), tree.thanh_hoa))
    assert rule.history.count() == 2
    assert "7 → 8" in client.get(url).content.decode()


def test_another_provinces_officer_cannot_change_the_calendar(tree: Tree, people: People) -> None:
    lai_chau = factories.officer_of(tree.lai_chau)
    url = reverse("reports:calendar")

    # Not through the page: Thanh Hóa is out of reach (404), in reading and in writing
    client = _client(lai_chau)
    assert client.get(url, {"province": tree.thanh_hoa.pk}).status_code == 404
    response = client.post(url, _form({Q}, _days(), tree.thanh_hoa))
    assert response.status_code == 404
    # Their own page is Lai Châu's
    assert client.get(url).context["province"] == tree.lai_chau

    # Nor through the service
    with pytest.raises(PermissionDenied):
        period_policy_set(province=tree.thanh_hoa, by=lai_chau, required={Q}, days={})
    assert not PeriodRequirement.objects.filter(province=tree.thanh_hoa).exists()


def test_a_district_officer_reads_the_provinces_calendar_but_cannot_change_it(
    tree: Tree, people: People
) -> None:
    client = _client(people.cam_thuy)
    url = reverse("reports:calendar")

    page = client.get(url)
    assert page.status_code == 200
    assert page.context["province"] == tree.thanh_hoa
    assert page.context["editable"] is False
    assert 'name="required_quarterly"' not in page.content.decode()
    assert client.post(url, _form({Q}, _days(), tree.thanh_hoa)).status_code == 404
    with pytest.raises(PermissionDenied):
        period_policy_set(province=tree.thanh_hoa, by=people.cam_thuy, required={Q}, days={})


def test_the_calendar_refuses_no_kind_and_a_commune_due_after_its_reviewer(
    tree: Tree, people: People
) -> None:
    client = _client(people.province)
    url = reverse("reports:calendar")

    nothing = client.post(url, _form(set(), _days(), tree.thanh_hoa))
    assert nothing.status_code == 400
    assert nothing.context["form"].non_field_errors()

    late = client.post(url, _form({Q}, _days(commune=12, district=10), tree.thanh_hoa))
    assert late.status_code == 400
    assert late.context["form"].errors[f"days_{Q}_{_level('commune')}"]
    assert not PeriodRequirement.objects.exists()
    with pytest.raises(ValidationError):
        period_policy_set(
            province=tree.thanh_hoa, by=people.province, required={Q}, days=_days(commune=91)
        )


# --- Only the levels that exist -----------------------------------------------------------


@pytest.fixture
def two_tier(tree: Tree) -> Tree:
    """The districts ended on 30/06/2025; the communes now hang under the province."""
    AdministrativeUnit.objects.filter(level__code="district").update(valid_until=date(2025, 6, 30))
    return tree


def test_a_period_lists_only_the_levels_in_force_at_its_end(two_tier: Tree, people: People) -> None:
    before = ensure_period(Q, date(2025, 5, 1))  # Quý 2/2025: three tiers
    after = ensure_period(Q, date(2026, 8, 1))  # Quý 3/2026: two tiers

    with CaptureQueriesContext(connection) as captured:
        levels = [level.code for level in levels_of(after)]
    assert len(captured.captured_queries) == 1
    assert levels == ["province", "commune"]
    assert [level.code for level in levels_of(before)] == ["province", "district", "commune"]

    client = _client(people.province)
    old = client.get(reverse("reports:period", args=[before.pk])).content.decode()
    new = client.get(reverse("reports:period", args=[after.pk])).content.decode()
    assert 'data-level="district"' in old
    assert 'data-level="district"' not in new
    assert 'data-level="commune"' in new
    assert 'data-level="province"' in new


def test_the_calendar_of_a_two_tier_province_has_no_district_column(
    two_tier: Tree, people: People, time_machine: Any
) -> None:
    time_machine.move_to(datetime(2026, 12, 4, 9, 0, tzinfo=HANOI), tick=False)

    page = _client(people.province).get(reverse("reports:calendar"))

    assert [level.code for level in page.context["policy"].levels] == ["province", "commune"]
    assert "days_quarterly_" + str(_level("district")) not in page.content.decode()
