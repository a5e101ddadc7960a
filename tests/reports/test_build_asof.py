"""A past period is built from the registry as it stood at the period's end (reports.asof)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from accounts_registry.models import (
    ContactPerson,
    PageState,
    Platform,
    PostingRules,
    SocialPage,
)
from accounts_registry.services import pages as page_services
from accounts_registry.services.contacts import contact_set
from incidents import services as incident_services
from incidents.models import Incident, IncidentKind, IncidentSource, IncidentState
from portal.history import keep_baseline, recorded_on
from reports import services
from reports.asof import issuing_committee
from reports.build import build_period
from reports.exports.documents import official_report, render_docx, render_pdf
from reports.exports.xlsx import write_xlsx
from reports.models import PeriodKind, ReportingPeriod, UnitReport
from reports.periods import ensure_period
from tests import factories
from tests.accounts_registry.factories_pages import page, rules
from tests.conftest import Tree, build_tree
from tests.pdf_text import pdf_text
from tests.reports.conftest import DECLARATIONS, report_of
from units.models import AdministrativeUnit, Body, BodyKind
from units.services import rewrite_subtree_paths, unit_merge
from users.models import User

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
IN_Q2_2025 = datetime(2025, 5, 10, 9, 0, tzinfo=HANOI)
AFTER_Q2_2025 = datetime(2025, 7, 5, 9, 0, tzinfo=HANOI)
# The day the reorganisation is entered, long after it took effect.
TODAY = datetime(2026, 12, 4, 9, 0, tzinfo=HANOI)
REFORM = date(2025, 7, 1)


@dataclass
class World:
    tree: Tree
    q2: ReportingPeriod
    registered: SocialPage  # approved and verified in May 2025, archived in December 2026
    draft: SocialPage
    staff: User


def _figures(report: UnitReport) -> dict[str, Any]:
    """Everything a reader of the report sees of the registry."""
    report.refresh_from_db()
    return {
        "unit_name": report.unit_name,
        "totals": report.totals,
        "bodies": sorted(
            report.body_rows.values_list(
                "body_id", "body_name", "has_contact", "contact_notified", "has_rules",
                "pages_registered", "pages_approved", "pages_verified", "incidents_opened",
                "incidents_reported", "incidents_resolved",
            )
        ),
        "pages": sorted(
            report.page_rows.values_list(
                "page_id", "body_id", "url", "name", "state", "verified", "has_contact",
                "has_rules", "needs_review",
            )
        ),
        "children": sorted(report.child_rows.values_list("child_unit_id", "child_name")),
    }  # fmt: skip


@pytest.fixture
def world(db: None, time_machine: Any) -> World:
    """The three-tier registry of May 2025: Cẩm Ngọc's committee with two pages, a notified
    contact, posting rules and an incident reported and resolved in the quarter."""
    time_machine.move_to(IN_Q2_2025, tick=False)
    tree = build_tree()
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    body = tree.ubnd_cam_ngoc
    registered = page(
        body,
        state=PageState.APPROVED,
        is_platform_verified=True,
        platform_verified_on=date(2025, 1, 5),
        responsible_unit="Văn phòng HĐND-UBND xã",
        display_name="UBND xã Cẩm Ngọc",
    )
    draft = page(body, state=PageState.DRAFT, display_name="Cẩm Ngọc quê hương")
    contact_set(
        body=body,
        name="Nguyễn Thị Hoa",
        phone="0912 345 678",
        notice_number="15/UBND-VP",
        notice_date=date(2025, 3, 1),
        by=staff,
    )
    rules(body)
    incident = incident_services.incident_report(
        body=body,
        kind=IncidentKind.IMPERSONATION,
        url="https://www.facebook.com/ubnd.camngoc.gia",
        description="Trang giả mạo.",
        by=staff,
        discovered_at=IN_Q2_2025 - timedelta(hours=6),
    )
    officer = factories.officer_of(tree.cam_thuy)
    for step in (
        IncidentState.UNDER_REVIEW,
        IncidentState.REPORTED_TO_PLATFORM,
        IncidentState.RESOLVED,
    ):
        incident = incident_services.incident_transition(
            incident=incident, to_state=step, by=officer, note="Đã xử lý."
        )
    q2 = ensure_period(PeriodKind.QUARTERLY, date(2025, 5, 15))
    return World(tree=tree, q2=q2, registered=registered, draft=draft, staff=staff)


def _new_rules(body: Body) -> None:
    """New posting rules for ``body``, superseding its current ones (as the service does)."""
    current = PostingRules.objects.get(body=body, superseded_at__isnull=True)
    current.superseded_at = timezone.now()
    current.save()
    rules(body)


def _new_commune(tree: Tree, *, committee: bool = True) -> AdministrativeUnit:
    """Xã Cẩm Thủy of the two-tier province, in force from 01/07/2025."""
    unit = factories.commune(tree.thanh_hoa, "Xã Cẩm Thủy", code="15999", valid_from=REFORM)
    if committee:
        # Entered in December 2026, it exists from the day the commune does.
        with recorded_on(datetime(2025, 7, 1, tzinfo=HANOI)):
            factories.BodyFactory.create(unit=unit, name="Ủy ban nhân dân xã Cẩm Thủy")
    return unit


def _reorganise_and_change(world: World, time_machine: Any) -> tuple[AdministrativeUnit, Any]:
    """On 04/12/2026: Cẩm Ngọc merged into the new Xã Cẩm Thủy from 01/07/2025, its first
    page archived, a new page registered, its contact replaced, new rules issued."""
    time_machine.move_to(TODAY, tick=False)
    tree = world.tree
    new = _new_commune(tree)
    unit_merge(predecessors=[tree.cam_ngoc], successor=new, effective_on=REFORM)
    body = Body.objects.get(pk=tree.ubnd_cam_ngoc.pk)
    page_services.page_archive(page=world.registered, by=None)
    late = page(body, state=PageState.APPROVED, display_name="Cẩm Ngọc hôm nay")
    contact_set(body=body, name="Trần Văn Bình", phone="0987 654 321", by=world.staff)
    _new_rules(body)
    return new, late


def test_rebuilding_a_past_quarter_after_a_merger_keeps_the_old_communes_figures(
    world: World, time_machine: Any
) -> None:
    # Given Quý 2/2025 built just after it ended, from the three-tier registry
    time_machine.move_to(AFTER_Q2_2025, tick=False)
    build_period(world.q2)
    before = _figures(report_of(world.tree.cam_ngoc, world.q2))
    district_before = _figures(report_of(world.tree.cam_thuy, world.q2))
    assert before["totals"]["bodies"] == 1
    assert before["totals"]["pages_registered"] == 2
    assert before["totals"]["pages_verified"] == 1
    assert before["totals"]["bodies_contact_notified"] == 1
    assert before["totals"]["bodies_with_rules"] == 1
    assert before["totals"]["incidents_resolved"] == 1

    # When the commune is merged into a new one from 01/07/2025, in December 2026, its
    # first page archived and a page registered then, and the quarter rebuilt
    _new, late = _reorganise_and_change(world, time_machine)
    build_period(world.q2)

    # Then the old commune's draft says exactly what it said
    after = _figures(report_of(world.tree.cam_ngoc, world.q2))
    assert after == before
    assert _figures(report_of(world.tree.cam_thuy, world.q2)) == district_before
    page_ids = [row[0] for row in after["pages"]]
    assert late.pk not in page_ids  # registered in December 2026
    assert world.registered.pk in page_ids  # archived after the period's end
    # The new commune did not exist in the quarter: it has no report for it.
    assert not UnitReport.objects.filter(period=world.q2, unit__name="Xã Cẩm Thủy").exists()


def test_the_next_quarter_puts_the_moved_body_in_the_new_commune_with_its_own_heading(
    world: World, time_machine: Any
) -> None:
    # Given the merger entered in December 2026, effective 01/07/2025
    new, late = _reorganise_and_change(world, time_machine)
    q3 = ensure_period(PeriodKind.QUARTERLY, date(2025, 8, 15))

    # When Quý 3/2025 is built
    build_period(q3)

    # Then the moved committee is the new commune's, with the pages it had on 30/09/2025
    report = report_of(new, q3)
    rows = _figures(report)
    names = [row[1] for row in rows["bodies"]]
    assert names == ["UBND Xã Cẩm Ngọc", "Ủy ban nhân dân xã Cẩm Thủy"]
    page_ids = [row[0] for row in rows["pages"]]
    assert sorted(page_ids) == sorted([world.registered.pk, world.draft.pk])
    assert late.pk not in page_ids
    # The closed commune has no report for a quarter it did not live in.
    assert not UnitReport.objects.filter(period=q3, unit=world.tree.cam_ngoc).exists()
    # And the report is headed by the new commune's committee, although the abolished
    # commune's committee is older.
    own = Body.objects.get(unit=new, name__contains="Thủy")
    assert world.tree.ubnd_cam_ngoc.pk < own.pk
    committee = issuing_committee(
        new, ends_on=q3.ends_on, built_at=report.built_at, name=report.unit_name
    )
    assert committee is not None
    assert committee.pk == own.pk
    assert official_report(report).authority == ["ỦY BAN NHÂN DÂN", "XÃ CẨM THỦY"]


def test_a_new_commune_without_a_committee_of_its_own_is_headed_by_its_own_name(
    world: World, time_machine: Any
) -> None:
    time_machine.move_to(TODAY, tick=False)
    new = _new_commune(world.tree, committee=False)
    unit_merge(predecessors=[world.tree.cam_ngoc], successor=new, effective_on=REFORM)
    q3 = ensure_period(PeriodKind.QUARTERLY, date(2025, 8, 15))
    build_period(q3)

    doc = official_report(report_of(new, q3))

    assert doc.authority == ["ỦY BAN NHÂN DÂN", "XÃ CẨM THỦY"]
    assert "Cẩm Ngọc" not in " ".join(doc.authority)


def test_an_accepted_past_report_never_changes(world: World, time_machine: Any) -> None:
    # Given Cẩm Ngọc's Quý 2/2025 report accepted in July 2025
    time_machine.move_to(AFTER_Q2_2025, tick=False)
    build_period(world.q2)
    report = report_of(world.tree.cam_ngoc, world.q2)
    preparer = factories.officer_of(world.tree.cam_ngoc)
    services.report_update(report=report, by=preparer, **DECLARATIONS)
    services.report_submit(report=report, by=preparer)
    services.report_accept(report=report, by=factories.officer_of(world.tree.cam_thuy))
    accepted = _figures(report)
    built_at = UnitReport.objects.get(pk=report.pk).built_at

    # When the registry and the hierarchy change and the quarter is rebuilt
    _reorganise_and_change(world, time_machine)
    result = build_period(world.q2)

    # Then the accepted report is left as it was
    assert result.frozen == 1
    assert _figures(report) == accepted
    assert UnitReport.objects.get(pk=report.pk).built_at == built_at


def test_bodies_pages_contacts_and_rules_count_only_as_they_were_at_the_end(
    world: World, time_machine: Any
) -> None:
    # Given, in December 2026: a body created, the committee's rules replaced, a page
    # moved to another body, and a body archived, after the quarter
    time_machine.move_to(TODAY, tick=False)
    tree = world.tree
    factories.BodyFactory.create(unit=tree.cam_ngoc, name="Trường THCS Cẩm Ngọc")
    _new_rules(tree.ubnd_cam_ngoc)
    other = factories.BodyFactory.create(unit=tree.cam_thanh, name="Đoàn xã Cẩm Thành")
    moved = SocialPage.objects.get(pk=world.draft.pk)
    moved.body = other
    moved.save()
    archived = Body.objects.get(pk=tree.ubnd_cam_thanh.pk)
    archived.archived_at = TODAY
    archived.save()

    # When Quý 2/2025 is built
    build_period(world.q2)

    # Then Cẩm Ngọc has its one committee, both its pages, its rules; Cẩm Thành its
    # committee, archived only later
    cam_ngoc = _figures(report_of(tree.cam_ngoc, world.q2))
    assert [row[1] for row in cam_ngoc["bodies"]] == ["UBND Xã Cẩm Ngọc"]
    assert sorted(row[0] for row in cam_ngoc["pages"]) == sorted(
        [world.registered.pk, world.draft.pk]
    )
    assert cam_ngoc["totals"]["bodies_with_rules"] == 1
    cam_thanh = _figures(report_of(tree.cam_thanh, world.q2))
    assert [row[1] for row in cam_thanh["bodies"]] == ["UBND Xã Cẩm Thành"]


def test_a_contact_archived_later_counts_and_a_later_notice_does_not(
    world: World, time_machine: Any
) -> None:
    # Given Cẩm Thành's contact named in May 2025 without a notice, notified in 2026
    tree = world.tree
    contact = ContactPerson.objects.create(
        body=tree.ubnd_cam_thanh, name="Lê Văn Tám", phone="0912 000 111"
    )
    time_machine.move_to(TODAY, tick=False)
    contact.notice_number = "7/UBND-VP"
    contact.notice_date = date(2026, 11, 30)
    contact.save()
    # and Cẩm Ngọc's contact archived
    default = ContactPerson.objects.get(body=tree.ubnd_cam_ngoc)
    default.archived_at = TODAY
    default.save()

    build_period(world.q2)

    cam_thanh = report_of(tree.cam_thanh, world.q2).totals
    assert (cam_thanh["bodies_with_contact"], cam_thanh["bodies_contact_notified"]) == (1, 0)
    cam_ngoc = report_of(tree.cam_ngoc, world.q2).totals
    assert (cam_ngoc["bodies_with_contact"], cam_ngoc["bodies_contact_notified"]) == (1, 1)


def test_rows_written_without_history_are_taken_as_they_are_with_their_own_dates(
    world: World, time_machine: Any
) -> None:
    # Given rows bulk-loaded (no history: the synthetic registry, imports) in December 2026
    time_machine.move_to(TODAY, tick=False)
    tree = world.tree
    [school] = Body.objects.bulk_create(
        [Body(unit=tree.cam_thanh, name="Trường THCS Cẩm Thành", kind=BodyKind.OTHER)]
    )
    facebook = Platform.objects.get(code="facebook")

    def bulk_page(name: str, **values: Any) -> SocialPage:
        return SocialPage(
            body=school,
            platform=facebook,
            display_name=name,
            url=f"https://www.facebook.com/{name}",
            canonical_key=name,
            **values,
        )

    end = datetime(2025, 7, 1, tzinfo=HANOI)
    SocialPage.objects.bulk_create(
        [
            bulk_page("live", state=PageState.APPROVED, approved_at=end - timedelta(days=90)),
            bulk_page(
                "archived-then", state=PageState.ARCHIVED, archived_at=end - timedelta(days=3)
            ),
            bulk_page(
                "archived-later",
                state=PageState.ARCHIVED,
                approved_at=end - timedelta(days=30),
                archived_at=end + timedelta(days=3),
            ),
            bulk_page(
                "approved-later",
                state=PageState.APPROVED,
                submitted_at=end - timedelta(days=3),
                approved_at=end + timedelta(days=3),
            ),
        ]
    )
    # and one of them moved to another body later, by a writer that keeps the baseline
    moved = SocialPage.objects.get(canonical_key="live")
    keep_baseline(SocialPage.objects.filter(pk=moved.pk))
    moved.body = tree.ubnd_cam_thanh
    moved.save()

    # When Quý 2/2025 is built
    build_period(world.q2)

    # Then they count as they stood on 30/06/2025, whatever their creation date says
    pages = {
        row.name: row.state
        for row in report_of(tree.cam_thanh, world.q2).page_rows.filter(body_id=school.pk)
    }
    assert pages == {
        "live": PageState.APPROVED,
        "archived-later": PageState.APPROVED,
        "approved-later": PageState.SUBMITTED,
    }


def test_a_commune_keeps_the_district_it_was_under_when_its_district_is_dissolved_later(
    world: World, time_machine: Any
) -> None:
    # Given Cẩm Thành moved up under the province in December 2026 (district dissolved)
    time_machine.move_to(TODAY, tick=False)
    tree = world.tree
    unit = AdministrativeUnit.objects.get(pk=tree.cam_thanh.pk)
    rewrite_subtree_paths(old_prefix=unit.path, new_prefix=f"{tree.thanh_hoa.path}{unit.pk:08d}.")
    unit.refresh_from_db()
    unit.parent = tree.thanh_hoa
    unit.save()

    # When Quý 2/2025 is built
    build_period(world.q2)

    # Then the district reports on it, and the province does not
    district = _figures(report_of(tree.cam_thuy, world.q2))
    assert tree.cam_thanh.pk in [row[0] for row in district["children"]]
    province = _figures(report_of(tree.thanh_hoa, world.q2))
    assert tree.cam_thanh.pk not in [row[0] for row in province["children"]]
    assert report_of(tree.cam_thanh, world.q2).unit_path.startswith(tree.cam_thuy.path)


def _grow(district: AdministrativeUnit, communes: int) -> None:
    """Communes with two bodies, each with two pages, a contact, rules and an incident."""
    for i in range(communes):
        unit = factories.commune(district, f"Xã Thử {district.pk}-{i}")
        for j in range(2):
            body = factories.BodyFactory.create(unit=unit)
            page(body, state=PageState.APPROVED)
            page(body, state=PageState.DRAFT)
            ContactPerson.objects.create(body=body, name=f"Lê {j}", phone="0912345678")
            rules(body)
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


def test_a_past_period_takes_as_many_queries_for_many_units_as_for_few(
    db: None, time_machine: Any
) -> None:
    time_machine.move_to(IN_Q2_2025, tick=False)
    small = factories.province("Tỉnh Nhỏ")
    _grow(factories.district(small, "Huyện Nhỏ"), 2)
    large = factories.province("Tỉnh Lớn")
    _grow(factories.district(large, "Huyện Lớn"), 20)
    q2 = ensure_period(PeriodKind.QUARTERLY, date(2025, 5, 15))
    time_machine.move_to(TODAY, tick=False)

    few = _count_build(q2, small)
    many = _count_build(q2, large)

    assert few == many
    assert UnitReport.objects.get(period=q2, unit=large).totals["units_missing"] == 1
    district = UnitReport.objects.get(period=q2, unit__name="Huyện Lớn")
    assert district.totals["units_missing"] == 20
    assert (
        sum(
            report.totals["pages_registered"]
            for report in UnitReport.objects.filter(period=q2, unit__parent__name="Huyện Lớn")
        )
        == 20 * 2 * 2
    )


def test_the_report_states_the_date_its_registry_figures_stand_at(
    world: World, time_machine: Any, client: Any
) -> None:
    # Given Quý 2/2025 built in December 2026
    time_machine.move_to(TODAY, tick=False)
    build_period(world.q2)
    report = report_of(world.tree.cam_ngoc, world.q2)
    line = "Số liệu theo sổ đăng ký tại ngày 30/06/2025"

    # Then the page, the DOCX and the workbook say the figures are those of 30/06/2025
    client.force_login(factories.officer_of(world.tree.cam_ngoc))
    response = client.get(reverse("reports:detail", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="vi")
    assert line in " ".join(response.content.decode().split())
    text = "\n".join(p.text for p in Document(io.BytesIO(render_docx(report))).paragraphs)
    assert line in text
    assert line in " ".join(pdf_text(render_pdf(report)).split())
    out = io.BytesIO()
    write_xlsx(report, out)
    sheet = load_workbook(io.BytesIO(out.getvalue()))["Tổng hợp"]
    assert sheet.cell(row=3, column=1).value == line


def test_a_period_not_over_yet_states_the_day_it_was_built(world: World, time_machine: Any) -> None:
    time_machine.move_to(datetime(2025, 8, 10, 9, 0, tzinfo=HANOI), tick=False)
    q3 = ensure_period(PeriodKind.QUARTERLY, date(2025, 8, 15))
    build_period(q3)

    doc = official_report(report_of(world.tree.cam_ngoc, q3))

    assert doc.as_of == "Số liệu theo sổ đăng ký tại ngày 10/08/2025"
