"""Issue 14's dashboards, reminders and XLSX, each beside a floor measured in the same run.

On the national synthetic registry (what ``benchmarks.reports`` builds: the three-tier
country, seed 874, Quý 1/2025 built and Thanh Hóa accepted up the chain; made here when
this runs alone):

- **dashboard**: ``build_dashboard`` for the country (an administrator) and for the largest
  province (its officer), read from the built reports; floor: one raw SQL aggregate of the
  same body and page rows (what the page cannot do with less);
- **XLSX**: ``write_xlsx`` of that province, twice (the bytes must be equal); floor: openpyxl
  writing the same rows, read the same way, as plain values with no style, no neutralising;
- **reminders**: every commune's report due yesterday, one officer per commune with email on:
  ``send_due_reminders`` (notices, emails, and their delivery messages published to the
  broker in batches); floor: a bare Celery publish of one message per email, as many as the
  run queued. Both go to a queue of their own, emptied afterwards: no worker delivers them.

Each figure is printed with its ratio to its floor. Figures, not assertions.
"""

from __future__ import annotations

import io
import os
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from django.db import connection, transaction

BENCH_QUEUE = "bench-issue-14"


@dataclass
class Figure:
    label: str
    seconds: float
    floor: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.seconds / self.floor if self.floor else None


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    result = call()
    return time.perf_counter() - began, result


def _with_statements(call: Callable[[], Any]) -> tuple[float, Any, list[tuple[float, str]]]:
    """Time ``call``, and each of its statements (seconds, SQL on one line)."""
    statements: list[tuple[float, str]] = []

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter() - began, " ".join(sql.split())))

    with connection.execute_wrapper(timed):
        seconds, result = _timed(call)
    return seconds, result, statements


