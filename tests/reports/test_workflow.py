"""The review workflow, level by level: submit, return with a note, accept, reopen."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from notifications.models import Notification
from reports import selectors, services
from reports.build import build_period
from reports.models import ReportingPeriod, ReportState, ReportStep, UnitReport
from tests.conftest import Tree
from tests.reports.conftest import DECLARATIONS, People, Registry, report_of

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def built(tree: Tree, registry: Registry, quarter: ReportingPeriod) -> ReportingPeriod:
    build_period(quarter)
    return quarter


def _fill(report: UnitReport, by: Any, **fields: Any) -> UnitReport:
    return services.report_update(report=report, by=by, **{**DECLARATIONS, **fields})


def _steps(report: UnitReport) -> list[tuple[str, str, str, Any]]:
    return [
        (step.from_state, step.to_state, step.note, step.by) for step in selectors.steps_of(report)
    ]


def _notices(user: Any) -> Any:
    # The registry fixture's incidents notify people too; only the reports' notices count.
    return Notification.objects.filter(user=user, dedupe_key__startswith="report:")


def test_submitting_without_declarations_is_refused_naming_the_missing_fields(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    report = report_of(tree.cam_ngoc, built)
    services.report_update(report=report, by=people.cam_ngoc, info_consistent=True)

    with pytest.raises(ValidationError) as refused:
        services.report_submit(report=report, by=people.cam_ngoc)

    assert set(refused.value.message_dict) == {
        "security_measures",
        "impersonation_scans",
        "fake_pages_found",
        "dissemination_sessions",
        "participants",
        "positive_posts",
        "comments_answered",
    }
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT
    assert not report.steps.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"dissemination_sessions": 0, "participants": 12}, "participants"),
        ({"impersonation_scans": 0, "fake_pages_found": 2}, "fake_pages_found"),
        ({"fake_pages_found": 1, "fake_pages_reported": 2}, "fake_pages_reported"),
        ({"fake_pages_found": 0, "fake_pages_taken_down": 1}, "fake_pages_taken_down"),
        ({"positive_posts": -1}, "positive_posts"),
    ],
)
def test_counts_that_cannot_be_true_are_refused(
    tree: Tree, people: People, built: ReportingPeriod, fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _fill(report_of(tree.cam_ngoc, built), people.cam_ngoc, **fields)

    assert field in refused.value.message_dict


def test_commune_submits_district_returns_commune_resubmits_district_accepts(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    report = _fill(report_of(tree.cam_ngoc, built), people.cam_ngoc, achievements="Đã phổ biến.")
    services.report_submit(report=report, by=people.cam_ngoc)
    assert list(selectors.review_queue(people.cam_thuy)) == [report]

    returned = services.report_return(
        report=report, by=people.cam_thuy, note="Bổ sung số người tham dự."
    )
    assert returned.state == ReportState.RETURNED
    assert returned.review_note == "Bổ sung số người tham dự."
    assert list(selectors.review_queue(people.cam_thuy)) == []
    notice = _notices(people.cam_ngoc).get()
    assert "Bổ sung số người tham dự." in notice.text
    assert _notices(people.cam_ngoc_staff).count() == 1

    services.report_update(report=returned, by=people.cam_ngoc, participants=50)
    services.report_submit(report=returned, by=people.cam_ngoc)
    accepted = services.report_accept(report=returned, by=people.cam_thuy)

    assert accepted.state == ReportState.ACCEPTED
    assert accepted.accepted_at is not None
    assert accepted.totals["participants"] == 50
    assert _steps(accepted) == [
        ("draft", "submitted", "", people.cam_ngoc),
        ("submitted", "returned", "Bổ sung số người tham dự.", people.cam_thuy),
        ("returned", "submitted", "", people.cam_ngoc),
        ("submitted", "accepted", "", people.cam_thuy),
    ]
    assert _notices(people.cam_ngoc).count() == 2
    # Field-level history keeps who changed what.
    assert accepted.history.filter(participants=45).exists()


def test_returning_needs_a_note(tree: Tree, people: People, built: ReportingPeriod) -> None:
    report = _fill(report_of(tree.cam_ngoc, built), people.cam_ngoc)
    services.report_submit(report=report, by=people.cam_ngoc)

    with pytest.raises(ValidationError) as refused:
        services.report_return(report=report, by=people.cam_thuy, note="  ")

    assert "note" in refused.value.message_dict


def test_a_report_that_is_not_a_draft_cannot_be_changed_or_submitted_again(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    report = _fill(report_of(tree.cam_ngoc, built), people.cam_ngoc)
    services.report_submit(report=report, by=people.cam_ngoc)

    with pytest.raises(ValidationError):
        services.report_update(report=report, by=people.cam_ngoc, participants=99)
    with pytest.raises(ValidationError):
        services.report_submit(report=report, by=people.cam_ngoc)
    with pytest.raises(ValidationError):
        services.report_reopen(report=report, by=people.cam_thuy, note="Chưa được.")


def test_district_submits_with_a_missing_commune_only_when_it_says_why(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    cam_ngoc = _fill(report_of(tree.cam_ngoc, built), people.cam_ngoc)
    services.report_submit(report=cam_ngoc, by=people.cam_ngoc)
    services.report_accept(report=cam_ngoc, by=people.cam_thuy)
    district = _fill(report_of(tree.cam_thuy, built), people.cam_thuy)

    with pytest.raises(ValidationError) as refused:
        services.report_submit(report=district, by=people.cam_thuy)
    assert "missing_children_reason" in refused.value.message_dict

    services.report_update(
        report=district,
        by=people.cam_thuy,
        missing_children_reason="Xã Cẩm Thành chưa có cán bộ phụ trách.",
    )
    submitted = services.report_submit(report=district, by=people.cam_thuy)

    assert submitted.state == ReportState.SUBMITTED
    # The submission refreshed the roll-up: Cẩm Ngọc accepted after the first build.
    rows = {row.child_name: row for row in selectors.child_rows_of(submitted)}
    assert rows["Xã Cẩm Ngọc"].accepted
    assert rows["Xã Cẩm Thành"].missing
    assert submitted.totals["units_reporting"] == 2
    assert list(selectors.review_queue(people.province)) == [submitted]


def test_an_officer_outside_the_parent_unit_cannot_review(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    report = _fill(report_of(tree.cam_ngoc, built), people.cam_ngoc)
    services.report_submit(report=report, by=people.cam_ngoc)

    for outsider in (people.ba_thuoc, people.tan_uyen, people.cam_ngoc, people.cam_ngoc_staff):
        with pytest.raises(Http404):
            selectors.get_reviewable_or_404(outsider, report.pk)
        with pytest.raises(PermissionDenied):
            services.report_accept(report=report, by=outsider)
    with pytest.raises(Http404):
        selectors.get_report_or_404(people.tan_uyen, report.pk)
    # The province is above the district: it may review the commune too.
    assert selectors.get_reviewable_or_404(people.province, report.pk) == report


def test_a_district_cannot_review_its_own_report_nor_fill_in_a_communes(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    district = _fill(report_of(tree.cam_thuy, built), people.cam_thuy, missing_children_reason="x")
    services.report_submit(report=district, by=people.cam_thuy)

    with pytest.raises(Http404):
        selectors.get_reviewable_or_404(people.cam_thuy, district.pk)
    with pytest.raises(PermissionDenied):
        services.report_accept(report=district, by=people.cam_thuy)
    with pytest.raises(Http404):
        selectors.get_preparable_or_404(people.cam_thuy, report_of(tree.cam_ngoc, built).pk)


def test_staff_of_the_communes_body_fill_in_and_submit_its_report(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    report = selectors.get_preparable_or_404(
        people.cam_ngoc_staff, report_of(tree.cam_ngoc, built).pk
    )

    submitted = services.report_submit(
        report=_fill(report, people.cam_ngoc_staff), by=people.cam_ngoc_staff
    )

    assert submitted.state == ReportState.SUBMITTED
    assert list(selectors.reports_for(people.cam_ngoc_staff)) == [submitted]
    assert not selectors.review_queue(people.cam_ngoc_staff).exists()


def test_lateness_is_judged_against_the_due_date_of_the_units_level(
    tree: Tree, people: People, built: ReportingPeriod, time_machine: Any
) -> None:
    # Communes are due 05/10/2026, districts 10/10/2026.
    time_machine.move_to(datetime(2026, 10, 5, 23, 30, tzinfo=HANOI), tick=False)
    on_time = services.report_submit(
        report=_fill(report_of(tree.cam_ngoc, built), people.cam_ngoc), by=people.cam_ngoc
    )
    time_machine.move_to(datetime(2026, 10, 6, 8, 0, tzinfo=HANOI), tick=False)
    late = services.report_submit(
        report=_fill(report_of(tree.cam_thanh, built), people.cam_thanh), by=people.cam_thanh
    )
    district = services.report_submit(
        report=_fill(report_of(tree.cam_thuy, built), people.cam_thuy, missing_children_reason="x"),
        by=people.cam_thuy,
    )

    assert (on_time.submitted_late, late.submitted_late, district.submitted_late) == (
        False,
        True,
        False,
    )
    # The district's submitted report froze its communes' timeliness.
    rows = {row.child_name: row for row in selectors.child_rows_of(district)}
    assert (rows["Xã Cẩm Ngọc"].submitted, rows["Xã Cẩm Ngọc"].on_time) == (True, True)
    assert (rows["Xã Cẩm Thành"].submitted, rows["Xã Cẩm Thành"].on_time) == (True, False)


def test_a_resubmission_after_the_due_date_keeps_the_first_submissions_timeliness(
    tree: Tree, people: People, built: ReportingPeriod, time_machine: Any
) -> None:
    report = services.report_submit(
        report=_fill(report_of(tree.cam_ngoc, built), people.cam_ngoc), by=people.cam_ngoc
    )
    time_machine.move_to(datetime(2026, 10, 20, 8, 0, tzinfo=HANOI), tick=False)
    services.report_return(report=report, by=people.cam_thuy, note="Sửa số liệu.")
    resubmitted = services.report_submit(report=report, by=people.cam_ngoc)

    assert not resubmitted.submitted_late
    assert resubmitted.submitted_at
    assert resubmitted.first_submitted_at
    assert resubmitted.submitted_at > resubmitted.first_submitted_at
    build_period(built)
    services.report_accept(report=resubmitted, by=people.cam_thuy)
    build_period(built)
    row = selectors.child_rows_of(report_of(tree.cam_thuy, built)).get(child_name="Xã Cẩm Ngọc")
    assert row.on_time
    assert row.accepted


def test_a_higher_level_reopens_an_accepted_report_with_a_note(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    report = services.report_submit(
        report=_fill(report_of(tree.cam_ngoc, built), people.cam_ngoc), by=people.cam_ngoc
    )
    services.report_accept(report=report, by=people.cam_thuy)

    with pytest.raises(ValidationError):
        services.report_reopen(report=report, by=people.province, note="")
    with pytest.raises(PermissionDenied):
        services.report_reopen(report=report, by=people.cam_ngoc, note="Tự mở lại.")
    reopened = services.report_reopen(
        report=report, by=people.province, note="Số liệu trang xác thực chưa đúng."
    )

    assert reopened.state == ReportState.RETURNED
    assert reopened.accepted_at is None
    step = ReportStep.objects.filter(report=report).last()
    assert step is not None
    assert (step.from_state, step.to_state, step.by) == ("accepted", "returned", people.province)
    assert step.note == "Số liệu trang xác thực chưa đúng."
    # Editable again, and the next build refreshes it.
    services.report_update(report=reopened, by=people.cam_ngoc, positive_posts=20)
    build_period(built)
    assert report_of(tree.cam_ngoc, built).totals["positive_posts"] == 20


def test_a_notice_is_sent_once_per_step(tree: Tree, people: People, built: ReportingPeriod) -> None:
    report = services.report_submit(
        report=_fill(report_of(tree.cam_ngoc, built), people.cam_ngoc), by=people.cam_ngoc
    )
    accepted = services.report_accept(report=report, by=people.cam_thuy)
    step = ReportStep.objects.filter(report=report).last()
    assert step is not None

    assert services.notify(report=accepted, step=step) == 0

    (text,) = _notices(people.cam_ngoc).values_list("text", flat=True)
    assert "Xã Cẩm Ngọc" in text
    assert "Quý 3/2026" in text
    # Reviewers above get nothing: the notice is for the unit.
    assert not _notices(people.cam_thuy).exists()
