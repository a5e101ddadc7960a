"""The layout of a report's workbook as a reader scrolls and prints it."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from reports import services as report_services
from reports.build import build_period
from reports.exports.xlsx import write_xlsx
from reports.models import ReportingPeriod
from tests.conftest import Tree
from tests.reports.conftest import DECLARATIONS, People, Registry, report_of


def test_every_sheet_keeps_its_column_headings_in_sight(
    tree: Tree, people: People, registry: Registry, quarter: ReportingPeriod
) -> None:
    # Given a district report rolling up an accepted commune
    build_period(quarter)
    commune = report_of(tree.cam_ngoc, quarter)
    report_services.report_update(report=commune, by=people.cam_ngoc, **DECLARATIONS)
    report_services.report_submit(report=commune, by=people.cam_ngoc)
    report_services.report_accept(report=commune, by=people.cam_thuy)
    build_period(quarter)

    # When its workbook is written
    out = io.BytesIO()
    write_xlsx(report_of(tree.cam_thuy, quarter), out)
    book = load_workbook(io.BytesIO(out.getvalue()))

    # Then on every sheet the rows under the column headings (row 4) scroll under them,
    # and the headings are printed at the top of every page
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A5", sheet.title
        assert sheet.print_title_rows == "$4:$4", sheet.title
        assert sheet.cell(row=4, column=1).font.bold, sheet.title
