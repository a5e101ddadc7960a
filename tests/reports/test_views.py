"""The report pages as their users work them: Cẩm Thủy's communes fill in and submit, the
district returns one with a note and accepts the others, the province builds the period.

Scope is checked the way a user meets it (a 404), bad input shows on the form and never
500s, and each page's query count is held flat as the units, bodies and pages grow.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts_registry.models import PageState
from legal.services import load_defaults
from reports.build import build_period
from reports.models import BuildRun, BuildState, ReportingPeriod, ReportState, UnitReport
from reports.tasks import build_period_task
from tests import factories
from tests.accounts_registry.factories_pages import page
from tests.conftest import Tree
from tests.reports.conftest import DECLARATIONS, HANOI, People, Registry, report_of

pytestmark = pytest.mark.django_db

# Queries per page, whatever the number of rows (asserted flat below).
LIST_BUDGET = 16
DETAIL_BUDGET = 22


@pytest.fixture
def built(tree: Tree, registry: Registry, quarter: ReportingPeriod) -> ReportingPeriod:
    build_period(quarter)
    return quarter


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def filled(**overrides: Any) -> dict[str, str]:
    """What a commune officer types into the report form."""
    data = {
        "info_consistent": "True",
        "security_measures": "True",
        "declaration_note": "",
        "impersonation_scans": "3",
        "fake_pages_found": "1",
        "dissemination_sessions": "2",
        "participants": "45",
        "positive_posts": "12",
        "comments_answered": "7",
        "achievements": "Đã tổ chức 2 buổi phổ biến Bộ Quy tắc cho cán bộ xã.",
        "difficulties": "",
        "proposals": "",
    }
    data.update({name: str(value) for name, value in overrides.items()})
    return data


def url(name: str, report: UnitReport) -> str:
    return reverse(f"reports:{name}", kwargs={"report_id": report.pk})


def _fill_and_submit(client: Client, report: UnitReport, **overrides: Any) -> None:
    assert client.post(url("edit", report), filled(**overrides)).status_code == 302
    response = client.post(url("submit", report))
    assert response.status_code == 302, response.context["form"].errors


def _queue_ids(response: Any) -> list[int]:
    return [report.pk for report in response.context["queue"]]


# --- The journey ----------------------------------------------------------------------------


def test_communes_submit_the_district_returns_one_and_accepts_the_others(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    # Given Cẩm Thủy's two communes, each with its officer
    cam_ngoc, cam_thanh = report_of(tree.cam_ngoc, built), report_of(tree.cam_thanh, built)
    ngoc, thanh, district = (
        client_for(people.cam_ngoc),
        client_for(people.cam_thanh),
        client_for(people.cam_thuy),
    )

    # When each commune opens its report, fills it in and submits it
    assert ngoc.get(url("detail", cam_ngoc)).context["can_edit"]
    assert ngoc.get(url("edit", cam_ngoc)).status_code == 200
    _fill_and_submit(ngoc, cam_ngoc)
    _fill_and_submit(thanh, cam_thanh, participants=30)

    # Then both wait in the district's queue, and the district may review them
    listing = district.get(reverse("reports:list"))
    assert _queue_ids(listing) == [cam_ngoc.pk, cam_thanh.pk]
    assert f'data-report="{cam_ngoc.pk}"' in listing.content.decode()
    detail = district.get(url("detail", cam_thanh))
    assert detail.context["can_return"]
    assert detail.context["can_accept"]
    assert not detail.context["can_edit"]

    # When the district returns Cẩm Thành with a note
    note = "Bổ sung danh sách người tham dự các buổi phổ biến."
    response = district.post(url("return", cam_thanh), {"note": note})
    assert response.status_code == 302

    # Then Cẩm Thành sees the note and may edit again; its queue entry is gone
    cam_thanh.refresh_from_db()
    assert cam_thanh.state == ReportState.RETURNED
    seen = thanh.get(url("detail", cam_thanh))
    assert note in seen.content.decode()
    assert seen.context["can_edit"]
    assert note in thanh.get(url("edit", cam_thanh)).content.decode()
    assert _queue_ids(district.get(reverse("reports:list"))) == [cam_ngoc.pk]

    # When Cẩm Thành corrects and resubmits, and the district accepts both
    _fill_and_submit(thanh, cam_thanh, participants=32)
    assert district.post(url("accept", cam_ngoc), {"note": ""}).status_code == 302
    assert district.post(url("accept", cam_thanh), {"note": "Đạt."}).status_code == 302

    # Then both are accepted, with their history on the page
    cam_ngoc.refresh_from_db()
    cam_thanh.refresh_from_db()
    assert (cam_ngoc.state, cam_thanh.state) == (ReportState.ACCEPTED, ReportState.ACCEPTED)
    assert cam_thanh.participants == 32
    history = thanh.get(url("detail", cam_thanh)).context["steps"]
    assert [(s.from_state, s.to_state, s.note) for s in history] == [
        ("draft", "submitted", ""),
        ("submitted", "returned", note),
        ("returned", "submitted", ""),
        ("submitted", "accepted", "Đạt."),
    ]
    assert [s.by for s in history] == [people.cam_thanh, people.cam_thuy] * 2
    assert _queue_ids(district.get(reverse("reports:list"))) == []

    # And the district's own report rolls both up, linking to each commune's report
    district_report = report_of(tree.cam_thuy, built)
    build_period(built, unit_ids=[tree.cam_thuy.pk])
    page_ = district.get(url("detail", district_report))
    rows = {row.child_name: row for row in page_.context["children"]}
    assert rows["Xã Cẩm Ngọc"].accepted
    assert rows["Xã Cẩm Thành"].accepted
    assert rows["Xã Cẩm Ngọc"].reachable
    assert url("detail", cam_ngoc) in page_.content.decode()
    assert page_.context["report"].totals["participants"] == 45 + 32
    # The district fills in its own report, not the communes'
    assert page_.context["can_edit"]
    assert not page_.context["can_accept"]

    # When an accepted report is reopened with a note, the commune may correct it again
    assert district.post(url("reopen", cam_ngoc), {"note": ""}).status_code == 400
    assert district.post(url("reopen", cam_ngoc), {"note": "Sai số liệu."}).status_code == 302
    cam_ngoc.refresh_from_db()
    assert cam_ngoc.state == ReportState.RETURNED
    assert ngoc.get(url("edit", cam_ngoc)).status_code == 200


def test_the_district_submits_with_a_missing_commune_only_when_it_says_why(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    district_report = report_of(tree.cam_thuy, built)
    client = client_for(people.cam_thuy)
    assert client.post(url("edit", district_report), filled()).status_code == 302

    # The confirmation lists the communes without an accepted report
    confirm = client.get(url("submit", district_report))
    assert set(confirm.context["missing_children"]) == {"Xã Cẩm Thành", "Xã Cẩm Ngọc"}
    assert confirm.context["form"].fields["missing_children_reason"].required

    refused = client.post(url("submit", district_report), {"missing_children_reason": " "})
    assert refused.status_code == 400
    assert "missing_children_reason" in refused.context["form"].errors
    district_report.refresh_from_db()
    assert district_report.state == ReportState.DRAFT

    reason = "Hai xã chưa hoàn thành rà soát do mưa lũ."
    sent = client.post(url("submit", district_report), {"missing_children_reason": reason})
    assert sent.status_code == 302
    district_report.refresh_from_db()
    assert district_report.state == ReportState.SUBMITTED
    assert district_report.missing_children_reason == reason
    assert _queue_ids(client_for(people.province).get(reverse("reports:list"))) == [
        district_report.pk
    ]


# --- Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"positive_posts": "-3"}, "positive_posts"),
        ({"comments_answered": "nhiều"}, "comments_answered"),
        ({"dissemination_sessions": "0", "participants": "12"}, "participants"),
        ({"impersonation_scans": "0", "fake_pages_found": "2"}, "fake_pages_found"),
        ({"fake_pages_found": "1", "fake_pages_reported": "2"}, "fake_pages_reported"),
        ({"fake_pages_found": "1", "fake_pages_taken_down": "2"}, "fake_pages_taken_down"),
        ({"info_consistent": "maybe"}, "info_consistent"),
    ],
)
def test_impossible_counts_are_shown_on_their_field_and_nothing_is_saved(
    tree: Tree, people: People, built: ReportingPeriod, overrides: dict[str, str], field: str
) -> None:
    report = report_of(tree.cam_ngoc, built)

    response = client_for(people.cam_ngoc).post(url("edit", report), filled(**overrides))

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'class="field field--error"' in response.content.decode() or (
        "field--radios field--error" in response.content.decode()
    )
    report.refresh_from_db()
    assert report.missing_declarations() == list(DECLARATIONS)


def test_submitting_with_declarations_missing_lists_them_and_keeps_the_draft(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    report = report_of(tree.cam_ngoc, built)
    client = client_for(people.cam_ngoc)
    half = {**filled(), "positive_posts": "", "comments_answered": "", "security_measures": ""}
    assert client.post(url("edit", report), half).status_code == 302

    confirm = client.get(url("submit", report))
    refused = client.post(url("submit", report))

    assert len(confirm.context["missing"]) == 3
    assert refused.status_code == 400
    assert len(refused.context["form"].non_field_errors()) == 3
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT
    assert report.positive_posts is None
    assert report.participants == 45


def test_returning_without_a_note_is_refused_on_the_form(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    report = report_of(tree.cam_ngoc, built)
    _fill_and_submit(client_for(people.cam_ngoc), report)

    response = client_for(people.cam_thuy).post(url("return", report), {"note": "   "})

    assert response.status_code == 400
    assert "note" in response.context["form"].errors
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_a_submitted_report_can_no_longer_be_edited(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    report = report_of(tree.cam_ngoc, built)
    client = client_for(people.cam_ngoc)
    _fill_and_submit(client, report)

    response = client.post(url("edit", report), filled(participants=99))

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.participants == 45
    assert not client.get(url("detail", report)).context["can_edit"]


# --- Scope -------------------------------------------------------------------------------------


def test_reports_out_of_scope_are_404_whatever_the_page(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    report = report_of(tree.cam_ngoc, built)
    _fill_and_submit(client_for(people.cam_ngoc), report)
    pages = ["detail", "edit", "submit", "accept", "return", "reopen"]

    # Another province's district, and the sister commune: nothing of Cẩm Ngọc
    for outsider in (people.tan_uyen, people.cam_thanh):
        client = client_for(outsider)
        for name in pages:
            assert client.get(url(name, report)).status_code == 404, (outsider, name)
            posted = client.post(url(name, report), {"note": "x"}).status_code
            assert posted == (405 if name == "detail" else 404), (outsider, name)

    # The commune does not review itself; the district does not fill in a commune's report
    commune = client_for(people.cam_ngoc)
    for name in ("accept", "return", "reopen"):
        assert commune.post(url(name, report), {"note": "x"}).status_code == 404
    assert client_for(people.cam_thuy).get(url("edit", report)).status_code == 404
    # Nor its own district's report: the district reviews it, it does not see it
    assert commune.get(url("detail", report_of(tree.cam_thuy, built))).status_code == 404

    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    assert report.steps.count() == 1
    # Lists show only what is in scope
    listing = client_for(people.tan_uyen).get(reverse("reports:list"), {"period": built.pk})
    assert [r.unit for r in listing.context["page"].object_list] == [tree.tan_uyen, tree.muong_khoa]


def test_a_child_report_out_of_reach_is_listed_without_a_link(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    # Staff of Cẩm Ngọc's committee see their commune's report but not the district's
    staff = client_for(people.cam_ngoc_staff)
    assert staff.get(url("detail", report_of(tree.cam_ngoc, built))).status_code == 200
    assert staff.get(url("detail", report_of(tree.cam_thuy, built))).status_code == 404
    # The province sees the district's children and may open them
    page_ = client_for(people.province).get(url("detail", report_of(tree.cam_thuy, built)))
    assert all(row.reachable for row in page_.context["children"])


# --- The list ---------------------------------------------------------------------------------


def test_the_list_searches_unit_names_without_accents_and_filters_by_state(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    client = client_for(people.province)
    _fill_and_submit(client_for(people.cam_ngoc), report_of(tree.cam_ngoc, built))

    def units(**query: Any) -> list[Any]:
        response = client.get(reverse("reports:list"), {"period": built.pk, **query})
        assert response.status_code == 200
        return [report.unit for report in response.context["page"].object_list]

    assert units(q="cam ngoc") == [tree.cam_ngoc]
    assert units(q="NGỌC  Cẩm") == [tree.cam_ngoc]
    assert set(units(q="xa cam")) == {tree.cam_thanh, tree.cam_ngoc}
    assert units(q="điền lư") == units(q="dien lu") == [tree.dien_lu]
    assert units(state="submitted") == [tree.cam_ngoc]
    assert units(state="submitted", q="thanh") == []
    assert len(units()) == 6  # the province, two districts, three communes
    # A bad filter is ignored rather than refused; the good ones still apply
    odd = client.get(reverse("reports:list"), {"period": "x", "page": "y", "q": "dien lu"})
    assert odd.context["period"] == built
    assert [report.unit for report in odd.context["page"].object_list] == [tree.dien_lu]


def test_the_list_shows_periods_newest_first_with_the_current_one_marked(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    from reports.periods import ensure_periods

    ensure_periods(date(2026, 8, 10))
    response = client_for(people.cam_ngoc).get(reverse("reports:list"))

    periods = response.context["periods"]
    assert [p.starts_on for p in periods] == sorted((p.starts_on for p in periods), reverse=True)
    # The quarter is chosen: it is the newest started period with a report of Cẩm Ngọc
    assert response.context["period"] == built
    current = [p for p in periods if p.is_current]
    assert built in current
    assert all(p.starts_on <= date(2026, 8, 10) for p in current)
    assert "period-chip--current" in response.content.decode()
    # The commune's own draft waits for it on top, with its due date
    todo = response.context["todo"]
    assert [r.unit for r in todo] == [tree.cam_ngoc]
    assert todo[0].due_on.isoformat() == "2026-10-05"


def test_a_draft_past_its_due_date_is_marked_overdue_until_submitted(
    tree: Tree, people: People, built: ReportingPeriod, time_machine: Any
) -> None:
    # Cẩm Ngọc's due date is 05/10/2026; on the 7th its draft is overdue
    time_machine.move_to(datetime(2026, 10, 7, 9, 0, tzinfo=HANOI), tick=False)
    client = client_for(people.cam_ngoc)
    report = report_of(tree.cam_ngoc, built)

    listing = client.get(reverse("reports:list"), {"period": built.pk})
    (row,) = listing.context["page"].object_list
    assert row.overdue
    assert "report-overdue" in listing.content.decode()
    assert client.get(url("detail", report)).context["overdue"]

    _fill_and_submit(client, report)
    report.refresh_from_db()
    assert report.submitted_late
    detail = client.get(url("detail", report))
    assert not detail.context["overdue"]
    assert "report-late" in detail.content.decode()


def _grow(tree: Tree, quarter: ReportingPeriod, n: int) -> None:
    """``n`` more communes in Cẩm Thủy, each with a body and two pages."""
    for i in range(n):
        unit = factories.commune(tree.cam_thuy, f"Xã Mới {i}", code=f"159{i:02d}")
        body = factories.BodyFactory.create(unit=unit, name=f"UBND Xã Mới {i}")
        page(body, state=PageState.APPROVED, display_name=f"Trang {i}")
        page(body, state=PageState.DRAFT, display_name=f"Trang nháp {i}")
    factories.BodyFactory.create(unit=tree.cam_thuy, name="Trung tâm Văn hóa huyện")
    build_period(quarter)


def _count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_list_and_detail_cost_the_same_queries_whatever_the_rows(
    tree: Tree, people: People, built: ReportingPeriod, django_assert_max_num_queries: Any
) -> None:
    load_defaults()
    district = client_for(people.cam_thuy)
    province = client_for(people.province)
    _fill_and_submit(client_for(people.cam_ngoc), report_of(tree.cam_ngoc, built))
    district_report = report_of(tree.cam_thuy, built)
    paths = [
        (district, reverse("reports:list")),
        (province, reverse("reports:list")),
        (district, url("detail", district_report)),
        (province, url("detail", report_of(tree.cam_ngoc, built))),
        (province, reverse("reports:period", kwargs={"period_id": built.pk})),
    ]
    few = [_count(client, path) for client, path in paths]

    _grow(tree, built, 12)
    _fill_and_submit(client_for(people.cam_thanh), report_of(tree.cam_thanh, built))
    many = [_count(client, path) for client, path in paths]

    assert many == few
    assert max(few[:2]) <= LIST_BUDGET
    assert max(few[2:]) <= DETAIL_BUDGET
    assert UnitReport.objects.filter(period=built, unit__parent=tree.cam_thuy).count() == 14


def test_the_detail_shows_each_figure_with_its_criterion(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    load_defaults()
    report = report_of(tree.cam_ngoc, built)

    response = client_for(people.cam_ngoc).get(url("detail", report))

    groups = {group.ref: group for group in response.context["criteria"]}
    # Registered pages are a headline number; approved ones measure the real name
    assert [figure.name for figure in groups["real_name"].figures] == ["pages_approved"]
    verified = next(f for f in groups["platform_verified"].figures if f.name == "pages_verified")
    assert (verified.value, verified.of) == (1, 2)
    assert groups["account_security"].criterion is not None
    content = response.content.decode()
    assert f"{reverse('legal:criteria_list')}#criterion-platform_verified" in content
    assert 'data-figure="hours_to_report_mean"' in content
    assert len(response.context["bodies"].page.object_list) == 1
    assert len(response.context["pages"].page.object_list) == 3


# --- The build ---------------------------------------------------------------------------------


def test_the_province_builds_the_period_and_follows_its_progress(
    tree: Tree,
    people: People,
    quarter: ReportingPeriod,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(people.province)
    period_url = reverse("reports:period", kwargs={"period_id": quarter.pk})
    assert client.get(period_url).context["can_build"]

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("reports:build", kwargs={"period_id": quarter.pk}))
    assert response.status_code == 302
    run = BuildRun.objects.get(period=quarter)
    assert (run.state, run.created_by) == (BuildState.QUEUED, people.province)
    assert len(callbacks) == 1
    # Asking again while it waits reuses the same run
    client.post(reverse("reports:build", kwargs={"period_id": quarter.pk}))
    assert BuildRun.objects.filter(period=quarter).count() == 1
    status_url = reverse("reports:build_status", kwargs={"run_id": run.pk})
    page_ = client.get(period_url)
    assert f'data-build-status-url="{status_url}"' in page_.content.decode()
    assert page_.context["run_active"]

    queued = json.loads(client.get(status_url).content)
    assert (queued["state"], queued["done"], queued["percent"]) == ("queued", 0, 100)

    # The worker runs the task
    assert build_period_task(run.pk) == "done"
    status = json.loads(client.get(status_url).content)
    assert status == {
        "state": "done",
        "state_label": status["state_label"],
        "done": 9,
        "total": 9,
        "percent": 100,
        "error": "",
    }
    after = client.get(period_url)
    assert after.context["counts"]["total"] == 6  # Thanh Hóa's reports only
    assert not after.context["run_active"]


def test_only_those_who_answer_for_a_province_may_build(
    tree: Tree, people: People, quarter: ReportingPeriod
) -> None:
    run = BuildRun.objects.create(period=quarter)
    for user in (people.cam_thuy, people.cam_ngoc, people.cam_ngoc_staff):
        client = client_for(user)
        assert (
            client.post(reverse("reports:build", kwargs={"period_id": quarter.pk})).status_code
            == 404
        )
        assert (
            client.get(reverse("reports:build_status", kwargs={"run_id": run.pk})).status_code
            == 404
        )
        assert not client.get(reverse("reports:period", kwargs={"period_id": quarter.pk})).context[
            "can_build"
        ]
    assert BuildRun.objects.count() == 1
    admin = client_for(factories.admin_user())
    assert admin.get(reverse("reports:build_status", kwargs={"run_id": run.pk})).status_code == 200
    assert admin.get(reverse("reports:build_status", kwargs={"run_id": 999_999})).status_code == 404
    assert (
        client_for(people.province)
        .get(reverse("reports:period", kwargs={"period_id": 999_999}))
        .status_code
        == 404
    )
