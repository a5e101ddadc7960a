"""The compliance dashboard: completeness, criteria, gaps, trends, scope and query budget.

The world: Huyện Cẩm Thủy with four communes in the third quarter of 2026. Cẩm Ngọc and
Cẩm Thành submit in August (on time), Cẩm Tâm on 07/10 (after the communes' 05/10 due
date: late), Cẩm Vân never; the district accepts Cẩm Ngọc. The page is looked at on 07/10.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Browser

from accounts_registry.models import ContactPerson, PageState
from legal.services import load_defaults
from reports import services
from reports.build import build_period
from reports.dashboard import build_dashboard
from reports.dashboard.model import CHART_BOTTOM, CHART_HEIGHT, CHART_TOP
from reports.models import PeriodKind, ReportingPeriod, ReportState
from reports.periods import ensure_period
from tests import factories
from tests.accounts_registry.factories_bodies import SocialPageFactory
from tests.browser.support import VIEWPORTS, fits_the_screen, log_in, shoot
from tests.conftest import Tree
from tests.reports.conftest import DECLARATIONS, People, Registry, report_of
from units.models import AdministrativeUnit
from users.models import User

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
AFTER_COMMUNE_DUE = datetime(2026, 10, 7, 9, 0, tzinfo=HANOI)
# Queries of build_dashboard for a user whose grants are not read yet: grants, periods,
# breadcrumbs, bodies and pages (counts, then the first with gaps), deadlines, own report,
# children, units below them, incidents, declarations, criteria, trend (3).
DASHBOARD_QUERIES = 17
# The page: the session, the user, the unit, the menu's two counters, and the dashboard.
VIEW_BUDGET = 22

# Its live-server tests flush the database: put the migrated data back after the module.
pytestmark = [pytest.mark.usefixtures("restore_migrated_data")]


@dataclass
class World:
    tree: Tree
    people: People
    quarter: ReportingPeriod
    previous: ReportingPeriod
    cam_tam: AdministrativeUnit
    cam_van: AdministrativeUnit


def _submit(unit: AdministrativeUnit, by: User, period: ReportingPeriod, **fields: Any) -> None:
    report = report_of(unit, period)
    services.report_update(report=report, by=by, **{**DECLARATIONS, **fields})
    services.report_submit(report=report, by=by)


@pytest.fixture
def world(
    tree: Tree,
    people: People,
    registry: Registry,
    quarter: ReportingPeriod,
    time_machine: Any,
) -> World:
    load_defaults()
    cam_tam = factories.commune(tree.cam_thuy, "Xã Cẩm Tâm", code="15020")
    cam_van = factories.commune(tree.cam_thuy, "Xã Cẩm Vân", code="15021")
    for unit in (cam_tam, cam_van):
        factories.BodyFactory.create(unit=unit, name=f"UBND {unit.name}")
    previous = ensure_period(PeriodKind.QUARTERLY, date(2026, 4, 15))
    build_period(previous)
    build_period(quarter)

    # Of its fake page found, Cẩm Ngọc reported it to the platform, which took it down.
    _submit(tree.cam_ngoc, people.cam_ngoc, quarter, fake_pages_reported=1, fake_pages_taken_down=1)
    _submit(tree.cam_thanh, people.cam_thanh, quarter)
    services.report_accept(report=report_of(tree.cam_ngoc, quarter), by=people.cam_thuy)
    time_machine.move_to(AFTER_COMMUNE_DUE, tick=False)
    _submit(cam_tam, factories.officer_of(cam_tam), quarter, fake_pages_reported=1)
    return World(tree, people, quarter, previous, cam_tam, cam_van)


def _get(client: Any, user: User, **params: Any) -> Any:
    client.force_login(user)
    return client.get(reverse("reports:dashboard"), params)


# --- Completeness and timeliness -------------------------------------------------------------


def test_the_district_sees_each_commune_report_state_and_timeliness(world: World) -> None:
    tree = world.tree

    board = build_dashboard(world.people.cam_thuy, unit=None, period=None)

    assert board.unit == tree.cam_thuy
    assert board.period == world.quarter  # the latest period that has started
    assert board.due_on == date(2026, 10, 10)
    assert board.report is not None
    assert board.report.state == ReportState.DRAFT
    rows = {row.name: (row.state, row.timeliness) for row in board.children}
    assert rows == {
        "Xã Cẩm Ngọc": ("accepted", "on_time"),
        "Xã Cẩm Thành": ("submitted", "on_time"),
        "Xã Cẩm Tâm": ("submitted", "late"),
        "Xã Cẩm Vân": ("draft", "overdue"),
    }
    counts = board.completeness
    assert (counts.expected, counts.submitted, counts.on_time, counts.late) == (4, 3, 2, 1)
    assert (counts.accepted, counts.not_submitted, counts.overdue, counts.missing) == (1, 1, 1, 3)
    assert counts.on_time_percent == 50
    states, timeliness = board.bars
    assert {s.key: s.count for s in states.segments} == {
        "accepted": 1,
        "submitted": 2,
        "returned": 0,
        "draft": 1,
        "none": 0,
    }
    assert {s.key: s.count for s in timeliness.segments} == {
        "on_time": 2,
        "late": 1,
        "overdue": 1,
        "pending": 0,
    }
    # The segments fill the bar, end to end.
    assert sum(segment.width for segment in states.segments) == pytest.approx(600, abs=0.5)


def test_the_province_sees_its_districts_and_the_communes_below_each(world: World) -> None:
    tree = world.tree

    board = build_dashboard(world.people.province, unit=tree.thanh_hoa, period=world.quarter)

    by_name = {row.name: row for row in board.children}
    assert set(by_name) == {"Huyện Cẩm Thủy", "Huyện Bá Thước"}
    # District reports are due 10/10: drafts on 07/10 are not late yet.
    assert {row.timeliness for row in board.children} == {"pending"}
    below = by_name["Huyện Cẩm Thủy"].below
    assert below is not None
    assert (below.expected, below.submitted, below.on_time, below.accepted) == (4, 3, 2, 1)
    dien_lu = by_name["Huyện Bá Thước"].below
    assert dien_lu is not None
    assert (dien_lu.expected, dien_lu.submitted) == (1, 0)
    assert by_name["Huyện Cẩm Thủy"].drill_url == (
        f"/reports/dashboard/?unit={tree.cam_thuy.pk}&period={world.quarter.pk}"
    )


def test_a_unit_without_a_report_yet_shows_as_having_none(world: World) -> None:
    late_comer = factories.commune(world.tree.cam_thuy, "Xã Cẩm Yên", code="15022")

    board = build_dashboard(world.people.cam_thuy, unit=world.tree.cam_thuy, period=world.quarter)

    row = next(row for row in board.children if row.unit_id == late_comer.pk)
    assert (row.state, row.timeliness, row.report_id) == ("none", "overdue", None)
    assert board.completeness.expected == 5


# --- Compliance by criterion -----------------------------------------------------------------


def test_a_draft_district_report_gives_live_figures_over_the_whole_subtree(world: World) -> None:
    board = build_dashboard(world.people.cam_thuy, unit=world.tree.cam_thuy, period=world.quarter)

    assert board.source == "live"
    rates = {c.ref: (c.numerator, c.denominator, c.rate) for c in board.criteria}
    # Pages: Cẩm Ngọc's three live ones (2 approved, 1 verified, 1 stale) and Cẩm Thành's draft.
    assert rates["real_name"] == (2, 4, 50)
    assert rates["platform_verified"] == (1, 2, 50)
    assert rates["responsible_unit"] == (1, 2, 50)
    assert rates["recertified"] == (1, 2, 50)
    # Bodies: the five People's Committees and culture office; only Cẩm Ngọc's is complete.
    assert rates["contact_registered"] == (1, 5, 20)
    assert rates["contact_notified"] == (1, 5, 20)
    assert rates["posting_rules"] == (1, 5, 20)
    # Declarations of the three reports submitted so far.
    assert rates["consistent_information"] == (3, 3, 100)
    assert rates["account_security"] == (3, 3, 100)
    counts = {c.ref: [value for _label, value in c.counts] for c in board.criteria}
    # Searches, fake pages found, reported to the platform, taken down (Cẩm Thành declared
    # neither of the last two: nothing counted for it).
    assert counts["impersonation_scan"] == [9, 3, 2, 1]
    assert counts["dissemination"] == [6, 135]
    # Two incidents discovered in the quarter, one reported to the platform 6 hours later.
    assert counts["account_security"] == [2, 1, 1, "6.0"]
    assert len(board.criteria) == 13
    assert [c.ref for c in board.criteria][:2] == ["real_name", "platform_verified"]
    assert board.criteria[0].url == "/legal/criteria/#criterion-real_name"


def test_a_submitted_or_accepted_report_gives_its_frozen_totals(world: World) -> None:
    tree = world.tree
    # The registry changes after Cẩm Ngọc's report was accepted: the dashboard keeps the report.
    SocialPageFactory.create(body=tree.ubnd_cam_ngoc, state=PageState.DRAFT)

    board = build_dashboard(world.people.cam_ngoc, unit=tree.cam_ngoc, period=world.quarter)

    assert board.source == "report"
    assert board.children == []
    rates = {c.ref: (c.numerator, c.denominator) for c in board.criteria}
    assert rates["real_name"] == (2, 3)
    assert rates["contact_registered"] == (1, 1)
    assert rates["consistent_information"] == (1, 1)
    # The gaps, though, are always the register now: the new draft page is not verified.
    assert board.gaps.pages == 4


# --- Province and country: from the built reports ---------------------------------------------


def _registry_figures(board: Any) -> dict[str, Any]:
    """What the page shows of the register: every rate, every count, every gap count."""
    gaps = board.gaps
    return {
        "criteria": {c.ref: (c.numerator, c.denominator, c.counts) for c in board.criteria},
        "gaps": (
            gaps.bodies,
            gaps.bodies_with_gaps,
            gaps.no_contact,
            gaps.no_rules,
            gaps.pages,
            gaps.pages_with_gaps,
            gaps.needs_review,
            gaps.not_verified,
        ),
        "bodies listed": sorted(item.body_id for item in gaps.body_list),
        "pages listed": sorted(item.page_id for item in gaps.page_list),
    }


def _live_board(
    monkeypatch: pytest.MonkeyPatch,
    user: User,
    unit: AdministrativeUnit | None,
    period: ReportingPeriod,
) -> Any:
    """The same dashboard computed live, as a district's is: the built path off for once."""
    with monkeypatch.context() as patch:
        patch.setattr("reports.dashboard.build.reads_built", lambda reach: False)
        return build_dashboard(user, unit=unit, period=period)


