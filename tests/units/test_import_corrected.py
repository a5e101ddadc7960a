"""Importing a corrected edition over the one in the database: matched by code and name."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests import factories
from units.importers import editions, import_divisions
from units.models import AdministrativeUnit
from units.reconcile import ADDED, CODE_CHANGED, MISSING, NAME_CHANGED

pytestmark = pytest.mark.django_db

REFORM = date(2025, 7, 1)
# The first edition wrote this name with an en dash; the corrected one with a hyphen.
EN_DASHED = "Xã Chân Mây \u2013 Lăng Cô"


def ward(name: str, code: int, division_type: str = "xã") -> dict[str, Any]:
    return {"name": name, "code": code, "codename": "", "division_type": division_type}


def province(name: str, code: int, wards: list[dict[str, Any]]) -> dict[str, Any]:
    return {"name": name, "code": code, "codename": "", "division_type": "tỉnh", "wards": wards}


def first_edition() -> list[dict[str, Any]]:
    return [
        province(
            "Thanh Hóa",
            38,
            [
                ward("Xã Cẩm Thủy", 15142),
                ward("Xã Cẩm Tú", 15169),  # its code goes to Xã Cẩm Thủy's neighbour below
                ward("Xã Thanh Thuỷ", 15200),
                ward("Xã Kim Tân", 15300),
                ward(EN_DASHED, 15400),
            ],
        )
    ]


def corrected_edition() -> list[dict[str, Any]]:
    return [
        province(
            "Tỉnh Thanh Hóa",
            38,
            [
                ward("Xã Cẩm Thủy", 15142),  # unchanged
                ward("Xã Cẩm Tú", 15170),  # code changed
                ward("Xã Thanh Thủy", 15200),  # spelling corrected, same code
                ward("Xã Bá Thước", 15169),  # a new commune takes Cẩm Tú's old code
                ward("Xã Chân Mây - Lăng Cô", 15401),  # code changed, dash corrected
                # Xã Kim Tân (15300) is not in the corrected edition.
            ],
        )
    ]


def write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def run_import(path: Path, *, reconcile: bool = True, dry_run: bool = False) -> Any:
    return import_divisions(
        path=path, valid_from=REFORM, valid_until=None, reconcile=reconcile, dry_run=dry_run
    )


def commune(code: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(level__code="commune", code=code, valid_from=REFORM)


def test_the_corrected_edition_keeps_each_unit_and_reports_every_change(tmp_path: Path) -> None:
    # Given the first two-tier edition, with a body on Xã Cẩm Tú
    run_import(write(tmp_path, "first.json", first_edition()), reconcile=False)
    cam_tu = commune("15169")
    body = factories.BodyFactory.create(unit=cam_tu, name="UBND xã Cẩm Tú")

    # When the corrected edition is imported
    result = run_import(write(tmp_path, "corrected.json", corrected_edition()))

    # Then Xã Cẩm Tú is the same unit under its new code, with its body
    cam_tu.refresh_from_db()
    assert (cam_tu.code, cam_tu.name) == ("15170", "Xã Cẩm Tú")
    body.refresh_from_db()
    assert body.unit_id == cam_tu.pk
    # and its old code now names the new Xã Bá Thước, a different unit
    assert commune("15169").name == "Xã Bá Thước"
    assert commune("15169").pk != cam_tu.pk
    # and every change is reported by code and name
    changes = {
        (c.level, c.change, c.old_code, c.new_code, c.old_name, c.new_name) for c in result.changes
    }
    assert changes == {
        ("province", NAME_CHANGED, "38", "38", "Thanh Hóa", "Tỉnh Thanh Hóa"),
        ("commune", CODE_CHANGED, "15169", "15170", "Xã Cẩm Tú", "Xã Cẩm Tú"),
        ("commune", NAME_CHANGED, "15200", "15200", "Xã Thanh Thuỷ", "Xã Thanh Thủy"),
        (
            "commune",
            CODE_CHANGED,
            "15400",
            "15401",
            EN_DASHED,
            "Xã Chân Mây - Lăng Cô",
        ),
        ("commune", ADDED, "", "15169", "", "Xã Bá Thước"),
        ("commune", MISSING, "15300", "", "Xã Kim Tân", ""),
    }
    # and the unit missing from the file is left as it is, not closed
    kim_tan = commune("15300")
    assert kim_tan.valid_until is None
    # and the history of Cẩm Tú keeps its old code
    assert list(cam_tu.history.order_by("history_date").values_list("code", flat=True)) == [
        "15169",
        "15170",
    ]


def test_a_second_run_changes_nothing(tmp_path: Path) -> None:
    # Given the corrected edition imported over the first one
    run_import(write(tmp_path, "first.json", first_edition()), reconcile=False)
    corrected = write(tmp_path, "corrected.json", corrected_edition())
    run_import(corrected)
    history = AdministrativeUnit.history.count()

    # When it is imported again
    result = run_import(corrected)

    # Then nothing is written and the only change reported is the unit still missing
    assert result.changed == 0
    assert [c.change for c in result.changes] == [MISSING]
    assert AdministrativeUnit.history.count() == history


def test_a_dry_run_reports_and_writes_nothing(tmp_path: Path) -> None:
    # Given the first edition
    run_import(write(tmp_path, "first.json", first_edition()), reconcile=False)

    # When the corrected one is imported as a dry run
    result = run_import(write(tmp_path, "corrected.json", corrected_edition()), dry_run=True)

    # Then the changes are reported, and the database still holds the first edition
    assert len(result.changes) == 6
    assert commune("15169").name == "Xã Cẩm Tú"


def test_the_command_imports_the_shipped_corrected_edition_and_lists_the_changes(
    tmp_path: Path,
) -> None:
    # Given the corrected edition is registered, and the 2025.10.1 edition is imported
    assert editions()["two-tier-2026-09"].reconcile
    call_command("import_divisions", edition="two-tier", stdout=io.StringIO())
    phu_rieng = AdministrativeUnit.objects.get(
        level__code="commune", valid_from=REFORM, name="Xã Phú Riềng"
    )
    assert phu_rieng.code == "25264"

    # When the corrected edition is imported by the command
    out = io.StringIO()
    call_command("import_divisions", edition="two-tier-2026-09", stdout=out)

    # Then the same units are kept, under their corrected codes
    text = out.getvalue()
    assert "commune code changed: 25264 → 25252 Xã Phú Riềng" in text
    assert "province name changed: 38 Thanh Hóa → Tỉnh Thanh Hóa" in text
    phu_rieng.refresh_from_db()
    assert phu_rieng.code == "25252"
    assert AdministrativeUnit.objects.filter(valid_from=REFORM).count() == 34 + 3321
    # and a second run changes nothing
    again = io.StringIO()
    call_command("import_divisions", edition="two-tier-2026-09", stdout=again)
    assert "0 units written" in again.getvalue()
