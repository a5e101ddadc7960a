"""Building a period's reports: figures per body, rows per page, roll-up, idempotence."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts_registry.models import ContactPerson, PageState, SocialPage
from accounts_registry.services import pages as page_services
from incidents.models import Incident, IncidentKind, IncidentSource
from reports import services
from reports.build import build_period
from reports.models import (
    FIGURE_CRITERIA,
    TOTAL_FIELDS,
    BuildRun,
    BuildState,
    ReportBodyRow,
    ReportChildRow,
    ReportingPeriod,
    ReportPageRow,
    ReportState,
    UnitReport,
)
from reports.tasks import build_period_task
from tests import factories
from tests.accounts_registry.factories_bodies import SocialPageFactory
from tests.accounts_registry.factories_pages import page
from tests.conftest import Tree
from tests.reports.conftest import DECLARATIONS, People, Registry, report_of
from units.models import AdministrativeUnit


def _rows(report: UnitReport) -> dict[str, list[dict[str, Any]]]:
    """A report's snapshot rows as plain values, without their own ids."""

    def values(queryset: Any) -> list[dict[str, Any]]:
        return [
            {k: v for k, v in row.items() if k not in {"id", "report_id"}}
            for row in queryset.values()
        ]

    return {
        "bodies": values(ReportBodyRow.objects.filter(report=report).order_by("body_id")),
        "pages": values(ReportPageRow.objects.filter(report=report).order_by("page_id")),
        "children": values(ReportChildRow.objects.filter(report=report).order_by("child_path")),
    }


def _snapshot(period: ReportingPeriod) -> dict[int, Any]:
    return {
        report.unit_id: (report.state, report.unit_name, report.totals, _rows(report))
        for report in UnitReport.objects.filter(period=period)
    }


def test_every_figure_is_tied_to_a_criterion_and_every_criterion_is_measured() -> None:
    path = Path(settings.BASE_DIR) / "legal" / "data" / "criteria-874.json"
    refs = {criterion["id"] for criterion in json.loads(path.read_text())["criteria"]}

    assert set(FIGURE_CRITERIA.values()) <= refs
    assert set(FIGURE_CRITERIA.values()) == refs
    not_criteria = {"bodies", "units_reporting", "units_missing"}
    assert set(TOTAL_FIELDS) - not_criteria <= set(FIGURE_CRITERIA)


def test_build_gives_the_registry_figures_per_body_and_the_totals(
    tree: Tree, registry: Registry, quarter: ReportingPeriod
) -> None:
    result = build_period(quarter)

    assert result.units == 9
    assert result.created == result.rebuilt == 9
    cam_ngoc = report_of(tree.cam_ngoc, quarter)
    assert cam_ngoc.state == ReportState.DRAFT
    assert (cam_ngoc.unit_name, cam_ngoc.unit_path) == ("Xã Cẩm Ngọc", tree.cam_ngoc.path)
    row = ReportBodyRow.objects.get(report=cam_ngoc)
    assert (row.body_id, row.body_name, row.unit_name) == (
        tree.ubnd_cam_ngoc.pk,
        "UBND Xã Cẩm Ngọc",
        "Xã Cẩm Ngọc",
    )
    assert (
        row.pages_registered,
        row.pages_approved,
        row.pages_verified,
        row.pages_needing_review,
        row.pages_with_responsible_unit,
    ) == (3, 2, 1, 1, 1)
    assert (row.has_contact, row.contact_notified, row.has_rules) == (True, True, True)
    # Two incidents discovered in the quarter; the one from June is another period's.
    assert (row.incidents_opened, row.incidents_reported, row.incidents_resolved) == (2, 1, 1)
    assert (row.hours_to_report_total, row.hours_to_report_count) == (6.0, 1)

    cam_thanh = ReportBodyRow.objects.get(report=report_of(tree.cam_thanh, quarter))
    assert (cam_thanh.pages_registered, cam_thanh.pages_approved) == (1, 0)
    assert (cam_thanh.has_contact, cam_thanh.has_rules, cam_thanh.incidents_opened) == (
        False,
        False,
        0,
    )
    totals = cam_ngoc.totals
    assert totals["bodies"] == 1
    assert totals["pages_registered"] == 3
    assert totals["bodies_contact_notified"] == 1
    assert totals["units_reporting"] == 1
    assert totals["units_missing"] == 0


def test_build_writes_one_row_per_live_page_with_its_gaps(
    tree: Tree, registry: Registry, quarter: ReportingPeriod
) -> None:
    build_period(quarter)

    rows = {row.page_id: row for row in ReportPageRow.objects.filter(report__unit=tree.cam_ngoc)}
    assert set(rows) == {registry.verified.pk, registry.stale.pk, registry.draft.pk}
    verified = rows[registry.verified.pk]
    assert (verified.name, verified.platform, verified.state) == (
        "UBND xã Cẩm Ngọc",
        "Facebook (trang)",
        PageState.APPROVED,
    )
    assert verified.url == registry.verified.url
    assert (verified.verified, verified.has_contact, verified.has_rules) == (True, True, True)
    assert verified.has_responsible_unit
    assert not verified.needs_review
    assert rows[registry.stale.pk].needs_review
    assert not rows[registry.draft.pk].verified


