"""A large export built by a real Celery worker process, through the real Redis broker.

The worker is started as production starts it (``celery -A portal worker``), against this
test run's database, with the export threshold set low in its environment and the media
directory shared with the test, which reads the file the worker wrote.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from openpyxl import load_workbook

from accounts_registry.models import PageState
from reports.build import build_period
from reports.exports import services
from reports.exports.xlsx import write_xlsx
from reports.models import ExportJob, ExportState, ReportingPeriod
from tests.accounts_registry.factories_pages import page
from tests.conftest import Tree
from tests.reports.conftest import IN_QUARTER, report_of
from tests.test_celery_worker import (  # noqa: F401 (fixtures used by name)
    DELIVERY_TIMEOUT,
    _wait_for,
    keep_migrated_data,
    running_worker,
)

pytestmark = pytest.mark.worker

PAGES = 60


@dataclass
class Worker:
    log: Path
    media: Path


@pytest.fixture
def export_worker(
    keep_migrated_data: None,  # noqa: F811 (the fixture imported above)
    transactional_db: None,
    tmp_path: Path,
    settings: Any,
) -> Iterator[Worker]:
    """A real worker sharing this test's media directory and a low export threshold."""
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    settings.PORTAL_EXPORT_SYNC_MAX_ROWS = 5
    with running_worker(
        tmp_path, "test-export-worker", MEDIA_ROOT=str(media), PORTAL_EXPORT_SYNC_MAX_ROWS="5"
    ) as log:
        yield Worker(log=log, media=media)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_builds_a_large_export_that_the_portal_then_serves(
    export_worker: Worker, tree: Tree, quarter: ReportingPeriod
) -> None:
    # Given a commune whose report has more rows than the portal builds in a request
    for i in range(PAGES):
        page(tree.ubnd_cam_ngoc, state=PageState.APPROVED, display_name=f"Trang số {i:02d}")
    # Built while the quarter runs: a build after its end counts only what existed then.
    build_period(quarter, now=IN_QUARTER)
    report = report_of(tree.cam_ngoc, quarter)
    assert services.row_count(report) > settings.PORTAL_EXPORT_SYNC_MAX_ROWS

    # When it is asked for (outside a transaction, the task goes to the broker at once)
    job = services.export_request(report=report, fmt="xlsx", user=None)
    assert job.state == ExportState.QUEUED

    # Then the worker builds it, and the file is complete where the portal looks for it
    _wait_for(
        lambda: ExportJob.objects.get(pk=job.pk).state in (ExportState.DONE, ExportState.FAILED),
        DELIVERY_TIMEOUT,
        "the worker to build the export",
        export_worker.log,
    )
    job.refresh_from_db()
    assert job.state == ExportState.DONE, job.error
    assert "reports.build_export" in export_worker.log.read_text()
    content = Path(job.file.path).read_bytes()
    assert job.size == len(content)
    book = load_workbook(io.BytesIO(content))
    names = [row[3] for row in book["Trang"].iter_rows(min_row=5, values_only=True)]
    assert names == [f"Trang số {i:02d}" for i in range(PAGES)]
    # Only the finished file is in the export directory: no temporary part left behind.
    assert [path for path in export_worker.media.rglob("*") if path.is_file()] == [
        Path(job.file.path)
    ]

    # When the file is lost and the worker builds it a second time
    Path(job.file.path).unlink()
    again = services.export_request(report=report, fmt="xlsx", user=None)
    assert again.pk != job.pk
    _wait_for(
        lambda: ExportJob.objects.get(pk=again.pk).state in (ExportState.DONE, ExportState.FAILED),
        DELIVERY_TIMEOUT,
        "the worker to build the export again",
        export_worker.log,
    )
    again.refresh_from_db()
    assert again.state == ExportState.DONE, again.error

    # Then its bytes are those of the first run, and of this process writing it
    assert Path(again.file.path).read_bytes() == content
    here = io.BytesIO()
    write_xlsx(report, here)
    assert here.getvalue() == content
