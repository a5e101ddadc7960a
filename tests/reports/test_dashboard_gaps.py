"""The built dashboard's two lists of the first bodies and pages with gaps.

The country's lists are read class by class (each combination of gap flags, in the order of
the sort, its first rows by unit path), a province's by one sort of its rows: either way the
lists are the first rows of a plain sort of every row with a gap, done here in Python.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from legal.services import load_defaults
from reports.build import build_period
from reports.dashboard import build_dashboard
from reports.dashboard import built as built_rows
from reports.dashboard.reach import Reach
from reports.dashboard.registry import GAPS_LISTED
from reports.models import ReportBodyRow, ReportingPeriod, ReportPageRow, UnitReport
from tests import factories
from tests.conftest import Tree
from tests.reports.conftest import People, Registry
from units.models import AdministrativeUnit
from users.models import User

# Names whose order is not the order they are written in, some repeated (the body's id,
# the page row's id break the ties), Vietnamese as the register holds them.
NAMES = ("Ủy ban", "Công an", "Ban Dân vận", "Đoàn Thanh niên", "Hội Nông dân", "Công an")
BODY_CLASSES = ((False, False), (False, True), (True, False))
# (needs_review, has_contact, has_rules, verified): every class with a gap, and no gap.
PAGE_CLASSES = tuple(
    (review, contact, rules, verified)
    for review in (True, False)
    for contact in (False, True)
    for rules in (False, True)
    for verified in (False, True)
)


def _reports(period: ReportingPeriod) -> list[UnitReport]:
    return list(UnitReport.objects.filter(period=period).order_by("-unit__path"))


def _crowd(period: ReportingPeriod, per_report: int) -> None:
    """Snapshot rows of every class in every report of ``period``: more than ten a class."""
    bodies, pages = [], []
    serial = 10_000
    for report in _reports(period):
        for contact, rules in (*BODY_CLASSES, (True, True)):
            for i in range(per_report):
                serial += 1
                bodies.append(
                    ReportBodyRow(
                        report=report,
                        body_id=serial,
                        body_name=f"{NAMES[(serial * 5) % len(NAMES)]} {report.unit_name}",
                        unit_id=report.unit_id,
                        unit_name=report.unit_name,
                        has_contact=contact,
                        has_rules=rules,
                        contact_notified=contact and i % 2 == 0,
                    )
                )
        for review, contact, rules, verified in PAGE_CLASSES:
            for _ in range(per_report):
                serial += 1
                pages.append(
                    ReportPageRow(
                        report=report,
                        page_id=serial,
                        body_id=serial,
                        body_name=NAMES[serial % len(NAMES)],
                        platform="facebook",
                        url=f"https://www.facebook.com/trang{serial}",
                        name=f"Trang {NAMES[(serial * 7) % len(NAMES)]}",
                        state="approved",
                        verified=verified,
                        has_contact=contact,
                        has_rules=rules,
                        needs_review=review,
                    )
                )
    ReportBodyRow.objects.bulk_create(bodies)
    ReportPageRow.objects.bulk_create(pages)


def _in_reach(period: ReportingPeriod, unit: AdministrativeUnit | None) -> Q:
    reach = Q(report__period=period)
    return reach & Q(report__unit__path__startswith=unit.path) if unit else reach


def _reference_bodies(period: ReportingPeriod, unit: AdministrativeUnit | None) -> list[Any]:
    """The first bodies with gaps, by a plain sort in Python of every row in reach."""
    rows = ReportBodyRow.objects.filter(_in_reach(period, unit)).select_related("report")
    gaps = [row for row in rows if not (row.has_contact and row.has_rules)]
    gaps.sort(
        key=lambda row: (
            row.has_contact,
            row.has_rules,
            row.report.unit_path,
            row.body_name,
            row.body_id,
        )
    )
    return [(row.body_id, row.body_name, row.unit_name) for row in gaps[:GAPS_LISTED]]


def _reference_pages(period: ReportingPeriod, unit: AdministrativeUnit | None) -> list[Any]:
    rows = ReportPageRow.objects.filter(_in_reach(period, unit)).select_related("report")
    gaps = [
        row
        for row in rows
        if row.needs_review or not (row.has_contact and row.has_rules and row.verified)
    ]
    gaps.sort(
        key=lambda row: (
            not row.needs_review,
            row.has_contact,
            row.has_rules,
            row.report.unit_path,
            row.body_name,
            row.name,
            row.pk,
        )
    )
    return [(row.page_id, row.name, row.report.unit_name) for row in gaps[:GAPS_LISTED]]


def _listed(user: User, unit: AdministrativeUnit | None, period: ReportingPeriod) -> Any:
    board = build_dashboard(user, unit=unit, period=period)
    assert board.source == "built"
    bodies = [(item.body_id, item.name, item.unit_name) for item in board.gaps.body_list]
    pages = [(item.page_id, item.name, item.unit_name) for item in board.gaps.page_list]
    return bodies, pages


def _both_ways(user: User, unit: AdministrativeUnit | None, period: ReportingPeriod) -> Any:
    """The lists read class by class and by one sort, whichever the reach would pick."""
    reports = built_rows._reports(Reach(user, unit, True), period)
    in_reach = Q(report__in=reports, report__period=period)
    found = []
    for by_class in (True, False):
        bodies = built_rows.first_with_gaps(
            ReportBodyRow.objects.filter(in_reach),
            built_rows._BODY_CLASSES,
            built_rows._BODY_FLAGS,
            built_rows._BODY_WITHIN,
            built_rows._BODY_FIELDS,
            by_class=by_class,
        )
        pages = built_rows.first_with_gaps(
            ReportPageRow.objects.filter(in_reach),
            built_rows._PAGE_CLASSES,
            built_rows._PAGE_FLAGS,
            built_rows._PAGE_WITHIN,
            built_rows._PAGE_FIELDS,
            by_class=by_class,
        )
        found.append(
            (
                [(row["body_id"], row["body_name"], row["unit_name"]) for row in bodies],
                [(row["page_id"], row["name"], row["report__unit_name"]) for row in pages],
            )
        )
    return found


def _statements(user: User, unit: AdministrativeUnit | None, period: ReportingPeriod) -> int:
    """The statements of the dashboard for ``user`` as a request finds them (grants unread)."""
    user = User.objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as captured:
        build_dashboard(user, unit=unit, period=period)
    return len(captured.captured_queries)


@pytest.fixture
def built(
    tree: Tree, people: People, registry: Registry, quarter: ReportingPeriod, now: datetime
) -> ReportingPeriod:
    load_defaults()
    build_period(quarter)
    return quarter


def test_the_lists_are_the_first_rows_of_a_plain_sort_at_every_level(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    admin = factories.admin_user()
    before = _statements(admin, None, built)
    _crowd(built, per_report=3)  # 9 reports: 27 rows of each class, every unit
    reporting = [(admin, None), (people.province, tree.thanh_hoa), (admin, tree.lai_chau)]

    for user, unit in reporting:
        # When the country's or a province's dashboard lists its first gaps
        bodies, pages = _listed(user, unit, built)

        # Then they are the first ten of every row with a gap, in the order of the sort
        assert bodies == _reference_bodies(built, unit)
        assert pages == _reference_pages(built, unit)
        assert len(bodies) == len(pages) == GAPS_LISTED
        # and reading class by class or in one sort gives them both
        assert _both_ways(user, unit, built) == [(bodies, pages)] * 2

    # The country's page asks no more of the database with 432 page rows than with a few.
    assert _statements(admin, None, built) == before


def test_when_the_first_classes_hold_few_rows_the_lists_go_on_to_the_next(
    tree: Tree, people: People, built: ReportingPeriod
) -> None:
    admin = factories.admin_user()
    _crowd(built, per_report=2)
    # Few rows left in the first classes: 3 bodies with nothing, no page needing review with
    # no contact, 2 with no contact but rules; the next classes fill the lists.
    first_bodies = ReportBodyRow.objects.filter(
        report__period=built, has_contact=False, has_rules=False
    )
    keep = list(first_bodies.order_by("-pk").values_list("pk", flat=True)[:3])
    first_bodies.exclude(pk__in=keep).delete()
    ReportPageRow.objects.filter(
        report__period=built, needs_review=True, has_contact=False, has_rules=False
    ).delete()
    second_pages = ReportPageRow.objects.filter(
        report__period=built, needs_review=True, has_contact=False, has_rules=True
    )
    keep = list(second_pages.order_by("pk").values_list("pk", flat=True)[:2])
    second_pages.exclude(pk__in=keep).delete()
    assert first_bodies.count() == 3

    for user, unit in ((admin, None), (people.province, tree.thanh_hoa)):
        bodies, pages = _listed(user, unit, built)

        assert bodies == _reference_bodies(built, unit)
        assert pages == _reference_pages(built, unit)
        assert _both_ways(user, unit, built) == [(bodies, pages)] * 2
        assert len(bodies) == len(pages) == GAPS_LISTED

    # The country's lists run across classes: its 3 bodies lacking both first, then others;
    # its 2 pages needing review with rules but no contact first.
    bodies, pages = _listed(admin, None, built)
    assert {row[0] for row in bodies[:3]} == set(first_bodies.values_list("body_id", flat=True))
    assert {row[0] for row in pages[:2]} == set(second_pages.values_list("page_id", flat=True))