@pytest.fixture
def current(
    now: datetime, tree: Tree, people: People, registry: Registry, quarter: ReportingPeriod
) -> ReportingPeriod:
    """The quarter built while it runs (its reports current), a commune's report submitted."""
    load_defaults()
    build_period(quarter)
    _submit(tree.cam_thanh, people.cam_thanh, quarter)
    return quarter


def test_the_province_and_the_country_show_the_built_figures_equal_to_the_live_ones(
    tree: Tree, people: People, current: ReportingPeriod, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = factories.admin_user()

    for user, unit in ((people.province, tree.thanh_hoa), (admin, None)):
        # When the province's or the country's dashboard is read from the built reports
        board = build_dashboard(user, unit=unit, period=current)
        live = _live_board(monkeypatch, user, unit, current)

        # Then it shows exactly the figures a live scan of the register gives
        assert board.source == "built"
        assert live.source == "live"
        assert _registry_figures(board) == _registry_figures(live)
        assert board.gaps.bodies > 0
        assert board.gaps.pages > 0
        assert board.gaps.needs_review > 0
        counts = {c.ref: c.counts for c in board.criteria}
        assert counts["account_security"][0][1] > 0  # the quarter's incidents, as built
        # and says when they stand
        assert board.built is not None
        assert board.built.built == board.built.reports > 0


def test_the_province_page_says_when_its_figures_were_built_in_vietnamese(
    client: Any, tree: Tree, people: People, current: ReportingPeriod
) -> None:
    built_at = report_of(tree.thanh_hoa, current).built_at
    assert built_at is not None

    response = _get(client, people.province, period=current.pk)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-source="built"' in page
    shown = built_at.astimezone(HANOI).strftime("%d/%m/%Y %H:%M")
    assert f"Đếm theo các báo cáo đã tổng hợp cho Quý 3/2026, tính đến {shown}" in page
    assert f"Số liệu của các báo cáo đã tổng hợp cho Quý 3/2026, tính đến {shown}" in page


def test_a_change_reaches_the_province_figures_when_the_reports_are_built_again(
    tree: Tree, people: People, current: ReportingPeriod
) -> None:
    before = build_dashboard(people.province, unit=tree.thanh_hoa, period=current)
    ContactPerson.objects.create(body=tree.ubnd_dien_lu, name="Lê Văn Minh", phone="0912000111")

    # The district, live, sees it at once; the province at the next build of the reports
    stale = build_dashboard(people.province, unit=tree.thanh_hoa, period=current)
    build_period(current)
    after = build_dashboard(people.province, unit=tree.thanh_hoa, period=current)

    assert stale.gaps.no_contact == before.gaps.no_contact
    assert after.gaps.no_contact == before.gaps.no_contact - 1
    assert before.built is not None
    assert after.built is not None


def test_a_province_with_nothing_built_for_the_period_stays_live(world: World) -> None:
    september = ensure_period(PeriodKind.MONTHLY, date(2026, 9, 1))

    board = build_dashboard(world.people.province, unit=world.tree.thanh_hoa, period=september)

    assert board.source == "live"
    assert board.built is None
    assert board.gaps.bodies > 0


# --- Gaps ------------------------------------------------------------------------------------


def test_gaps_count_and_list_the_bodies_and_pages_of_the_subtree(world: World) -> None:
    tree = world.tree

    gaps = build_dashboard(world.people.cam_thuy, unit=tree.cam_thuy, period=world.quarter).gaps

    assert (gaps.bodies, gaps.bodies_with_gaps, gaps.no_contact, gaps.no_rules) == (5, 4, 4, 4)
    assert {item.name for item in gaps.body_list} == {
        "UBND Xã Cẩm Thành",
        "UBND Xã Cẩm Tâm",
        "UBND Xã Cẩm Vân",
        "Phòng Văn hóa và Thông tin huyện Cẩm Thủy",
    }
    assert (gaps.pages, gaps.pages_with_gaps, gaps.needs_review, gaps.not_verified) == (
        4,
        3,
        1,
        3,
    )
    # The page needing re-confirmation comes first, linked to the register.
    first = gaps.page_list[0]
    assert first.name == "Tuổi trẻ Cẩm Ngọc"
    assert "needs_review" in {code for code, _label in first.gaps}
    assert first.url == f"/registry/pages/{registry_page_id(first)}/"
    assert gaps.pages_url == f"/registry/pages/?unit={tree.cam_thuy.pk}&gap=needs_review"
    body = next(item for item in gaps.body_list if item.name == "UBND Xã Cẩm Thành")
    assert body.url == f"/registry/bodies/{tree.ubnd_cam_thanh.pk}/"
    assert {code for code, _label in body.gaps} == {"no_contact", "no_rules"}


def registry_page_id(item: Any) -> int:
    return int(item.page_id)


def test_a_contact_added_closes_the_gap_at_once(world: World) -> None:
    tree = world.tree
    ContactPerson.objects.create(body=tree.ubnd_cam_thanh, name="Lê Văn Minh", phone="0912000111")

    gaps = build_dashboard(world.people.cam_thuy, unit=tree.cam_thuy, period=world.quarter).gaps

    assert (gaps.no_contact, gaps.no_rules) == (3, 4)


# --- Trends ----------------------------------------------------------------------------------


def test_trends_cover_the_periods_of_the_same_kind_up_to_the_selected_one(world: World) -> None:
    ensure_period(PeriodKind.MONTHLY, date(2026, 9, 1))  # another kind: not in the trend
    board = build_dashboard(world.people.cam_thuy, unit=world.tree.cam_thuy, period=world.quarter)

    trend = board.trend
    assert trend is not None
    assert [period.pk for period in trend.periods] == [world.previous.pk, world.quarter.pk]
    values = {line.key: line.values for line in trend.series}
    # Q2: built, nothing submitted; Q3: 2 of 4 on time.
    assert values["on_time"] == [0, 50]
    # Q2's district report was never submitted: no frozen figures. Q3: live, as above.
    assert values["platform_verified"] == [None, 50]
    assert values["contact_registered"] == [None, 20]
    # One point per value: 0 % on the axis, 50 % half-way up the plot.
    bottom, top = CHART_HEIGHT - CHART_BOTTOM, CHART_TOP
    (_x0, y0, _v0, label0), (_x1, y1, _v1, _label1) = trend.series[0].points
    assert (y0, label0) == (bottom, "Quý 2/2026")
    assert y1 == pytest.approx((bottom + top) / 2, abs=0.1)


# --- Scope -----------------------------------------------------------------------------------


def test_another_province_gets_404(client: Any, world: World) -> None:
    response = _get(client, world.people.tan_uyen, unit=world.tree.cam_thuy.pk)

    assert response.status_code == 404


def test_a_commune_cannot_look_at_its_sister_commune(client: Any, world: World) -> None:
    tree = world.tree

    assert _get(client, world.people.cam_ngoc, unit=tree.cam_thanh.pk).status_code == 404
    assert _get(client, world.people.cam_ngoc, unit=tree.cam_thuy.pk).status_code == 404
    with pytest.raises(Http404):
        build_dashboard(world.people.cam_ngoc, unit=tree.cam_thanh, period=world.quarter)


def test_a_district_cannot_go_up_to_the_province(client: Any, world: World) -> None:
    response = _get(client, world.people.cam_thuy, unit=world.tree.thanh_hoa.pk)

    assert response.status_code == 404


def test_staff_of_a_body_see_their_unit_alone(client: Any, world: World) -> None:
    staff = world.people.cam_ngoc_staff

    response = _get(client, staff)

    assert response.status_code == 200
    board = response.context["dashboard"]
    assert board.unit == world.tree.cam_ngoc
    assert not board.subtree
    assert 'id="completeness"' not in response.content.decode()
    assert _get(client, staff, unit=world.tree.cam_thuy.pk).status_code == 404


def test_an_unknown_period_or_a_malformed_unit_is_404(client: Any, world: World) -> None:
    assert _get(client, world.people.cam_thuy, period=999999).status_code == 404
    assert _get(client, world.people.cam_thuy, unit="abc").status_code == 404


def test_an_administrator_lands_on_the_whole_country(client: Any, world: World) -> None:
    admin = factories.admin_user()

    response = _get(client, admin)

    assert response.status_code == 200
    assert f'href="/reports/dashboard/?unit={world.tree.lai_chau.pk}&amp;period=' in (
        response.content.decode()
    )
    board = build_dashboard(admin, unit=None, period=world.quarter)

    assert board.unit is None
    assert {row.name for row in board.children} == {"Tỉnh Thanh Hóa", "Tỉnh Lai Châu"}
    # The whole country reads the reports built for the period, not the live register
    assert board.source == "built"
    below = {row.name: row.below for row in board.children}
    thanh_hoa = below["Tỉnh Thanh Hóa"]
    # Two districts and five communes below Thanh Hóa.
    assert thanh_hoa is not None
    assert (thanh_hoa.expected, thanh_hoa.submitted) == (7, 3)


# --- The page --------------------------------------------------------------------------------


def test_the_page_links_down_and_to_the_reports_with_accessible_svg_charts(
    client: Any, world: World
) -> None:
    tree = world.tree

    response = _get(client, world.people.cam_thuy)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/reports/dashboard/?unit={tree.cam_ngoc.pk}&amp;period={world.quarter.pk}"' in (
        html
    )
    charts = re.findall(r"<svg[^>]*role=\"img\"[^>]*>\s*<title>", html)
    # Two stacked bars, one bar per rated criterion (nine), the trend.
    assert len(charts) == 2 + 9 + 1
    assert all('aria-label="' in chart for chart in charts)
    assert 'data-count="expected"' in html
    assert '<table class="table trend-table">' in html
    # No inline styles and no inline scripts: the Content-Security-Policy forbids them.
    assert "style=" not in html
    assert "<script>" not in html
    assert "<script " not in html.replace('<script src="', "")
    # Decimals in SVG attributes are never localised ("12,5" is not a number for SVG).
    assert not re.search(r'(?:x|width|cx|cy|y)="\d+,\d', html)


