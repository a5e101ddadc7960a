"""Who sees, fills in and reviews which reports: always through users.scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404

from reports import selectors, services
from reports.build import build_period
from reports.models import ReportingPeriod
from tests import factories
from tests.conftest import Tree
from tests.reports.conftest import DECLARATIONS, People, report_of
from users.models import User
from users.scope import Action


@pytest.fixture
def built(tree: Tree, quarter: ReportingPeriod) -> ReportingPeriod:
    build_period(quarter)
    return quarter


def _units(reports: Any) -> set[str]:
    return {report.unit.name for report in reports.select_related("unit")}


def test_each_user_sees_the_reports_of_their_units(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    assert _units(selectors.reports_for(people.cam_thuy)) == {
        "Huyện Cẩm Thủy",
        "Xã Cẩm Ngọc",
        "Xã Cẩm Thành",
    }
    assert len(_units(selectors.reports_for(people.province))) == 6
    assert _units(selectors.reports_for(people.cam_ngoc_staff)) == {"Xã Cẩm Ngọc"}
    assert _units(selectors.reports_for(people.tan_uyen)) == {"Huyện Tân Uyên", "Xã Mường Khoa"}
    assert len(_units(selectors.reports_for(factories.admin_user()))) == 9
    assert not selectors.reports_for(factories.UserFactory.create()).exists()


def test_a_unit_reviews_the_units_directly_below_and_those_further_down(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    assert _units(selectors.reports_for(people.cam_thuy, Action.REVIEW)) == {
        "Xã Cẩm Ngọc",
        "Xã Cẩm Thành",
    }
    assert "Tỉnh Thanh Hóa" not in _units(selectors.reports_for(people.province, Action.REVIEW))
    assert not selectors.reports_for(people.cam_ngoc, Action.REVIEW).exists()
    assert not selectors.reports_for(people.cam_ngoc_staff, Action.REVIEW).exists()


def test_each_user_fills_in_the_report_of_their_own_unit_only(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    assert _units(selectors.preparable(people.cam_thuy)) == {"Huyện Cẩm Thủy"}
    assert _units(selectors.preparable(people.province)) == {"Tỉnh Thanh Hóa"}
    assert _units(selectors.preparable(people.cam_ngoc)) == {"Xã Cẩm Ngọc"}
    assert _units(selectors.preparable(people.cam_ngoc_staff)) == {"Xã Cẩm Ngọc"}
    assert _units(selectors.reports_for(people.cam_ngoc, Action.EDIT)) == {"Xã Cẩm Ngọc"}


def test_a_report_out_of_scope_is_a_404(tree: Tree, people: People, built: ReportingPeriod) -> None:
    report = report_of(tree.cam_ngoc, built)

    with pytest.raises(Http404):
        selectors.get_report_or_404(people.ba_thuoc, report.pk)
    with pytest.raises(Http404):
        selectors.get_report_or_404(people.cam_ngoc, "not-a-number")
    with pytest.raises(Http404):
        selectors.get_preparable_or_404(people.cam_thanh, report.pk)
    assert selectors.get_report_or_404(people.cam_ngoc, report.pk) == report


def test_the_review_queue_takes_a_fixed_number_of_queries(
    tree: Tree, people: People, built: ReportingPeriod, django_assert_num_queries: Any
) -> None:
    for unit, officer in ((tree.cam_ngoc, people.cam_ngoc), (tree.cam_thanh, people.cam_thanh)):
        report = services.report_update(report=report_of(unit, built), by=officer, **DECLARATIONS)
        services.report_submit(report=report, by=officer)
    reviewer = User.objects.get(pk=people.province.pk)  # no grants cached yet

    with django_assert_num_queries(2):  # the user's grants, then the queue
        rows = [
            (report.unit.name, report.period.label) for report in selectors.review_queue(reviewer)
        ]

    assert sorted(rows) == [("Xã Cẩm Ngọc", "Quý 3/2026"), ("Xã Cẩm Thành", "Quý 3/2026")]
