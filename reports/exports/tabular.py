"""The three tables of an export, streamed from a report's frozen rows, and the CSV ZIP.

A report's export covers its whole subtree: its own body and page rows, and, by following
``ReportChildRow.child_report_id`` through the accepted children, the frozen rows of every
report below, level by level. The walk costs one query per level (three for a province),
whatever the number of units; then each table is one query read with ``.iterator()``, so a
province's 150,000 pages are never held in memory at once.

Every text cell goes through ``cell_text``: a name a body typed ("=HYPERLINK(...)") is shown,
never evaluated, by the spreadsheet that opens it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Generator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any, cast

from django.db.models import Field, Model
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts_registry.exports import safe
from accounts_registry.models import PageState
from reports.models import (
    TOTAL_FIELDS,
    BodyFigures,
    ReportBodyRow,
    ReportChildRow,
    ReportPageRow,
    ReportState,
    UnitReport,
)
from units.models import AdministrativeUnit, BodyKind

CHUNK_SIZE = 2000
# Figures of a body row, in the order of the model (``BodyFigures``).
BODY_FIGURES: tuple[str, ...] = tuple(field.name for field in BodyFigures._meta.local_fields)
SHEETS = ("Tổng hợp", "Cơ quan", "Trang")
CSV_FILES = ("tong-hop.csv", "co-quan.csv", "trang.csv")

Value = str | int | float | None
Rows = Generator[list[Value], None, None]


def cell_text(value: Any) -> Value:
    """A cell's value: numbers stay numbers, text is neutralised against formulas."""
    if value is None or isinstance(value, bool | int | float):
        return _yes_no(value) if isinstance(value, bool) else value
    return safe(str(value))


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _label(model: type[Model], name: str) -> str:
    field = cast("Field[Any, Any]", model._meta.get_field(name))
    return capfirst(str(field.verbose_name))


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def fixed_moment(report: UnitReport) -> datetime:
    """A time that depends on the report only, for reproducible files (UTC, naive, seconds)."""
    moment = report.built_at or report.created_at
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)


@dataclass
class Subtree:
    """The reports an export covers and the names leading to each of them."""

    report: UnitReport
    report_ids: list[int]  # the report first, then level by level
    chains: dict[int, tuple[str, ...]]  # report id → unit names from the report's unit down
    levels: list[str]  # the level names: the report's unit's, then one per depth below

    def names(self, report_id: int, *more: str) -> list[str]:
        chain = (*self.chains.get(report_id, ()), *more)
        return [*chain, *([""] * (len(self.levels) - len(chain)))]


def subtree_of(report: UnitReport) -> Subtree:
    """Walk down the accepted children's frozen reports, one query per level."""
    root_name = report.unit_name or report.unit.name
    chains: dict[int, tuple[str, ...]] = {report.pk: (root_name,)}
    report_ids = [report.pk]
    frontier = [report.pk]
    samples: list[int] = []  # one unit per depth, to name the level
    while frontier:
        rows = ReportChildRow.objects.filter(report_id__in=frontier).values_list(
            "report_id", "child_report_id", "child_name", "accepted", "child_unit_id"
        )
        found: list[int] = []
        sample = None
        for parent, child, name, accepted, unit_id in rows.iterator(chunk_size=CHUNK_SIZE):
            sample = sample or unit_id
            # Only accepted children: theirs are the figures the report's totals include.
            if accepted and child is not None and child not in chains:
                chains[child] = (*chains[parent], name)
                found.append(child)
        if sample is None:
            break
        samples.append(sample)
        report_ids.extend(found)
        frontier = found
    levels = [report.unit.level.label]
    if samples:
        units = AdministrativeUnit.objects.select_related("level").in_bulk(samples)
        levels += [units[pk].level.label if pk in units else "" for pk in samples]
    return Subtree(report=report, report_ids=report_ids, chains=chains, levels=levels)


# --- The three tables ------------------------------------------------------------------------


def summary_header(tree: Subtree) -> list[str]:
    return [
        *tree.levels,
        _("State of the report"),
        _("Submitted"),
        _("On time"),
        _("Accepted"),
        _("Submitted at"),
        *(_label(ReportChildRow, name) for name in TOTAL_FIELDS),
        _("Mean hours from discovery to report"),
    ]


def _mean_hours(total: float | None, count: int | None) -> float | None:
    return round(total / count, 1) if total is not None and count else None


