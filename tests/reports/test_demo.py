"""The demo's reports: Quý 2/2025 in Thanh Hóa, with Cẩm Thủy's communes in every state."""

from __future__ import annotations

from pathlib import Path

import pytest

from reports.models import ReportState, ReportStep, UnitReport
from tests.directives.test_demo import _import_real_provinces, _load


@pytest.fixture
def demo(db: None, tmp_path: Path) -> str:
    _import_real_provinces(tmp_path)
    return _load()


def _report(unit: str) -> UnitReport:
    return UnitReport.objects.get(
        period__label="Quý 2/2025", unit__name=unit, unit__parent__name="Huyện Cẩm Thủy"
    )


def test_the_demo_shows_cam_thuy_communes_in_every_state(demo: str) -> None:
    assert "Demo reports: Quý 2/2025" in demo
    cam_ngoc, cam_thanh, cam_tam = (
        _report("Xã Cẩm Ngọc"),
        _report("Xã Cẩm Thành"),
        _report("Xã Cẩm Tâm"),
    )

    assert cam_ngoc.state == ReportState.ACCEPTED
    assert [step.by and step.by.username for step in cam_ngoc.steps.order_by("at", "pk")] == [
        "xa.camngoc",
        "huyen.camthuy",
    ]
    assert cam_ngoc.participants == 85
    assert cam_ngoc.achievements
    assert cam_thanh.state == ReportState.RETURNED
    assert "tuyên truyền" in cam_thanh.review_note
    assert cam_tam.state == ReportState.SUBMITTED
    district = UnitReport.objects.get(period__label="Quý 2/2025", unit__name="Huyện Cẩm Thủy")
    assert district.state == ReportState.DRAFT
    # Thanh Hóa's units have their reports; other provinces are left for a build to create.
    assert UnitReport.objects.filter(unit__name="Tỉnh Thanh Hóa").exists()
    assert not UnitReport.objects.filter(unit__name="Tỉnh Lai Châu").exists()


def test_loading_the_demo_twice_changes_no_report(demo: str) -> None:
    before = sorted(UnitReport.objects.values_list("pk", "state", "built_at"))
    steps = ReportStep.objects.count()

    _load()

    assert sorted(UnitReport.objects.values_list("pk", "state", "built_at")) == before
    assert ReportStep.objects.count() == steps