def test_a_link_to_each_child_report_once_the_report_page_exists(client: Any, world: World) -> None:
    board = build_dashboard(world.people.cam_thuy, unit=world.tree.cam_thuy, period=world.quarter)

    try:
        expected = reverse("reports:detail", kwargs={"report_id": board.children[0].report_id})
    except NoReverseMatch:  # the report page is another part of the app, maybe not there yet
        expected = None
    assert board.children[0].report_url == expected


def test_the_period_picker_switches_periods(client: Any, world: World) -> None:
    response = _get(client, world.people.cam_thuy, period=world.previous.pk)

    board = response.context["dashboard"]
    assert board.period == world.previous
    assert board.completeness.submitted == 0
    assert [p.pk for p in board.periods] == [world.quarter.pk, world.previous.pk]
    assert f'<option value="{world.previous.pk}"\n' in response.content.decode() or (
        f'value="{world.previous.pk}"' in response.content.decode()
    )


def test_a_period_without_reports_shows_every_unit_as_having_none(world: World) -> None:
    september = ensure_period(PeriodKind.MONTHLY, date(2026, 9, 1))

    board = build_dashboard(world.people.cam_thuy, unit=world.tree.cam_thuy, period=september)

    assert board.periods[0] == september  # the picker shows the period asked for
    assert {row.state for row in board.children} == {"none"}
    assert board.report is None
    assert board.source == "live"