def test_district_holds_its_own_bodies_and_one_row_per_commune(
    tree: Tree, registry: Registry, quarter: ReportingPeriod
) -> None:
    build_period(quarter)

    district = report_of(tree.cam_thuy, quarter)
    assert [row.body_name for row in district.body_rows.all()] == [
        "Phòng Văn hóa và Thông tin huyện Cẩm Thủy"
    ]
    children = list(district.child_rows.order_by("child_name"))
    assert [child.child_name for child in children] == ["Xã Cẩm Ngọc", "Xã Cẩm Thành"]
    assert all(child.expected and child.missing and not child.accepted for child in children)
    assert all(child.pages_registered is None for child in children)
    assert district.totals["units_missing"] == 2
    province = report_of(tree.thanh_hoa, quarter)
    assert sorted(province.child_rows.values_list("child_name", flat=True)) == [
        "Huyện Bá Thước",
        "Huyện Cẩm Thủy",
    ]


def test_building_twice_gives_identical_reports(
    tree: Tree, registry: Registry, quarter: ReportingPeriod
) -> None:
    # Small batches: a district and its communes fall in different batches.
    first = build_period(quarter, batch_size=2)
    before = _snapshot(quarter)

    second = build_period(quarter)

    assert _snapshot(quarter) == before
    assert (second.created, second.rebuilt, second.body_rows, second.page_rows) == (
        0,
        9,
        first.body_rows,
        first.page_rows,
    )
    assert UnitReport.objects.filter(period=quarter).count() == 9
    district = ReportChildRow.objects.filter(report__unit=tree.cam_thuy)
    assert all(row.child_report_id for row in district)


def _accept(report: UnitReport, preparer: Any, reviewer: Any, **fields: Any) -> UnitReport:
    services.report_update(report=report, by=preparer, **{**DECLARATIONS, **fields})
    services.report_submit(report=report, by=preparer)
    return services.report_accept(report=report, by=reviewer)


def test_accepted_report_matches_the_registry_at_acceptance_even_after_it_changes(
    tree: Tree, registry: Registry, people: People, quarter: ReportingPeriod, now: datetime
) -> None:
    build_period(quarter)
    accepted = _accept(report_of(tree.cam_ngoc, quarter), people.cam_ngoc, people.cam_thuy)
    frozen = _snapshot(quarter)[tree.cam_ngoc.pk]

    # The registry changes: a page archived, another registered and approved, the contact
    # archived, the body renamed, the commune renamed.
    page_services.page_archive(page=registry.verified, by=people.cam_ngoc_staff)
    page(tree.ubnd_cam_ngoc, state=PageState.APPROVED, is_platform_verified=True)
    ContactPerson.objects.filter(body=tree.ubnd_cam_ngoc).update(archived_at=now)
    tree.ubnd_cam_ngoc.name = "UBND xã Cẩm Ngọc (mới)"
    tree.ubnd_cam_ngoc.save()
    tree.cam_ngoc.name = "Xã Cẩm Ngọc Mới"
    tree.cam_ngoc.save()
    build_period(quarter)

    assert _snapshot(quarter)[tree.cam_ngoc.pk] == frozen
    accepted.refresh_from_db()
    assert accepted.state == ReportState.ACCEPTED
    assert accepted.totals["pages_verified"] == 1
    # The district's draft reads the commune's frozen totals, not the registry.
    child = ReportChildRow.objects.get(report__unit=tree.cam_thuy, child_unit_id=tree.cam_ngoc.pk)
    assert child.accepted
    assert not child.missing
    assert child.child_report_id == accepted.pk
    assert (child.pages_registered, child.pages_verified, child.bodies_with_contact) == (3, 1, 1)
    assert child.impersonation_scans == 3
    # A draft is rebuilt from the registry as it is now.
    cam_thanh = report_of(tree.cam_thanh, quarter)
    assert cam_thanh.state == ReportState.DRAFT


def test_submitted_report_is_not_rewritten_by_a_build(
    tree: Tree, registry: Registry, people: People, quarter: ReportingPeriod
) -> None:
    build_period(quarter)
    report = report_of(tree.cam_ngoc, quarter)
    services.report_update(report=report, by=people.cam_ngoc, **DECLARATIONS)
    services.report_submit(report=report, by=people.cam_ngoc)
    before = _snapshot(quarter)[tree.cam_ngoc.pk]

    page(tree.ubnd_cam_ngoc, state=PageState.APPROVED)
    result = build_period(quarter)

    assert _snapshot(quarter)[tree.cam_ngoc.pk] == before
    assert result.frozen == 1
    assert result.rebuilt == 8


