"""The reports' admin pages load and never delete a report; the tasks are registered."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from portal.celery_app import app
from reports.build import build_period
from reports.models import BuildRun, ReportingPeriod, UnitReport
from tests.conftest import Tree
from tests.reports.conftest import report_of
from users.models import User


@pytest.fixture
def admin_client(client: Client, db: None) -> Client:
    client.force_login(User.objects.create(username="quan.tri", is_superuser=True, is_staff=True))
    return client


@pytest.mark.parametrize(
    "changelist",
    ["reports_reportingperiod", "reports_deadlinerule", "reports_unitreport", "reports_buildrun"],
)
def test_changelists_load(
    admin_client: Client,
    tree: Tree,
    quarter: ReportingPeriod,
    changelist: str,
    django_assert_max_num_queries: Any,
) -> None:
    build_period(quarter)
    BuildRun.objects.create(period=quarter)

    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse(f"admin:{changelist}_changelist"))

    assert response.status_code == 200


def test_a_report_is_shown_with_its_history_and_cannot_be_deleted(
    admin_client: Client, tree: Tree, quarter: ReportingPeriod
) -> None:
    build_period(quarter)
    report = report_of(tree.cam_ngoc, quarter)

    change = admin_client.get(reverse("admin:reports_unitreport_change", args=[report.pk]))
    history = admin_client.get(reverse("admin:reports_unitreport_history", args=[report.pk]))
    delete = admin_client.post(
        reverse("admin:reports_unitreport_delete", args=[report.pk]), {"post": "yes"}
    )
    period = admin_client.get(reverse("admin:reports_reportingperiod_change", args=[quarter.pk]))

    assert (change.status_code, history.status_code, period.status_code) == (200, 200, 200)
    assert delete.status_code == 403
    assert UnitReport.objects.filter(pk=report.pk).exists()


def test_the_tasks_are_registered_under_their_names() -> None:
    app.loader.import_default_modules()

    assert {"reports.ensure_periods", "reports.build_period"} <= set(app.tasks)
