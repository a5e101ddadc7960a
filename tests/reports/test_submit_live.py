"""The submit confirmation reads how the units below stand now, not the last build's snapshot.

Cẩm Thủy's report was built while its communes were still drafts; the office then accepts
them one by one and, seconds later, opens "Submit": they must not be listed as missing.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from django.test import Client
from django.urls import reverse

from reports import services
from reports.build import build_period
from reports.models import ReportingPeriod, ReportState
from tests.conftest import Tree
from tests.reports.conftest import DECLARATIONS, People, report_of
from users.models import User

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _accepted(tree: Tree, people: People, quarter: ReportingPeriod) -> None:
    """Both communes of Cẩm Thủy submit and the district's office accepts them."""
    for unit, officer in ((tree.cam_ngoc, people.cam_ngoc), (tree.cam_thanh, people.cam_thanh)):
        report = services.report_update(report=report_of(unit, quarter), by=officer, **DECLARATIONS)
        report = services.report_submit(report=report, by=officer)
        services.report_accept(report=report, by=people.cam_thuy)


def test_communes_accepted_after_the_last_build_are_not_listed_as_missing(
    tree: Tree, people: People, quarter: ReportingPeriod, now: datetime
) -> None:
    # Given the district's report was built while its communes had reported nothing
    build_period(quarter)
    district = report_of(tree.cam_thuy, quarter)
    assert district.child_rows.filter(missing=True).count() == 2
    services.report_update(report=district, by=people.cam_thuy, **DECLARATIONS)
    # and the office has accepted both since
    _accepted(tree, people, quarter)

    # When it opens the confirmation
    client = _client(people.cam_thuy)
    page = client.get(reverse("reports:submit", args=[district.pk]))

    # Then nothing is listed as missing and no reason is asked for
    html = page.content.decode()
    assert page.status_code == 200
    assert "missing-children" not in html
    assert "Xã Cẩm Ngọc" not in html

    # and submitting without a reason goes through
    answer = client.post(reverse("reports:submit", args=[district.pk]), {})
    assert answer.status_code == 302
    district = report_of(tree.cam_thuy, quarter)
    assert district.state == ReportState.SUBMITTED
    assert district.child_rows.filter(missing=True).count() == 0


def test_a_commune_reopened_after_the_last_build_is_listed_as_missing(
    tree: Tree, people: People, quarter: ReportingPeriod, now: datetime
) -> None:
    # Given both communes were accepted when the district's report was built
    build_period(quarter)
    _accepted(tree, people, quarter)
    build_period(quarter)
    district = report_of(tree.cam_thuy, quarter)
    assert district.child_rows.filter(missing=True).count() == 0
    # and the province reopened Cẩm Ngọc's since
    services.report_reopen(
        report=report_of(tree.cam_ngoc, quarter), by=people.province, note="Số liệu chưa đúng."
    )

    page = _client(people.cam_thuy).get(reverse("reports:submit", args=[district.pk]))

    html = page.content.decode()
    assert "missing-children" in html
    assert "Xã Cẩm Ngọc" in html
    assert "Xã Cẩm Thành" not in html.split("missing-children__list")[1]
