"""The reports API: the Cẩm Thủy chain through the API with token authentication, scoped like
the selectors (out of reach is a 404, seen but not the caller's to act on is a 403), the
services' rules kept as 400s naming the fields, and a flat number of queries."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from reports.build import build_period
from reports.models import BuildRun, BuildState, ReportingPeriod, ReportState, UnitReport
from reports.tasks import build_period_task
from tests import factories
from tests.api.auth import token_for
from tests.conftest import Tree
from tests.reports.conftest import DECLARATIONS, HANOI, People, Registry, report_of
from users.models import User

pytestmark = pytest.mark.django_db

API = "/api/v1/reports/"
PERIODS = "/api/v1/reports/periods/"
BUILDS = "/api/v1/reports/builds/"
TRANSITIONS = ("submit", "accept", "return", "reopen")


def _client(user: User) -> APIClient:
    """A client that authenticates the way a script would: with the user's API token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


@pytest.fixture
def built(tree: Tree, registry: Registry, quarter: ReportingPeriod) -> ReportingPeriod:
    build_period(quarter)
    return quarter


def _declared(report: UnitReport, client: APIClient, **fields: Any) -> dict[str, Any]:
    response = client.patch(f"{API}{report.pk}/", {**DECLARATIONS, **fields}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def _submitted(report: UnitReport, client: APIClient) -> dict[str, Any]:
    _declared(report, client)
    response = client.post(f"{API}{report.pk}/submit/")
    assert response.status_code == 200, response.json()
    return response.json()


def test_the_cam_thuy_chain_through_the_api(
    tree: Tree, people: People, built: ReportingPeriod, now: datetime
) -> None:
    commune = _client(people.cam_ngoc)
    district = _client(people.cam_thuy)
    province = _client(people.province)
    report = report_of(tree.cam_ngoc, built)

    # The commune finds its own report, and only that one, with what it may do
    listed = commune.get(API, {"period": built.pk}).json()
    assert [(row["id"], row["actions"]) for row in listed["results"]] == [
        (report.pk, ["update", "submit"])
    ]
    assert listed["results"][0]["due_on"] == "2026-10-05"
    assert listed["results"][0]["unit_name"] == "Xã Cẩm Ngọc"

    # It fills in its declarations and narrative, then submits
    filled = _declared(report, commune, achievements="Đã phổ biến Bộ Quy tắc cho 45 người.")
    assert filled["participants"] == 45
    assert filled["state"] == ReportState.DRAFT
    assert filled["achievements"] == "Đã phổ biến Bộ Quy tắc cho 45 người."
    submitted = commune.post(f"{API}{report.pk}/submit/")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["state"] == ReportState.SUBMITTED
    assert submitted.json()["submitted_late"] is False
    assert submitted.json()["actions"] == []

    # The district finds it in its review queue and returns it with a note
    queue = district.get(API, {"review": "1"}).json()["results"]
    assert [(row["id"], row["actions"]) for row in queue] == [(report.pk, ["accept", "return"])]
    returned = district.post(
        f"{API}{report.pk}/return/", {"note": "Bổ sung số người tham dự."}, format="json"
    )
    assert returned.status_code == 200, returned.json()
    assert returned.json()["state"] == ReportState.RETURNED
    assert returned.json()["review_note"] == "Bổ sung số người tham dự."
    assert district.get(API, {"review": "1"}).json()["results"] == []

    # The commune corrects and resubmits; the district accepts
    again = commune.get(f"{API}{report.pk}/").json()
    assert again["actions"] == ["update", "submit"]
    assert again["review_note"] == "Bổ sung số người tham dự."
    corrected = commune.patch(f"{API}{report.pk}/", {"participants": 50}, format="json")
    assert corrected.status_code == 200
    assert corrected.json()["participants"] == 50
    assert commune.post(f"{API}{report.pk}/submit/").status_code == 200
    accepted = district.post(f"{API}{report.pk}/accept/", {}, format="json")
    assert accepted.status_code == 200, accepted.json()
    detail = accepted.json()
    assert detail["state"] == ReportState.ACCEPTED
    assert detail["accepted_at"]
    assert detail["totals"]["participants"] == 50
    assert detail["totals"]["pages_registered"] == 3
    assert [(s["from_state"], s["to_state"], s["note"]) for s in detail["steps"]] == [
        ("draft", "submitted", ""),
        ("submitted", "returned", "Bổ sung số người tham dự."),
        ("returned", "submitted", ""),
        ("submitted", "accepted", ""),
    ]
    assert detail["steps"][1]["by_name"] == (
        people.cam_thuy.get_full_name() or people.cam_thuy.get_username()
    )

    # The province reads every commune's report, and may reopen the accepted one
    communes = province.get(API, {"period": str(built.pk), "state": "accepted"}).json()["results"]
    assert [(row["unit"], row["actions"]) for row in communes] == [(tree.cam_ngoc.pk, ["reopen"])]
    every = province.get(API, {"period": built.pk}).json()
    assert {row["unit"] for row in every["results"]} >= {
        tree.cam_ngoc.pk,
        tree.cam_thanh.pk,
        tree.dien_lu.pk,
    }
    assert every["count"] == 6
    assert province.get(f"{API}{report.pk}/").json()["participants"] == 50
    sister = report_of(tree.cam_thanh, built)
    assert province.get(f"{API}{sister.pk}/").json()["state"] == ReportState.DRAFT
    reopened = province.post(f"{API}{report.pk}/reopen/", {"note": "Sai số liệu."}, format="json")
    assert reopened.status_code == 200, reopened.json()
    assert reopened.json()["state"] == ReportState.RETURNED


def test_the_district_report_summarises_its_communes(
    tree: Tree, people: People, built: ReportingPeriod, now: datetime
) -> None:
    commune = report_of(tree.cam_ngoc, built)
    _submitted(commune, _client(people.cam_ngoc))
    district = _client(people.cam_thuy)
    assert district.post(f"{API}{commune.pk}/accept/", {}, format="json").status_code == 200
    own = report_of(tree.cam_thuy, built)

    # Rebuilt so that the district's rows see the accepted commune
    build_period(built)
    detail = district.get(f"{API}{own.pk}/").json()

    assert detail["children"] == {
        "expected": 2,
        "submitted": 1,
        "on_time": 1,
        "accepted": 1,
        "missing": 1,
    }
    assert detail["due_on"] == "2026-10-10"
    assert detail["level"] == "district"
    assert detail["actions"] == ["update", "submit"]
    children = district.get(f"{API}{own.pk}/children/").json()
    assert children["count"] == 2
    # In tree order (Cẩm Ngọc was created first)
    assert [(row["child_name"], row["accepted"]) for row in children["results"]] == [
        ("Xã Cẩm Ngọc", True),
        ("Xã Cẩm Thành", False),
    ]
    accepted_row = next(row for row in children["results"] if row["accepted"])
    assert accepted_row["child_report_id"] == commune.pk
    assert accepted_row["participants"] == DECLARATIONS["participants"]


def test_a_report_not_submitted_by_its_due_date_is_overdue_and_then_late(
    tree: Tree, people: People, built: ReportingPeriod, time_machine: Any
) -> None:
    commune = _client(people.cam_ngoc)
    report = report_of(tree.cam_ngoc, built)
    time_machine.move_to(datetime(2026, 10, 6, 9, 0, tzinfo=HANOI), tick=False)

    before = commune.get(f"{API}{report.pk}/").json()
    submitted = _submitted(report, commune)

    assert (before["due_on"], before["overdue"], before["submitted_late"]) == (
        "2026-10-05",
        True,
        False,
    )
    assert (submitted["overdue"], submitted["submitted_late"]) == (False, True)
    # The district's own report is not due before 10/10
    own = _client(people.cam_thuy).get(f"{API}{report_of(tree.cam_thuy, built).pk}/").json()
    assert own["overdue"] is False


def test_the_bodies_and_pages_as_built(tree: Tree, people: People, built: ReportingPeriod) -> None:
    client = _client(people.cam_ngoc_staff)
    report = report_of(tree.cam_ngoc, built)

    bodies = client.get(f"{API}{report.pk}/bodies/").json()
    pages = client.get(f"{API}{report.pk}/pages/").json()

    assert bodies["count"] == 1
    body = bodies["results"][0]
    assert (body["body_name"], body["pages_registered"], body["pages_verified"]) == (
        "UBND Xã Cẩm Ngọc",
        3,
        1,
    )
    assert body["has_contact"]
    assert body["contact_notified"]
    assert body["has_rules"]
    assert pages["count"] == 3
    assert {row["name"] for row in pages["results"]} == {
        "UBND xã Cẩm Ngọc",
        "Tuổi trẻ Cẩm Ngọc",
        "Cẩm Ngọc quê hương",
    }
    assert sum(row["verified"] for row in pages["results"]) == 1


def test_bad_input_is_a_400_naming_the_fields(
    tree: Tree, people: People, built: ReportingPeriod, now: datetime
) -> None:
    commune = _client(people.cam_ngoc)
    district = _client(people.cam_thuy)
    report = report_of(tree.cam_ngoc, built)

    negative = commune.patch(f"{API}{report.pk}/", {"positive_posts": -1}, format="json")
    not_a_number = commune.patch(f"{API}{report.pk}/", {"participants": "nhiều"}, format="json")
    # A rule between fields, checked by the model through the service
    inconsistent = commune.patch(
        f"{API}{report.pk}/", {"dissemination_sessions": 0, "participants": 12}, format="json"
    )
    assert negative.status_code == 400
    assert set(negative.json()) == {"positive_posts"}
    assert not_a_number.status_code == 400
    assert set(not_a_number.json()) == {"participants"}
    assert inconsistent.status_code == 400
    assert set(inconsistent.json()) == {"participants"}

    # Submitting with declarations missing names every one of them
    commune.patch(f"{API}{report.pk}/", {"info_consistent": True}, format="json")
    refused = commune.post(f"{API}{report.pk}/submit/")
    assert refused.status_code == 400
    assert set(refused.json()) == set(DECLARATIONS) - {"info_consistent"}

    # A return needs a note; an accepted report cannot be accepted again
    _submitted(report, commune)
    no_note = district.post(f"{API}{report.pk}/return/", {}, format="json")
    blank_note = district.post(f"{API}{report.pk}/return/", {"note": "   "}, format="json")
    assert no_note.status_code == 400
    assert set(no_note.json()) == {"note"}
    assert blank_note.status_code == 400
    assert set(blank_note.json()) == {"note"}
    assert district.post(f"{API}{report.pk}/reopen/", {"note": "x"}, format="json").status_code == (
        400
    )
    assert district.post(f"{API}{report.pk}/accept/", {}, format="json").status_code == 200
    twice = district.post(f"{API}{report.pk}/accept/", {}, format="json")
    assert twice.status_code == 400
    assert "detail" in twice.json()
    # A frozen report is not changed
    frozen = commune.patch(f"{API}{report.pk}/", {"participants": 99}, format="json")
    assert frozen.status_code == 400
    report.refresh_from_db()
    assert (report.state, report.info_consistent, report.participants) == (
        ReportState.ACCEPTED,
        True,
        45,
    )


def test_a_patch_changes_only_what_the_unit_fills_in(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    report = report_of(tree.cam_ngoc, built)
    totals = dict(report.totals)

    response = _client(people.cam_ngoc_staff).patch(
        f"{API}{report.pk}/",
        {
            "state": "accepted",
            "review_note": "Tự duyệt.",
            "submitted_late": True,
            "totals": {"participants": 1000},
            "participants": 45,
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    report.refresh_from_db()
    assert (report.state, report.review_note, report.submitted_late) == ("draft", "", False)
    assert (report.participants, report.totals) == (45, totals)
    assert not report.steps.exists()


def _every_call(report: UnitReport) -> list[tuple[str, str]]:
    return [
        ("get", f"{API}{report.pk}/"),
        ("get", f"{API}{report.pk}/bodies/"),
        ("get", f"{API}{report.pk}/pages/"),
        ("get", f"{API}{report.pk}/children/"),
        ("patch", f"{API}{report.pk}/"),
        *[("post", f"{API}{report.pk}/{name}/") for name in TRANSITIONS],
    ]


@pytest.mark.parametrize("who", ["tan_uyen", "cam_thanh"])
def test_a_report_out_of_scope_is_not_found_for_every_call(
    tree: Tree, people: People, built: ReportingPeriod, now: datetime, who: str
) -> None:
    """Another province's district, and a sister commune: Cẩm Ngọc's report does not exist."""
    report = report_of(tree.cam_ngoc, built)
    _submitted(report, _client(people.cam_ngoc))
    outsider = _client(getattr(people, who))

    for method, url in _every_call(report):
        response = getattr(outsider, method)(url, {"note": "x", "participants": 1}, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
    listed = outsider.get(API).json()["results"]
    assert report.pk not in {row["id"] for row in listed}
    assert outsider.get(API, {"unit": tree.cam_ngoc.pk}).json()["results"] == []
    report.refresh_from_db()
    assert (report.state, report.participants) == (ReportState.SUBMITTED, 45)
    assert report.steps.count() == 1


def test_a_report_seen_but_not_the_callers_to_act_on_is_forbidden(
    tree: Tree, people: People, built: ReportingPeriod, now: datetime
) -> None:
    commune = _client(people.cam_ngoc)
    district = _client(people.cam_thuy)
    report = report_of(tree.cam_ngoc, built)
    own = report_of(tree.cam_thuy, built)
    _declared(report, commune)

    # The district reviews its communes' reports but does not fill them in
    assert district.patch(f"{API}{report.pk}/", {"participants": 1}, format="json").status_code == (
        403
    )
    assert district.post(f"{API}{report.pk}/submit/").status_code == 403
    # nobody reviews their own report
    assert commune.post(f"{API}{report.pk}/submit/").status_code == 200
    assert commune.post(f"{API}{report.pk}/accept/", {}, format="json").status_code == 403
    assert district.post(f"{API}{own.pk}/accept/", {}, format="json").status_code == 403
    assert commune.post(f"{API}{report.pk}/return/", {"note": "x"}, format="json").status_code == (
        403
    )
    report.refresh_from_db()
    assert (report.state, report.participants) == (ReportState.SUBMITTED, 45)


def test_lists_filter_by_period_state_unit_and_name_without_diacritics(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    province = _client(people.province)

    def units(**params: Any) -> set[int]:
        return {row["unit"] for row in province.get(API, params).json()["results"]}

    assert units(q="cam ngoc") == {tree.cam_ngoc.pk}
    assert units(q="CẨM NGỌC") == {tree.cam_ngoc.pk}
    assert units(q="cẩm") == {tree.cam_thuy.pk, tree.cam_ngoc.pk, tree.cam_thanh.pk}
    assert units(unit=tree.dien_lu.pk) == {tree.dien_lu.pk}
    assert units(state="submitted") == set()
    assert len(units(state="draft", period=built.pk)) == 6
    other = factories.UserFactory.create()
    assert _client(other).get(API).json()["results"] == []
    assert APIClient().get(API).status_code in (401, 403)


def test_periods_and_their_deadlines_are_read_by_every_user(
    tree: Tree, people: People, quarter: ReportingPeriod
) -> None:
    nobody = _client(factories.UserFactory.create())

    listed = nobody.get(PERIODS, {"kind": "quarterly"}).json()
    detail = nobody.get(f"{PERIODS}{quarter.pk}/").json()

    assert [row["id"] for row in listed["results"]] == [quarter.pk]
    assert nobody.get(PERIODS, {"kind": "monthly"}).json()["results"] == []
    assert detail["label"] == "Quý 3/2026"
    assert (detail["starts_on"], detail["ends_on"]) == ("2026-07-01", "2026-09-30")
    assert {(d["level"], d["due_on"]) for d in detail["deadlines"]} == {
        ("commune", "2026-10-05"),
        ("district", "2026-10-10"),
        ("province", "2026-10-15"),
    }
    assert nobody.post(PERIODS, {}, format="json").status_code == 405
    assert nobody.get(f"{PERIODS}999999/").status_code == 404


def test_provincial_officers_start_a_build_and_follow_it(
    tree: Tree,
    people: People,
    registry: Registry,
    quarter: ReportingPeriod,
    django_capture_on_commit_callbacks: Any,
) -> None:
    district = _client(people.province)

    with django_capture_on_commit_callbacks() as callbacks:
        started = district.post(f"{PERIODS}{quarter.pk}/build/", {}, format="json")
    assert started.status_code == 202, started.json()
    run = started.json()
    assert (run["state"], run["done"], run["refresh"]) == (BuildState.QUEUED, 0, True)
    assert len(callbacks) == 1
    # Asking again while it waits gives the same build
    assert district.post(f"{PERIODS}{quarter.pk}/build/").json()["id"] == run["id"]

    build_period_task(run["id"])
    progress = district.get(f"{BUILDS}{run['id']}/").json()

    assert (progress["state"], progress["done"], progress["total"], progress["percent"]) == (
        BuildState.DONE,
        9,
        9,
        100,
    )
    assert progress["period_label"] == "Quý 3/2026"
    assert UnitReport.objects.filter(period=quarter).count() == 9


def test_districts_communes_and_staff_neither_start_nor_follow_builds(
    tree: Tree, people: People, quarter: ReportingPeriod
) -> None:
    """A build covers the whole period: only provincial departments and administrators."""
    run = BuildRun.objects.create(period=quarter)
    for user in (people.cam_ngoc_staff, people.cam_ngoc, people.cam_thuy):
        client = _client(user)
        assert client.post(f"{PERIODS}{quarter.pk}/build/").status_code == 403
        assert client.get(f"{BUILDS}{run.pk}/").status_code == 403
    assert BuildRun.objects.count() == 1
    assert _client(people.province).get(f"{BUILDS}{run.pk + 1}/").status_code == 404


def _more_communes(tree: Tree, count: int) -> None:
    for number in range(count):
        factories.commune(tree.cam_thuy, f"Xã Thử {number}", code=f"{16000 + number}")


def test_the_list_and_the_detail_keep_a_flat_query_budget(
    tree: Tree,
    people: People,
    built: ReportingPeriod,
    now: datetime,
    django_assert_max_num_queries: Any,
) -> None:
    province = _client(people.province)
    district = _client(people.cam_thuy)
    own = report_of(tree.cam_thuy, built)
    # Token, grants, count, page, deadlines, due dates (the provinces' own), may do (two)
    with django_assert_max_num_queries(8) as few:
        small = province.get(API)
    # Token, grants, report, deadlines, due dates, may do (two), steps, units below
    with django_assert_max_num_queries(9) as few_detail:
        district.get(f"{API}{own.pk}/")
    with django_assert_max_num_queries(6) as few_children:
        district.get(f"{API}{own.pk}/children/")
    assert small.json()["count"] == 6
    # Counted now: the connection's log of queries is a bounded deque read lazily.
    budget = len(few.captured_queries)
    detail_budget = len(few_detail.captured_queries)
    children_budget = len(few_children.captured_queries)

    _more_communes(tree, 27)
    build_period(built)
    report = report_of(tree.cam_ngoc, built)
    _submitted(report, _client(people.cam_ngoc))
    district.post(f"{API}{report.pk}/return/", {"note": "Bổ sung."}, format="json")

    with django_assert_max_num_queries(budget):
        large = province.get(API)
    with django_assert_max_num_queries(detail_budget):
        detail = district.get(f"{API}{own.pk}/")
    with django_assert_max_num_queries(children_budget):
        children = district.get(f"{API}{own.pk}/children/")
    with django_assert_max_num_queries(detail_budget):
        commune_detail = district.get(f"{API}{report.pk}/")

    assert large.json()["count"] == 33
    assert detail.json()["children"]["expected"] == 29
    assert children.json()["count"] == 29
    assert len(commune_detail.json()["steps"]) == 2


def test_the_schema_with_the_reports_api_validates_without_warnings(tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    paths = set(yaml.safe_load(target.read_text())["paths"])
    assert {
        "/api/v1/reports/",
        "/api/v1/reports/{id}/",
        "/api/v1/reports/{id}/bodies/",
        "/api/v1/reports/{id}/pages/",
        "/api/v1/reports/{id}/children/",
        "/api/v1/reports/{id}/submit/",
        "/api/v1/reports/{id}/accept/",
        "/api/v1/reports/{id}/return/",
        "/api/v1/reports/{id}/reopen/",
        "/api/v1/reports/periods/",
        "/api/v1/reports/periods/{id}/",
        "/api/v1/reports/periods/{id}/build/",
        "/api/v1/reports/builds/{id}/",
    } <= paths