def summary_rows(tree: Subtree) -> Rows:
    """The report's own unit with its totals, then every unit below in the tree's order."""
    report = tree.report
    totals = report.totals or {}
    yes, no = _("Yes"), _("No")  # translated once, not per cell
    yield [
        *tree.names(report.pk),
        str(report.get_state_display()),
        yes if report.submitted_at is not None else no,
        yes if report.submitted_at is not None and not report.submitted_late else no,
        yes if report.state == ReportState.ACCEPTED else no,
        _when(report.submitted_at),
        *(totals.get(name) for name in TOTAL_FIELDS),
        _mean_hours(totals.get("hours_to_report_total"), totals.get("hours_to_report_count")),
    ]
    states = {key: str(label) for key, label in ReportState.choices}
    no_report = _("No report")
    figures = len(TOTAL_FIELDS)
    total_at = TOTAL_FIELDS.index("hours_to_report_total")
    count_at = TOTAL_FIELDS.index("hours_to_report_count")
    rows = (
        ReportChildRow.objects.filter(report_id__in=tree.report_ids)
        .order_by("child_path", "pk")
        .values_list(
            "report_id",
            "child_name",
            "child_state",
            "submitted",
            "on_time",
            "accepted",
            "child_submitted_at",
            *TOTAL_FIELDS,
        )
    )
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        values = row[7 : 7 + figures]
        yield [
            *tree.names(row[0], row[1]),
            states.get(row[2], no_report),
            yes if row[3] else no,
            yes if row[4] else no,
            yes if row[5] else no,
            _when(row[6]),
            *values,
            _mean_hours(values[total_at], values[count_at]),
        ]


def body_header(tree: Subtree) -> list[str]:
    return [
        *tree.levels,
        _("Body"),
        _("Kind"),
        *(_label(ReportBodyRow, name) for name in BODY_FIGURES),
        _label(ReportBodyRow, "has_contact"),
        _label(ReportBodyRow, "contact_notified"),
        _label(ReportBodyRow, "has_rules"),
    ]


def body_rows(tree: Subtree) -> Rows:
    kinds = {key: str(label) for key, label in BodyKind.choices}
    yes, no = _("Yes"), _("No")  # translated once, not per cell
    rows = (
        ReportBodyRow.objects.filter(report_id__in=tree.report_ids)
        .order_by("report__unit_path", "report_id", "body_name", "body_id")
        .values_list(
            "report_id",
            "body_name",
            "body_kind",
            *BODY_FIGURES,
            "has_contact",
            "contact_notified",
            "has_rules",
        )
    )
    figures = 3 + len(BODY_FIGURES)
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        yield [
            *tree.names(row[0]),
            row[1],
            kinds.get(row[2], row[2]),
            *row[3:figures],
            *(yes if flag else no for flag in row[figures:]),
        ]


def page_header(tree: Subtree) -> list[str]:
    return [
        *tree.levels,
        _("Body"),
        _("Platform"),
        _("Displayed name"),
        _("Address (URL)"),
        _("State"),
        _label(ReportPageRow, "verified"),
        _label(ReportPageRow, "has_contact"),
        _label(ReportPageRow, "has_rules"),
        _label(ReportPageRow, "has_responsible_unit"),
        _label(ReportPageRow, "needs_review"),
    ]


def page_rows(tree: Subtree) -> Rows:
    states = {key: str(label) for key, label in PageState.choices}
    yes, no = _("Yes"), _("No")  # translated once, not per cell
    rows = (
        ReportPageRow.objects.filter(report_id__in=tree.report_ids)
        .order_by("report__unit_path", "report_id", "body_name", "platform", "name", "page_id")
        .values_list(
            "report_id",
            "body_name",
            "platform",
            "name",
            "url",
            "state",
            "verified",
            "has_contact",
            "has_rules",
            "has_responsible_unit",
            "needs_review",
        )
    )
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        yield [
            *tree.names(row[0]),
            row[1],
            row[2],
            row[3],
            row[4],
            states.get(row[5], row[5]),
            *(yes if flag else no for flag in row[6:]),
        ]


def tables(tree: Subtree) -> list[tuple[list[str], Rows]]:
    """(header, rows) of the summary, the bodies and the pages, in the order of ``SHEETS``."""
    return [
        (summary_header(tree), summary_rows(tree)),
        (body_header(tree), body_rows(tree)),
        (page_header(tree), page_rows(tree)),
    ]


# --- CSV -------------------------------------------------------------------------------------


def zip_entry(name: str, moment: datetime) -> zipfile.ZipInfo:
    """A ZIP entry dated ``moment``: the same report gives the same bytes."""
    # ZIP stores local wall-clock time with no zone, and nothing before 1980.
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    earliest = datetime(1980, 1, 1, tzinfo=local.tzinfo)
    info = zipfile.ZipInfo(name, date_time=max(local, earliest).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def write_csv_zip(report: UnitReport, fileobj: IO[bytes]) -> None:
    """The three tables as CSV files (UTF-8 with a BOM, for Excel) in one ZIP."""
    # An official file: Vietnamese whatever the language of the person who asked.
    with translation.override("vi"):
        _write_csv_zip(report, fileobj)


def _write_csv_zip(report: UnitReport, fileobj: IO[bytes]) -> None:
    tree = subtree_of(report)
    moment = fixed_moment(report)
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, (header, rows) in zip(CSV_FILES, tables(tree), strict=True):
            with archive.open(zip_entry(name, moment), "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                # Every field quoted, for "," and ";" readers alike (Excel in Vietnamese).
                writer = csv.writer(text, quoting=csv.QUOTE_ALL)
                writer.writerow([cell_text(value) for value in header])
                with closing(rows):  # a failure half-way closes the database cursor at once
                    for values in rows:
                        writer.writerow(["" if v is None else cell_text(v) for v in values])
                text.flush()
                text.detach()