# --- Query budget ----------------------------------------------------------------------------


def _grow(district: AdministrativeUnit, communes: int) -> None:
    """Communes with two bodies each, pages, and a contact for one body of two."""
    for i in range(communes):
        unit = factories.commune(district, f"Xã Thử {district.pk}-{i}")
        for j in range(2):
            body = factories.BodyFactory.create(unit=unit)
            SocialPageFactory.create(body=body, state=PageState.APPROVED)
            SocialPageFactory.create(body=body, state=PageState.DRAFT)
            if j:
                ContactPerson.objects.create(body=body, name=f"Lê {j}", phone="0912345678")


def _count(user: User, unit: AdministrativeUnit, period: ReportingPeriod) -> int:
    with CaptureQueriesContext(connection) as captured:
        build_dashboard(user, unit=unit, period=period)
    return len(captured.captured_queries)


@pytest.fixture
def provinces(db: None, quarter: ReportingPeriod, now: datetime) -> Any:
    load_defaults()
    small = factories.province("Tỉnh Nhỏ")
    _grow(factories.district(small, "Huyện Nhỏ"), 3)
    large = factories.province("Tỉnh Lớn")
    _grow(factories.district(large, "Huyện Lớn A"), 15)
    _grow(factories.district(large, "Huyện Lớn B"), 15)
    ensure_period(PeriodKind.QUARTERLY, date(2026, 4, 15))
    build_period(quarter)
    return small, large