def test_parent_totals_roll_up_accepted_children_only(
    tree: Tree, registry: Registry, people: People, quarter: ReportingPeriod
) -> None:
    build_period(quarter)
    _accept(report_of(tree.cam_ngoc, quarter), people.cam_ngoc, people.cam_thuy)

    build_period(quarter)

    district = report_of(tree.cam_thuy, quarter)
    rows = {row.child_name: row for row in district.child_rows.all()}
    cam_ngoc, cam_thanh = rows["Xã Cẩm Ngọc"], rows["Xã Cẩm Thành"]
    assert (cam_ngoc.submitted, cam_ngoc.on_time, cam_ngoc.accepted, cam_ngoc.missing) == (
        True,
        True,
        True,
        False,
    )
    assert (cam_thanh.submitted, cam_thanh.accepted, cam_thanh.missing) == (False, False, True)
    totals = district.totals
    # The district's own body, plus Cẩm Ngọc's accepted figures; Cẩm Thành is missing.
    assert totals["bodies"] == 2
    assert totals["pages_registered"] == 3
    assert totals["incidents_opened"] == 2
    assert totals["hours_to_report_total"] == 6.0
    assert totals["participants"] == 45
    assert totals["units_reporting"] == 2
    assert totals["units_missing"] == 1


def test_without_refresh_only_new_reports_are_built(
    tree: Tree, registry: Registry, quarter: ReportingPeriod
) -> None:
    build_period(quarter, unit_ids=[tree.cam_ngoc.pk])
    page(tree.ubnd_cam_ngoc, state=PageState.DRAFT)

    result = build_period(quarter, refresh=False)

    assert (result.created, result.rebuilt) == (8, 8)
    assert report_of(tree.cam_ngoc, quarter).totals["pages_registered"] == 3


def test_a_unit_not_in_force_at_the_end_of_the_period_gets_no_report(
    tree: Tree, registry: Registry, quarter: ReportingPeriod
) -> None:
    AdministrativeUnit.objects.filter(pk=tree.muong_khoa.pk).update(valid_until=quarter.starts_on)

    build_period(quarter)

    assert not UnitReport.objects.filter(unit=tree.muong_khoa).exists()
    assert not ReportChildRow.objects.filter(child_unit_id=tree.muong_khoa.pk).exists()


def _grow(district: AdministrativeUnit, communes: int) -> None:
    """Communes with two bodies each, each body with pages, a contact, an incident."""
    for i in range(communes):
        unit = factories.commune(district, f"Xã Thử {district.pk}-{i}")
        for j in range(2):
            body = factories.BodyFactory.create(unit=unit)
            SocialPageFactory.create(body=body, state=PageState.APPROVED)
            SocialPageFactory.create(body=body, state=PageState.DRAFT)
            ContactPerson.objects.create(body=body, name=f"Lê {j}", phone="0912345678")
            Incident.objects.create(
                kind=IncidentKind.IMPERSONATION,
                body=body,
                description="x",
                source=IncidentSource.BODY,
            )


def _count_build(period: ReportingPeriod, province: AdministrativeUnit) -> int:
    ids = list(AdministrativeUnit.objects.subtree_of(province).values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as captured:
        build_period(period, unit_ids=ids)
    return len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_units_bodies_or_pages(
    db: None, quarter: ReportingPeriod, now: datetime, django_assert_max_num_queries: Any
) -> None:
    small = factories.province("Tỉnh Nhỏ")
    _grow(factories.district(small, "Huyện Nhỏ"), 3)
    large = factories.province("Tỉnh Lớn")
    _grow(factories.district(large, "Huyện Lớn"), 30)

    few = _count_build(quarter, small)
    many = _count_build(quarter, large)

    assert few == many
    # Rebuilding (no reports to create) takes fewer still.
    with django_assert_max_num_queries(few):
        build_period(quarter, unit_ids=[small.pk])
    assert SocialPage.objects.count() == 2 * 2 * 33
    assert ReportPageRow.objects.count() == 2 * 2 * 33


def test_a_build_run_queued_by_the_service_runs_in_the_task_and_records_progress(
    tree: Tree,
    registry: Registry,
    quarter: ReportingPeriod,
    people: People,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        run = services.build_start(period=quarter, by=people.province)
    assert run.state == BuildState.QUEUED
    # Asking again while it waits gives the same run.
    assert services.build_start(period=quarter, by=people.province) == run
    assert len(callbacks) == 1

    assert build_period_task(run.pk) == "done"

    run.refresh_from_db()
    assert (run.state, run.total, run.done, run.percent) == (BuildState.DONE, 9, 9, 100)
    assert run.started_at is not None
    assert run.finished_at is not None
    assert UnitReport.objects.filter(period=quarter).count() == 9
    # A finished run is not run again by a duplicate message.
    assert build_period_task(run.pk) == "skipped"


def test_progress_is_saved_after_every_batch(tree: Tree, quarter: ReportingPeriod) -> None:
    run = BuildRun.objects.create(period=quarter)
    seen: list[int] = []

    def spy(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.startswith('UPDATE "reports_buildrun"'):
            seen.append(1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        build_period(quarter, run=run, batch_size=4)

    run.refresh_from_db()
    assert (run.total, run.done) == (9, 9)
    # Once for the total, then once per batch of 4 units: 4, 8, 9.
    assert len(seen) == 4
