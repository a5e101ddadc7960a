"""The build inside PostgreSQL (reports.build_sql) against a plain reference computation,
the ORM build (the embedded SQLite's path) against the same, and their statement counts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts_registry.models import PageState, PostingRules, SocialPage
from accounts_registry.services import pages as page_services
from accounts_registry.services.contacts import contact_set
from incidents import services as incident_services
from incidents.models import IncidentKind, IncidentState
from reports.asof import end_of
from reports.build import build_period
from reports.build_sql import Recorded
from reports.build_sql.past import recorded_after
from reports.models import PeriodKind, ReportingPeriod, ReportState, UnitReport
from reports.periods import ensure_period
from reports.synthetic import generate
from tests import factories
from tests.accounts_registry.factories_pages import page, rules
from tests.reports import build_reference
from tests.reports.build_reference import BUILT, expected, snapshot
from units.models import AdministrativeUnit, Body
from users.models import User

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
IN_Q1_2025 = datetime(2025, 3, 10, 9, 0, tzinfo=HANOI)
IN_Q2_2025 = datetime(2025, 5, 10, 9, 0, tzinfo=HANOI)
BASE_DIR = Path(__file__).resolve().parents[2]


@dataclass
class Country:
    communes: list[AdministrativeUnit]
    districts: list[AdministrativeUnit]
    q1: ReportingPeriod  # over by IN_Q2_2025: built as the registry stood on 31/03/2025
    q2: ReportingPeriod  # not over: built from the registry as it is


def _incident(body: Body, by: User, officer: User, discovered: datetime, *, resolve: bool) -> None:
    incident = incident_services.incident_report(
        body=body,
        kind=IncidentKind.IMPERSONATION,
        url=f"https://www.facebook.com/gia.mao.{body.pk}.{discovered:%m%d}",
        description="Trang giả mạo.",
        by=by,
        discovered_at=discovered,
    )
    steps = [IncidentState.UNDER_REVIEW, IncidentState.REPORTED_TO_PLATFORM]
    for step in [*steps, IncidentState.RESOLVED] if resolve else steps:
        incident = incident_services.incident_transition(
            incident=incident, to_state=step, by=officer, note="Đã xử lý."
        )


@pytest.fixture
def country(db: None, time_machine: Any) -> Country:
    """Two provinces, three districts, seven communes; a synthetic registry written in bulk
    (no history) for Quý 1/2025, bodies and pages entered through the services in March,
    then, in May, a commune renamed, a body moved, pages archived, contacts changed, new
    rules and incidents."""
    return _country(time_machine)


def _country(time_machine: Any, *, in_march: bool = True, in_may: str = "all") -> Country:
    """The country of the fixture ``country``; ``in_march=False`` leaves out the bodies and
    pages entered through the services (the registry is then the bulk one only), ``in_may``
    is what changes after the quarter: ``"all"``, ``"a page"`` (one page archived through the
    services: the pages' history alone holds records after the quarter) or ``"in bulk"``
    (a page archived by a bulk update that writes no history: no history after it at all)."""
    time_machine.move_to(IN_Q1_2025, tick=False)
    thanh_hoa = factories.province("Tỉnh Thanh Hóa", code="38")
    lai_chau = factories.province("Tỉnh Lai Châu", code="12")
    districts = [
        factories.district(thanh_hoa, "Huyện Cẩm Thủy", code="394"),
        factories.district(thanh_hoa, "Huyện Bá Thước", code="390"),
        factories.district(lai_chau, "Huyện Tân Uyên", code="110"),
    ]
    communes = [
        factories.commune(districts[0], "Xã Cẩm Ngọc", code="15010"),
        factories.commune(districts[0], "Xã Cẩm Thành", code="15001"),
        factories.commune(districts[0], "Xã Cẩm Tú", code="15004"),
        factories.commune(districts[1], "Xã Điền Lư", code="14932"),
        factories.commune(districts[1], "Xã Lũng Niêm", code="14935"),
        factories.commune(districts[2], "Xã Mường Khoa", code="03601"),
        factories.commune(districts[2], "Xã Pắc Ta", code="03604"),
    ]
    generate(
        seed=874,
        bodies=140,
        pages=220,
        incidents=30,
        period_from=date(2025, 1, 1),
        period_until=date(2025, 3, 31),
    )
    entered = _enter_in_march(districts, communes) if in_march else None
    # May 2025, after the end of Quý 1.
    time_machine.move_to(IN_Q2_2025, tick=False)
    synthetic = Body.objects.filter(email__endswith="synthetic.invalid")
    bulk_page = SocialPage.objects.filter(state=PageState.APPROVED, body__in=synthetic).first()
    assert bulk_page is not None
    if in_may == "in bulk":
        # An import's bulk update: no history, only the page's own dates say it changed.
        SocialPage.objects.filter(pk=bulk_page.pk).update(
            state=PageState.ARCHIVED, archived_at=timezone.now(), updated_at=timezone.now()
        )
    elif in_may == "a page":
        page_services.page_archive(page=bulk_page, by=None)  # written in bulk: no record before
    else:
        assert entered is not None, "the changes of May need what was entered in March"
        _change_in_may(communes, bulk_page, entered)
    return Country(
        communes=communes,
        districts=districts,
        q1=ensure_period(PeriodKind.QUARTERLY, date(2025, 2, 15)),
        q2=ensure_period(PeriodKind.QUARTERLY, date(2025, 5, 15)),
    )


@dataclass
class Entered:
    """What was entered through the services in March."""

    committee: Body
    moved: Body
    official: SocialPage
    staff: User
    officer: User


def _enter_in_march(
    districts: list[AdministrativeUnit], communes: list[AdministrativeUnit]
) -> Entered:
    """Bodies, pages, a contact, rules and an incident entered through the services: on
    record from then."""
    committee = factories.BodyFactory.create(
        unit=communes[0], name="Văn phòng xã Cẩm Ngọc (nhập tay)"
    )
    moved = factories.BodyFactory.create(
        unit=communes[2], name="Ban Quản lý dự án xã Cẩm Tú (nhập tay)"
    )
    staff = factories.staff_of(committee)
    officer = factories.officer_of(districts[0])
    official = page(
        committee,
        state=PageState.APPROVED,
        is_platform_verified=True,
        platform_verified_on=date(2025, 1, 5),
        responsible_unit="Văn phòng HĐND-UBND xã",
        display_name="UBND xã Cẩm Ngọc",
    )
    page(committee, state=PageState.SUBMITTED, display_name="Cẩm Ngọc quê hương")
    page(moved, state=PageState.APPROVED, display_name="Trạm Y tế Cẩm Tú")
    contact_set(
        body=committee,
        name="Nguyễn Thị Hoa",
        phone="0912 345 678",
        notice_number="15/UBND-VP",
        notice_date=date(2025, 3, 1),
        by=staff,
    )
    rules(committee)
    _incident(committee, staff, officer, IN_Q1_2025 - timedelta(hours=6, seconds=18), resolve=True)
    return Entered(committee, moved, official, staff, officer)


def _change_in_may(
    communes: list[AdministrativeUnit], bulk_page: SocialPage, entered: Entered
) -> None:
    """A commune renamed, a body moved, pages archived, contacts changed, new rules and
    incidents, all through the services."""
    committee, moved, staff, officer = (
        entered.committee,
        entered.moved,
        entered.staff,
        entered.officer,
    )
    renamed = AdministrativeUnit.objects.get(pk=communes[1].pk)
    renamed.name = "Xã Cẩm Thành Mới"
    renamed.save()
    moved.unit = communes[3]
    moved.save()
    page_services.page_archive(page=entered.official, by=None)
    synthetic = Body.objects.filter(email__endswith="synthetic.invalid")
    page_services.page_archive(page=bulk_page, by=None)  # written in bulk: no record before
    contact_set(body=committee, name="Trần Văn Bình", phone="0987 654 321", by=staff)
    late_body = synthetic.order_by("pk").last()
    assert late_body is not None
    contact_set(
        body=late_body,
        name="Lê Văn Sơn",
        phone="0903 111 222",
        notice_number="7/TB",
        notice_date=date(2025, 5, 2),
        by=staff,
    )
    for current in PostingRules.objects.filter(body=late_body, superseded_at__isnull=True):
        current.superseded_at = timezone.now()
        current.save()
    rules(late_body)
    _incident(late_body, staff, officer, IN_Q2_2025 - timedelta(days=3), resolve=False)
    _incident(committee, staff, officer, IN_Q2_2025 - timedelta(days=1), resolve=True)


def _freeze_some(country: Country, period: ReportingPeriod) -> None:
    """Two communes accepted (their figures roll up), one submitted, declarations filled in."""
    reports = UnitReport.objects.filter(period=period)
    # The two communes' fake-page review counted in their reports, built into what they send up.
    accepted = [country.communes[0], country.communes[3]]
    reports.filter(unit__in=accepted).update(
        fake_pages_found=2, fake_pages_reported=2, fake_pages_taken_down=1
    )
    build_period(period, unit_ids=[unit.pk for unit in accepted], now=IN_Q2_2025, engine="sql")
    reports.filter(unit__in=[country.communes[0], country.communes[3]]).update(
        state=ReportState.ACCEPTED,
        info_consistent=True,
        security_measures=True,
        impersonation_scans=2,
        participants=30,
        submitted_at=IN_Q2_2025,
        submitted_late=True,
        accepted_at=IN_Q2_2025,
    )
    reports.filter(unit=country.communes[1]).update(
        state=ReportState.SUBMITTED, submitted_at=IN_Q2_2025
    )
    reports.filter(unit=country.districts[0]).update(
        info_consistent=True,
        security_measures=False,
        positive_posts=12,
        comments_answered=3,
        impersonation_scans=5,
        fake_pages_found=3,
        fake_pages_reported=1,
    )
    reports.filter(unit=country.communes[5]).update(state=ReportState.RETURNED)


def _assert_builds_equal_the_reference(country: Country, period: ReportingPeriod) -> None:
    build_period(period, now=IN_Q2_2025, engine="sql")
    _freeze_some(country, period)
    reference = expected(period, now=IN_Q2_2025)
    before = snapshot(period)
    frozen = {unit: report for unit, report in before.items() if report["state"] not in BUILT}
    assert len(frozen) == 3
    assert len(reference) == len(before) - 3 == 9
    for engine in ("sql", "orm", "sql"):
        result = build_period(period, now=IN_Q2_2025, engine=engine)
        assert (result.rebuilt, result.frozen) == (9, 3)
        after = snapshot(period)
        built = {unit: report for unit, report in after.items() if report["state"] in BUILT}
        # Every total of every report, and every row of every table, field by field.
        assert built == reference, engine
        assert {unit: after[unit] for unit in frozen} == frozen, engine
        assert result.body_rows == sum(len(report["bodies"]) for report in reference.values())
        assert result.page_rows == sum(len(report["pages"]) for report in reference.values())
        assert result.child_rows == sum(len(report["children"]) for report in reference.values())


def test_a_period_not_over_is_built_in_sql_exactly_as_the_reference_and_the_orm_build(
    country: Country,
) -> None:
    _assert_builds_equal_the_reference(country, country.q2)

    reports = {report.unit_id: report for report in UnitReport.objects.filter(period=country.q2)}
    district = reports[country.districts[0].pk].totals
    # Cẩm Ngọc's accepted figures are rolled up; Cẩm Thành (submitted) and Cẩm Tú are missing.
    assert district["units_missing"] == 2
    assert district["units_reporting"] == 2
    assert (district["positive_posts"], district["units_info_consistent"]) == (12, 1)
    # The fake pages reported and taken down: the district's own and Cẩm Ngọc's accepted ones.
    found = (district["fake_pages_found"], district["fake_pages_reported"])
    assert found == (3 + 2, 1 + 2)
    assert district["fake_pages_taken_down"] == 1
    # The moved body is in Điền Lư now; the renamed commune carries its new name.
    assert reports[country.communes[1].pk].unit_name == "Xã Cẩm Thành Mới"
    row = UnitReport.objects.get(period=country.q2, unit=country.communes[3]).body_rows
    assert row.filter(body_name="Ban Quản lý dự án xã Cẩm Tú (nhập tay)").exists()


def test_a_past_period_is_built_in_sql_as_the_registry_stood_at_its_end(
    country: Country,
) -> None:
    _assert_builds_equal_the_reference(country, country.q1)

    cam_tu = UnitReport.objects.get(period=country.q1, unit=country.communes[2])
    # The body moved in May was in Cẩm Tú on 31/03/2025, with its approved page.
    body = cam_tu.body_rows.get(body_name="Ban Quản lý dự án xã Cẩm Tú (nhập tay)")
    assert (body.pages_registered, body.pages_approved) == (1, 1)
    renamed = UnitReport.objects.get(period=country.q1, unit=country.communes[1])
    assert renamed.unit_name == "Xã Cẩm Thành"  # its name on 31/03/2025
    committee = UnitReport.objects.get(period=country.q1, unit=country.communes[0])
    assert committee.state == ReportState.ACCEPTED
    # The committee's page archived in May still counted at the end of March, with its
    # notified contact; the incident reported 6 h 18 s after discovery: 6.005 h, rounded up.
    row = committee.body_rows.get(body_name="Văn phòng xã Cẩm Ngọc (nhập tay)")
    assert (row.pages_registered, row.pages_approved, row.contact_notified) == (2, 1, True)
    assert row.hours_to_report_total == pytest.approx(6.01)


@pytest.mark.parametrize(
    ("in_march", "in_may", "recorded"),
    [
        (False, "in bulk", {"SocialPage": Recorded.NOTHING, "Body": Recorded.NOTHING}),
        (True, "in bulk", {"SocialPage": Recorded.BEFORE, "Body": Recorded.BEFORE}),
        (True, "a page", {"SocialPage": Recorded.AFTER, "Body": Recorded.BEFORE}),
    ],
    ids=["no history at all", "history before the end only", "only pages changed after"],
)
def test_a_past_period_with_no_history_after_its_end_is_built_as_the_reference(
    db: None, time_machine: Any, in_march: bool, in_may: str, recorded: dict[str, Recorded]
) -> None:
    """The SQL build leaves out the history branches that can hold no row (no history at
    all, or none from the period's end on): the figures stay the reference's."""
    country = _country(time_machine, in_march=in_march, in_may=in_may)
    with connection.cursor() as cursor:
        found = recorded_after(cursor, end_of(country.q1.ends_on))
    # The case this test is about: the models' history, against the end of the quarter.
    assert {model.__name__: found[model] for model in (SocialPage, Body)} == recorded

    _assert_builds_equal_the_reference(country, country.q1)

    # The page archived in May, in bulk or through the services, counted at the end of March.
    archived = SocialPage.objects.get(state=PageState.ARCHIVED, archived_at__gte=IN_Q2_2025)
    row = UnitReport.objects.get(period=country.q1, page_rows__page_id=archived.pk)
    assert row.page_rows.get(page_id=archived.pk).state == PageState.APPROVED


def _build_statements(period: ReportingPeriod, units: list[int], engine: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        build_period(period, unit_ids=units, engine=engine)
    return len(captured.captured_queries)


def _grow(commune: AdministrativeUnit) -> None:
    body = factories.BodyFactory.create(unit=commune)
    page(body, state=PageState.APPROVED)
    page(body, state=PageState.DRAFT)


def _province_of(name: str, code: str, communes: int) -> list[int]:
    province = factories.province(name, code=code)
    district = factories.district(province, f"Huyện {name}", code=f"{code}1")
    for number in range(communes):
        _grow(factories.commune(district, f"Xã {number}", code=f"{code}{number:03d}"))
    return list(AdministrativeUnit.objects.subtree_of(province).values_list("pk", flat=True))


@pytest.mark.parametrize("past", [False, True], ids=["current period", "past period"])
def test_the_sql_build_takes_the_same_statements_for_5_units_as_for_50(
    db: None, time_machine: Any, django_assert_max_num_queries: Any, past: bool
) -> None:
    time_machine.move_to(IN_Q2_2025, tick=False)
    few = _province_of("Nhỏ", "81", 3)  # province, district, 3 communes: 5 units
    many = _province_of("Lớn", "82", 48)  # 50 units
    assert (len(few), len(many)) == (5, 50)
    period = ensure_period(PeriodKind.QUARTERLY, date(2025, 5, 15))
    if past:
        time_machine.move_to(datetime(2025, 8, 1, 9, 0, tzinfo=HANOI), tick=False)

    small = _build_statements(period, few, "sql")
    large = _build_statements(period, many, "sql")

    assert small == large
    # The units (two for a past period: as they were), their provinces' requirements, the
    # missing reports in one INSERT; then one batch with its savepoint: lock, the
    # transaction's settings, targets, delete, bodies, contacts, flags (with the rules),
    # ANALYZE of the temporary tables, then the page, body and child rows with the totals in
    # one statement, drop (and a past period's probe of the history tables and units below).
    assert large == (18 if past else 15)
    with django_assert_max_num_queries(large):
        build_period(period, unit_ids=many, engine="sql")
    built = UnitReport.objects.filter(period=period, unit_id__in=many)
    assert sum(report.totals["pages_registered"] for report in built) == 48 * 2


def test_the_orm_build_on_sqlite_gives_the_figures_of_the_sql_build(
    db: None, tmp_path: Path
) -> None:
    """The embedded default (SQLite, the ORM build) against PostgreSQL (the SQL build), on the
    same small registry written by the same code."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CACHE_REDIS_URL", "CELERY_BROKER_URL"}
    }
    env.update(
        PORTAL_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        PYTHONUNBUFFERED="1",
    )

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, str(BASE_DIR / "manage.py"), *args],
            env=env,
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    manage("migrate", "--noinput")
    out = manage(
        "shell",
        "-c",
        "import json; from tests.reports.build_reference import small_registry_totals; "
        "print(json.dumps(small_registry_totals()))",
    )
    on_sqlite = json.loads(out.strip().splitlines()[-1])

    on_postgresql = build_reference.small_registry_totals()

    assert on_sqlite["engine"] == "orm"
    assert on_postgresql["engine"] == "sql"
    assert on_sqlite["reports"] == on_postgresql["reports"]
    assert on_postgresql["reports"]["Huyện Cẩm Thủy"]["pages_registered"] == 2  # its own two
    assert on_postgresql["reports"]["Huyện Cẩm Thủy"]["hours_to_report_total"] == 5.01