def _country() -> tuple[Any, Any]:
    """The period and the largest province, as ``benchmarks.reports`` leaves them."""
    from benchmarks import reports
    from reports.build import build_period
    from reports.models import PeriodKind, ReportState, UnitReport
    from reports.periods import ensure_period
    from reports.synthetic import generate
    from units.importers import import_edition

    period = ensure_period(PeriodKind.QUARTERLY, reports.PERIOD_DAY)
    if not UnitReport.objects.filter(period=period, state=ReportState.ACCEPTED).exists():
        import_edition("three-tier")
        # BENCH_SPEED14_BODIES / BENCH_SPEED14_PAGES: a smaller registry for a quick run.
        generate(
            seed=reports.SEED,
            bodies=int(os.environ.get("BENCH_SPEED14_BODIES", reports.BODIES)),
            pages=int(os.environ.get("BENCH_SPEED14_PAGES", reports.PAGES)),
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        build_period(period, now=reports.BUILD_NOW)
        reports._accept_province(period, reports.BUILD_NOW)
    province_report = (
        UnitReport.objects.filter(period=period, unit__parent__isnull=True, state=ReportState.DRAFT)
        .select_related("unit__level", "period")
        .order_by("-totals__units_reporting", "pk")
        .first()
    )
    assert province_report is not None
    return period, province_report


def _dashboard_floor(period: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*), sum(b.has_contact::int), sum(b.has_rules::int),
                   sum(b.incidents_opened)
              FROM reports_reportbodyrow b JOIN reports_unitreport r ON r.id = b.report_id
             WHERE r.period_id = %s
            """,
            [period.pk],
        )
        cursor.fetchall()
        cursor.execute(
            """
            SELECT count(*), sum(p.verified::int), sum(p.needs_review::int)
              FROM reports_reportpagerow p JOIN reports_unitreport r ON r.id = p.report_id
             WHERE r.period_id = %s
            """,
            [period.pk],
        )
        cursor.fetchall()


def dashboard(period: Any, province_report: Any) -> list[Figure]:
    from benchmarks.reports import DASHBOARD_DAY
    from reports.dashboard import build_dashboard
    from users.models import Role, RoleAssignment, User

    admin, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"is_superuser": True, "is_staff": True}
    )
    RoleAssignment.objects.get_or_create(user=admin, role=Role.SYSTEM_ADMIN)
    officer, _ = User.objects.get_or_create(username="bench-province-officer")
    RoleAssignment.objects.get_or_create(
        user=officer, role=Role.PROVINCE_OFFICER, unit=province_report.unit
    )
    floor, _ = _timed(lambda: _dashboard_floor(period))
    floor, _ = _timed(lambda: _dashboard_floor(period))  # warm, like the second call below
    figures = []
    for label, user, unit in (
        ("national dashboard (administrator)", admin, None),
        (f"dashboard of {province_report.unit.name} (province officer)", officer,
         province_report.unit),
    ):  # fmt: skip
        for call in ("first call", "second call"):
            seconds, board, statements = _with_statements(
                partial(build_dashboard, user, unit=unit, period=period, today=DASHBOARD_DAY)
            )
            slowest = sorted(statements, reverse=True)[:3]
            note = f"source {board.source}, {len(statements)} statements; slowest: " + "; ".join(
                f"{spent:.3f} s {sql[:140]}" for spent, sql in slowest
            )
            figures.append(Figure(f"{label}: {call}", seconds, floor, note))
    return figures


def _xlsx_floor(report: Any, out: Any) -> None:
    from openpyxl import Workbook

    from reports.exports.tabular import SHEETS, subtree_of, tables

    book = Workbook(write_only=True)
    tree = subtree_of(report)
    for title, (header, rows) in zip(SHEETS, tables(tree), strict=True):
        sheet = book.create_sheet(title)
        sheet.append(header)
        with closing(rows):
            for values in rows:
                sheet.append(values)
    book.save(out)


def xlsx(province_report: Any) -> list[Figure]:
    from django.utils import translation

    from reports.exports.xlsx import write_xlsx

    outputs = []
    seconds = []
    for _run in range(2):
        out = io.BytesIO()
        began = time.perf_counter()
        write_xlsx(province_report, out)
        seconds.append(time.perf_counter() - began)
        outputs.append(out.getvalue())
    with tempfile.TemporaryDirectory() as folder, translation.override("vi"):
        target = Path(folder) / "floor.xlsx"
        with target.open("wb") as raw:
            floor, _ = _timed(lambda: _xlsx_floor(province_report, raw))
    same = "identical bytes on both runs" if outputs[0] == outputs[1] else "BYTES DIFFER"
    return [
        Figure(
            f"XLSX of {province_report.unit.name}: run {i + 1}",
            spent,
            floor,
            f"{len(outputs[i]) / 1024 / 1024:.1f} MiB; {same}",
        )
        for i, spent in enumerate(seconds)
    ]


def reminders(period: Any) -> list[Figure]:
    from notifications.models import OutboundEmail
    from portal.celery_app import app
    from reports import reminders as report_reminders
    from reports.models import PeriodDeadline, ReportState, UnitReport
    from units.models import AdministrativeUnit, UnitLevel
    from users.models import Role, RoleAssignment, User

    # A morning soon after the quarter, while its units (and their officers) were in force.
    today = period.ends_on + timedelta(days=15)
    commune = UnitLevel.objects.order_by("-rank").first()
    assert commune is not None
    PeriodDeadline.objects.filter(period=period).delete()
    PeriodDeadline.objects.create(period=period, level=commune, due_on=today - timedelta(days=1))
    late = list(
        AdministrativeUnit.objects.in_force_on(today)
        .filter(level=commune)
        .exclude(
            pk__in=UnitReport.objects.filter(
                period=period, state__in=[ReportState.SUBMITTED, ReportState.ACCEPTED]
            ).values("unit_id")
        )
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        users = User.objects.bulk_create(
            [User(username=f"bench-xa-{pk}", email=f"xa{pk}@synthetic.invalid") for pk in late],
            batch_size=2000,
        )
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(user=user, role=Role.UNIT_OFFICER, unit_id=pk)
                for user, pk in zip(users, late, strict=True)
            ],
            batch_size=2000,
        )
    before = app.conf.task_default_queue
    app.conf.task_default_queue = BENCH_QUEUE
    try:
        emails_before = OutboundEmail.objects.count()
        seconds, outcome = _timed(lambda: report_reminders.send_due_reminders(today))
        emails = OutboundEmail.objects.count() - emails_before
        from notifications.tasks import deliver_email

        def publish() -> None:
            with app.producer_or_acquire() as producer:
                for pk in range(emails):
                    deliver_email.apply_async((pk,), producer=producer, queue=BENCH_QUEUE)

        floor, _ = _timed(publish)
    finally:
        app.conf.task_default_queue = before
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(BENCH_QUEUE)  # type: ignore[attr-defined]
    return [
        Figure(
            f"reminders: {outcome.units} late units, {emails} emails",
            seconds,
            floor,
            f"{outcome.reviewers} reviewing units; floor: {emails} bare publishes",
        )
    ]


def run() -> list[Figure]:
    period, province_report = _country()
    if connection.vendor == "postgresql":
        # Statistics of the built rows, as autovacuum gives them after a build: the
        # planner otherwise takes the period's 10,810 reports for a few dozen.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return [*dashboard(period, province_report), *xlsx(province_report), *reminders(period)]