def test_query_count_is_the_same_for_3_and_30_communes(
    provinces: Any, quarter: ReportingPeriod
) -> None:
    small, large = provinces
    small_district = AdministrativeUnit.objects.get(name="Huyện Nhỏ")
    large_district = AdministrativeUnit.objects.get(name="Huyện Lớn A")

    few = _count(factories.officer_of(small), small, quarter)
    many = _count(factories.officer_of(large), large, quarter)
    district = _count(factories.officer_of(small_district), small_district, quarter)
    big_district = _count(factories.officer_of(large_district), large_district, quarter)

    assert few == many == district == big_district == DASHBOARD_QUERIES
    country = _count(factories.admin_user(), None, quarter)  # type: ignore[arg-type]
    assert country <= few


def test_query_budget_of_the_page(
    client: Any, provinces: Any, quarter: ReportingPeriod, django_assert_max_num_queries: Any
) -> None:
    small, large = provinces
    for province in (small, large):
        officer = factories.officer_of(province)
        client.force_login(officer)
        with django_assert_max_num_queries(VIEW_BUDGET):
            response = client.get(reverse("reports:dashboard"))
        assert response.status_code == 200
        district = AdministrativeUnit.objects.filter(parent=province).first()
        assert district is not None
        with django_assert_max_num_queries(VIEW_BUDGET):
            response = client.get(reverse("reports:dashboard"), {"unit": district.pk})
        assert response.status_code == 200


