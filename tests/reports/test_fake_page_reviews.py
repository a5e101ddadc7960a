"""The standing fake-page review (in ``reports``): recorded per unit and period, scoped,
shown on the unit's page, totalled set-based (``fake_page_review_totals``), offered on the
report's fill-in form while its counts are empty, and shown on the report's page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from reports.build import build_period
from reports.models import FakePageReview, ReportingPeriod, ReportState, UnitReport
from reports.selectors_reviews import FakePageReviewTotals, fake_page_review_totals
from reports.services_reviews import fake_page_review_record
from tests import factories
from tests.api.auth import token_for
from tests.conftest import Tree
from tests.reports.conftest import DECLARATIONS, People, Registry, report_of
from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def period() -> ReportingPeriod:
    today = timezone.localdate()
    start = date(today.year, 1, 1)
    return ReportingPeriod.objects.create(
        kind="yearly", starts_on=start, ends_on=date(today.year, 12, 31), label=f"Năm {today.year}"
    )


def _record(unit: AdministrativeUnit, period: ReportingPeriod, **values: int) -> FakePageReview:
    figures: dict[str, Any] = {
        "scans_done": 4,
        "fake_pages_found": 2,
        "reported_to_platform": 2,
        "taken_down": 1,
    }
    figures.update(values)
    return fake_page_review_record(unit=unit, period=period, by=None, **figures)


def test_recording_again_corrects_the_figures_and_keeps_the_history(
    tree: Tree, period: ReportingPeriod
) -> None:
    first = _record(tree.cam_ngoc, period)

    second = _record(tree.cam_ngoc, period, taken_down=2)

    assert second.pk == first.pk
    assert FakePageReview.objects.get().taken_down == 2
    assert second.history.count() == 2


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"reported_to_platform": 3}, "reported_to_platform"),
        ({"taken_down": 5}, "taken_down"),
        ({"scans_done": 0}, "scans_done"),
    ],
)
def test_inconsistent_figures_are_refused(
    tree: Tree, period: ReportingPeriod, values: dict[str, int], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        _record(tree.cam_ngoc, period, **values)

    assert field in error.value.message_dict


def test_a_period_not_started_is_refused(tree: Tree) -> None:
    future = timezone.localdate() + timedelta(days=40)
    period = ReportingPeriod.objects.create(
        kind="monthly", starts_on=future, ends_on=future + timedelta(days=20), label="Sau"
    )

    with pytest.raises(ValidationError) as error:
        _record(tree.cam_ngoc, period)

    assert "period" in error.value.message_dict


def test_totals_cover_the_subtree_in_two_queries(
    tree: Tree, period: ReportingPeriod, django_assert_num_queries: Callable[..., Any]
) -> None:
    _record(tree.cam_ngoc, period)
    _record(
        tree.cam_thanh,
        period,
        scans_done=1,
        fake_pages_found=0,
        reported_to_platform=0,
        taken_down=0,
    )
    _record(
        tree.muong_khoa,
        period,
        scans_done=3,
        fake_pages_found=3,
        reported_to_platform=1,
        taken_down=1,
    )
    units = AdministrativeUnit.objects.filter(
        pk__in=[tree.thanh_hoa.pk, tree.cam_thuy.pk, tree.cam_ngoc.pk, tree.ba_thuoc.pk]
    )

    with django_assert_num_queries(2):
        totals = fake_page_review_totals(units, period)

    assert totals[tree.cam_thuy.pk] == FakePageReviewTotals(2, 5, 2, 2, 1)
    assert totals[tree.thanh_hoa.pk] == totals[tree.cam_thuy.pk]
    assert totals[tree.cam_ngoc.pk] == FakePageReviewTotals(1, 4, 2, 2, 1)
    assert totals[tree.ba_thuoc.pk] == FakePageReviewTotals()
    own = fake_page_review_totals([tree.cam_thuy, tree.cam_ngoc], period, subtree=False)
    assert own[tree.cam_thuy.pk] == FakePageReviewTotals()
    assert own[tree.cam_ngoc.pk].fake_pages_found == 2


def test_the_commune_records_through_the_form_and_sees_it_on_its_unit_page(
    tree: Tree, period: ReportingPeriod
) -> None:
    officer = factories.officer_of(tree.cam_ngoc)
    client = Client()
    client.force_login(officer)

    refused = client.post(
        reverse("reports:fake_page_reviews"),
        {
            "unit": tree.cam_thanh.pk,
            "period": period.pk,
            "scans_done": 1,
            "fake_pages_found": 0,
            "reported_to_platform": 0,
            "taken_down": 0,
        },
    )
    saved = client.post(
        reverse("reports:fake_page_reviews"),
        {
            "unit": tree.cam_ngoc.pk,
            "period": period.pk,
            "scans_done": 6,
            "fake_pages_found": 1,
            "reported_to_platform": 1,
            "taken_down": 1,
        },
    )
    unit_page = client.get(reverse("units:unit_detail", args=[tree.cam_ngoc.pk]))

    assert refused.status_code == 400
    assert saved.status_code == 302
    review = FakePageReview.objects.get()
    assert (review.unit, review.scans_done) == (tree.cam_ngoc, 6)
    html = unit_page.content.decode()
    assert "Rà soát trang mạo danh" in html
    assert period.label in html


def test_reviews_are_scoped(tree: Tree, period: ReportingPeriod) -> None:
    _record(tree.cam_ngoc, period)
    _record(tree.muong_khoa, period)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(factories.officer_of(tree.cam_thuy))}")

    rows = api.get("/api/v1/reports/fake-page-reviews/").json()["results"]
    refused = api.post(
        "/api/v1/reports/fake-page-reviews/",
        {
            "unit": tree.muong_khoa.pk,
            "period": period.pk,
            "scans_done": 1,
            "fake_pages_found": 0,
            "reported_to_platform": 0,
            "taken_down": 0,
        },
        format="json",
    )

    assert [row["unit"] for row in rows] == [tree.cam_ngoc.pk]
    assert refused.status_code == 400


# --- Counted in the report: offered on the fill-in form, shown on the report's page ----------


@pytest.fixture
def built(tree: Tree, registry: Registry, quarter: ReportingPeriod) -> ReportingPeriod:
    build_period(quarter)
    return quarter


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _edit_url(report: UnitReport) -> str:
    return reverse("reports:edit", kwargs={"report_id": report.pk})


def _detail_url(report: UnitReport) -> str:
    return reverse("reports:detail", kwargs={"report_id": report.pk})


def _review_figures(html: str) -> dict[str, str]:
    found = re.findall(r'<dd data-figure="(\w+)">\s*(\d+)\s*</dd>', html)
    return dict(found)


def test_the_form_offers_the_review_while_the_counts_are_empty(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    _record(tree.cam_ngoc, built, scans_done=6, fake_pages_found=2, reported_to_platform=2)
    client = _client(people.cam_ngoc)
    report = report_of(tree.cam_ngoc, built)

    offered = client.get(_edit_url(report))

    form = offered.context["form"]
    assert (form["impersonation_scans"].value(), form["fake_pages_found"].value()) == (6, 2)
    # What became of the pages found too: reported to the platform, and taken down.
    assert (form["fake_pages_reported"].value(), form["fake_pages_taken_down"].value()) == (2, 1)
    assert form.prefilled == [
        "impersonation_scans",
        "fake_pages_found",
        "fake_pages_reported",
        "fake_pages_taken_down",
    ]
    html = offered.content.decode()
    assert "Lấy từ kết quả rà soát trang giả mạo" in html
    assert f"?unit={tree.cam_ngoc.pk}&amp;period={built.pk}" in html
    # Offered, not written: the report changes only when the unit saves it.
    report.refresh_from_db()
    assert (report.impersonation_scans, report.fake_pages_found) == (None, None)

    typed = {"impersonation_scans": "7", "fake_pages_reported": "1", "fake_pages_taken_down": "0"}
    saved = client.post(_edit_url(report), {**DECLARATIONS, **typed})

    assert saved.status_code == 302
    report.refresh_from_db()
    assert (report.impersonation_scans, report.fake_pages_found) == (7, 1)
    assert (report.fake_pages_reported, report.fake_pages_taken_down) == (1, 0)
    # Filled in now: the form shows what the unit declared, without the notice.
    again = client.get(_edit_url(report))
    assert again.context["form"]["impersonation_scans"].value() == 7
    assert "Lấy từ kết quả rà soát trang giả mạo" not in again.content.decode()


def test_no_review_no_notice_and_another_units_review_is_not_offered(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    # Cẩm Thủy's own review is not Cẩm Thanh's, nor is the review of another period.
    _record(tree.cam_thuy, built)
    other = ReportingPeriod.objects.create(
        kind="yearly", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), label="Năm 2026"
    )
    _record(tree.cam_thanh, other)

    response = _client(people.cam_thanh).get(_edit_url(report_of(tree.cam_thanh, built)))

    form = response.context["form"]
    assert form["impersonation_scans"].value() is None
    assert form.review is None
    assert "Lấy từ kết quả rà soát trang giả mạo" not in response.content.decode()


def test_the_report_page_shows_the_review_beside_the_frozen_declarations(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    _record(tree.cam_ngoc, built, scans_done=3, fake_pages_found=1, reported_to_platform=1)
    report = report_of(tree.cam_ngoc, built)
    commune = _client(people.cam_ngoc)
    # As the form offers them: the review's counts, the pages' outcomes included.
    declared = {**DECLARATIONS, "fake_pages_reported": 1, "fake_pages_taken_down": 1}
    assert commune.post(_edit_url(report), declared).status_code == 302
    assert (
        commune.post(reverse("reports:submit", kwargs={"report_id": report.pk})).status_code == 302
    )
    district = _client(people.cam_thuy)

    before = district.get(_detail_url(report)).content.decode()
    # The commune corrects its review after submitting: the submitted report is untouched,
    # its page shows the review as it stands and says the two differ.
    _record(tree.cam_ngoc, built, scans_done=5, fake_pages_found=2, reported_to_platform=2)
    after = district.get(_detail_url(report)).content.decode()

    assert _review_figures(before) == {
        "scans_done": "3",
        "fake_pages_found": "1",
        "reported_to_platform": "1",
        "taken_down": "1",
    }
    assert "data-review-differs" not in before
    assert _review_figures(after)["scans_done"] == "5"
    assert "Số liệu kê khai trong báo cáo khác với kết quả rà soát." in after
    assert f"?unit={tree.cam_ngoc.pk}&amp;period={built.pk}" in after
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    assert (report.impersonation_scans, report.fake_pages_found) == (3, 1)
    # The link narrows the list to that review.
    listed = district.get(
        reverse("reports:fake_page_reviews"), {"unit": tree.cam_ngoc.pk, "period": built.pk}
    )
    assert [row.unit_id for row in listed.context["page"].object_list] == [tree.cam_ngoc.pk]


def test_the_pages_outcomes_may_stay_open_at_submission_and_roll_up_once_declared(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    commune = _client(people.cam_ngoc)
    report = report_of(tree.cam_ngoc, built)
    # The platform has not answered yet: reported and taken down are left empty.
    assert commune.post(_edit_url(report), DECLARATIONS).status_code == 302
    submit = reverse("reports:submit", kwargs={"report_id": report.pk})
    assert commune.post(submit).status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    assert (report.fake_pages_reported, report.fake_pages_taken_down) == (None, None)
    assert (report.totals["fake_pages_reported"], report.totals["fake_pages_taken_down"]) == (0, 0)

    # Returned, the commune declares them; accepted, they are counted in the district's report.
    district = _client(people.cam_thuy)
    back = reverse("reports:return", kwargs={"report_id": report.pk})
    assert district.post(back, {"note": "Bổ sung số trang đã báo cáo."}).status_code == 302
    declared = {**DECLARATIONS, "fake_pages_reported": 1, "fake_pages_taken_down": 1}
    assert commune.post(_edit_url(report), declared).status_code == 302
    assert commune.post(submit).status_code == 302
    accept = reverse("reports:accept", kwargs={"report_id": report.pk})
    assert district.post(accept, {"note": ""}).status_code == 302
    build_period(built, unit_ids=[tree.cam_thuy.pk])

    above = report_of(tree.cam_thuy, built)
    assert (above.totals["fake_pages_reported"], above.totals["fake_pages_taken_down"]) == (1, 1)
    row = above.child_rows.get(child_unit_id=tree.cam_ngoc.pk)
    assert (row.fake_pages_reported, row.fake_pages_taken_down) == (1, 1)
    html = district.get(_detail_url(report)).content.decode()
    assert "Số trang mạo danh đã báo cáo nền tảng" in html
    assert "Số trang mạo danh đã bị gỡ bỏ" in html


def test_the_report_page_says_when_no_review_was_recorded(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    html = (
        _client(people.cam_thuy).get(_detail_url(report_of(tree.cam_ngoc, built))).content.decode()
    )

    assert "Đơn vị chưa ghi nhận kết quả rà soát trang giả mạo cho kỳ này." in html
    assert "data-fake-review " not in html


def test_another_provinces_officer_cannot_see_the_review_through_the_list(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    _record(tree.cam_ngoc, built)

    response = _client(people.tan_uyen).get(
        reverse("reports:fake_page_reviews"), {"unit": tree.cam_ngoc.pk}
    )

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