# --- In a browser ----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("size", VIEWPORTS)
def test_the_dashboard_in_a_browser(
    browser: Browser,
    live_server: Any,
    world: World,
    size: str,
) -> None:
    base = live_server.url
    page = browser.new_page(viewport=VIEWPORTS[size], locale="vi-VN")  # type: ignore[arg-type]
    page.set_default_timeout(10_000)
    log_in(page, base, world.people.cam_thuy)

    page.goto(f"{base}/reports/dashboard/")
    assert page.get_by_role("heading", name="Huyện Cẩm Thủy", level=1).is_visible()
    assert page.locator(".dashboard-children tbody tr").count() == 4
    assert page.locator("tr[data-timeliness=overdue]").count() == 1
    assert page.locator(".criterion").count() == 13
    shoot(page, f"dashboard-district-{size}")
    assert fits_the_screen(page)

    # Down to a commune, whose report was accepted: the frozen figures
    page.locator(".dashboard-children a", has_text="Xã Cẩm Ngọc").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Xã Cẩm Ngọc", level=1).is_visible()
    assert page.locator("[data-source=report]").count() == 1
    shoot(page, f"dashboard-commune-{size}")
    assert fits_the_screen(page)
    page.close()

    page = browser.new_page(viewport=VIEWPORTS[size], locale="vi-VN")  # type: ignore[arg-type]
    page.set_default_timeout(10_000)
    log_in(page, base, world.people.province)
    page.goto(f"{base}/reports/dashboard/")
    assert page.get_by_role("heading", name="Tỉnh Thanh Hóa", level=1).is_visible()
    assert page.locator("[data-below-submitted]").first.inner_text() == "3"
    shoot(page, f"dashboard-province-{size}")
    assert fits_the_screen(page)
    page.close()
