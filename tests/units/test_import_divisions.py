"""The divisions importer: real editions in full, idempotence, refusal of malformed files."""

from __future__ import annotations

import copy
import gzip
import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F

from units.importers import import_divisions
from units.models import AdministrativeUnit, UnitType
from units.services import unit_merge

pytestmark = pytest.mark.django_db

Data = list[dict[str, Any]]


def ward(name: str, code: int, division_type: str = "xã") -> dict[str, Any]:
    return {
        "name": name,
        "code": code,
        "codename": "",
        "division_type": division_type,
        "short_codename": "",
    }


def district(name: str, code: int, wards: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": name,
        "code": code,
        "codename": "",
        "division_type": "huyện",
        "short_codename": "",
        "wards": wards,
    }


def small_three_tier() -> Data:
    """Two provinces, three districts, four communes, as the official file writes them."""
    return [
        {
            "name": "Tỉnh Thanh Hóa",
            "code": 38,
            "codename": "tinh_thanh_hoa",
            "division_type": "tỉnh",
            "phone_code": 237,
            "districts": [
                district(
                    "Huyện Cẩm Thủy",
                    390,
                    [ward("Xã Cẩm Ngọc", 15169), ward("Thị trấn Phong Sơn", 15142)],
                ),
                district("Thành Phố Thanh Hóa", 380, [ward("Phường Hàm Rồng", 14758)]),
            ],
        },
        {
            "name": "Thành phố Hà Nội",
            "code": 1,
            "codename": "thanh_pho_ha_noi",
            "division_type": "tỉnh",
            "phone_code": 24,
            "districts": [
                district("Quận Ba Đình", 1, [ward("Phường Phúc Xá", 1)]),
            ],
        },
    ]


def write(path: Path, data: Any, *, indent: int | None = None) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    path.write_text(text, encoding="utf-8")
    return text


def run(**options: Any) -> str:
    out = io.StringIO()
    call_command("import_divisions", stdout=out, **options)
    return out.getvalue()


def counts_by_level(**filters: Any) -> dict[str, int]:
    rows = (
        AdministrativeUnit.objects.filter(**filters)
        .order_by()
        .values_list("level__code")
        .annotate(n=Count("id"))
    )
    return dict(rows)


def history_rows() -> int:
    return AdministrativeUnit.history.count()


def test_three_tier_edition_imports_every_unit_once_and_a_rerun_changes_nothing() -> None:
    # When
    first = run(edition="three-tier")

    # Then: every unit, in force until 30/06/2025
    assert counts_by_level(valid_from__isnull=True, valid_until=date(2025, 6, 30)) == {
        "province": 63,
        "district": 696,
        "commune": 10051,
    }
    assert "commune: 10051 created, 0 updated, 0 unchanged" in first
    cam_ngoc = AdministrativeUnit.objects.select_related("parent__parent").get(
        level__code="commune", code="15169"
    )
    cam_thuy, thanh_hoa = cam_ngoc.parent, cam_ngoc.parent.parent  # type: ignore[union-attr]
    assert (cam_ngoc.name, cam_ngoc.unit_type, cam_ngoc.search_name) == (
        "Xã Cẩm Ngọc",
        UnitType.COMMUNE,
        "xa cam ngoc",
    )
    assert (cam_thuy.name, cam_thuy.code, cam_thuy.unit_type) == (  # type: ignore[union-attr]
        "Huyện Cẩm Thủy",
        "390",
        UnitType.RURAL_DISTRICT,
    )
    assert (thanh_hoa.name, thanh_hoa.code, thanh_hoa.parent_id) == ("Tỉnh Thanh Hóa", "38", None)  # type: ignore[union-attr]
    assert cam_ngoc.path == f"{thanh_hoa.pk:08d}.{cam_thuy.pk:08d}.{cam_ngoc.pk:08d}."  # type: ignore[union-attr]
    assert cam_ngoc.depth == 3
    assert AdministrativeUnit.objects.subtree_of(cam_thuy).count() == 1 + cam_thuy.children.count()  # type: ignore[arg-type, union-attr]
    types = dict(
        AdministrativeUnit.objects.filter(
            code__in=["01", "058"], level__code__in=["province", "district"]
        ).values_list("name", "unit_type")
    )
    assert types == {"Thành phố Hà Nội": UnitType.CENTRAL_CITY, "Thành Phố Bắc Kạn": UnitType.CITY}
    assert history_rows() == 63 + 696 + 10051

    # When it runs again
    again = run(edition="three-tier")

    # Then nothing changed, and no history was written
    assert "commune: 0 created, 0 updated, 10051 unchanged" in again
    assert "0 units written" in again
    assert AdministrativeUnit.objects.count() == 63 + 696 + 10051
    assert history_rows() == 63 + 696 + 10051


def test_two_tier_edition_puts_communes_directly_under_provinces_from_july_2025() -> None:
    # When
    output = run(edition="two-tier")

    # Then
    assert counts_by_level(valid_from=date(2025, 7, 1), valid_until__isnull=True) == {
        "province": 34,
        "commune": 3321,
    }
    assert "commune: 3321 created" in output
    communes = AdministrativeUnit.objects.filter(level__code="commune")
    assert not communes.exclude(parent__level__code="province").exists()
    assert set(communes.values_list("depth", flat=True)) == {2}
    assert communes.filter(unit_type=UnitType.SPECIAL_ZONE).count() == 13
    assert AdministrativeUnit.objects.get(level__code="province", code="01").unit_type == (
        UnitType.CENTRAL_CITY
    )
    assert "0 units written" in run(edition="two-tier")


def test_editions_coexist_as_different_units_told_apart_by_their_dates(tmp_path: Path) -> None:
    # Given a three-tier list until 30/06/2025 and a two-tier list from 01/07/2025
    old = tmp_path / "old.json.gz"
    old.write_bytes(gzip.compress(json.dumps(small_three_tier(), ensure_ascii=False).encode()))
    new = tmp_path / "new.json"
    write(
        new,
        [
            {
                "name": "Thanh Hóa",
                "code": 38,
                "codename": "thanh_hoa",
                "division_type": "tỉnh",
                "phone_code": 237,
                "wards": [ward("Xã Cẩm Thạch", 15169), ward("Đặc khu Hòn Mê", 16000, "đặc khu")],
            }
        ],
    )

    # When both are imported
    run(file=str(old), valid_until="30/06/2025")
    run(file=str(new), valid_from="2025-07-01")

    # Then code 38 is two provinces, one for each period, and each has its own tree
    before, after = AdministrativeUnit.objects.filter(level__code="province", code="38").order_by(
        F("valid_from").asc(nulls_first=True)
    )
    assert (before.valid_from, before.valid_until) == (None, date(2025, 6, 30))
    assert (after.valid_from, after.valid_until) == (date(2025, 7, 1), None)
    assert (
        AdministrativeUnit.objects.in_force_on(date(2025, 7, 1))
        .get(level__code="commune", code="15169")
        .parent
        == after
    )
    assert AdministrativeUnit.objects.get(code="16000").unit_type == UnitType.SPECIAL_ZONE


def test_a_changed_file_updates_only_what_changed_with_a_history_row(tmp_path: Path) -> None:
    # Given an imported file
    path = tmp_path / "divisions.json"
    data = small_three_tier()
    write(path, data)
    run(file=str(path))
    rows_before = history_rows()

    # When a name is corrected in the file and it is imported again
    data[0]["districts"][0]["wards"][0]["name"] = "Xã Cẩm  Ngọc Mới"
    write(path, data)
    output = run(file=str(path))

    # Then that one unit is updated (name and search key), with one history row
    assert "commune: 0 created, 1 updated, 3 unchanged" in output
    unit = AdministrativeUnit.objects.get(level__code="commune", code="15169")
    assert (unit.name, unit.search_name) == ("Xã Cẩm Ngọc Mới", "xa cam ngoc moi")
    assert history_rows() == rows_before + 1
    assert unit.history.latest().history_type == "~"


def test_a_unit_moved_in_the_file_is_moved_with_its_path(tmp_path: Path) -> None:
    # Given an imported file
    path = tmp_path / "divisions.json"
    data = small_three_tier()
    write(path, data)
    run(file=str(path))

    # When the file moves Phường Hàm Rồng from the city to Huyện Cẩm Thủy
    districts = data[0]["districts"]
    districts[0]["wards"].append(districts[1]["wards"].pop())
    write(path, data)
    output = run(file=str(path))

    # Then it is re-parented, and its path follows
    assert "commune: 0 created, 1 updated, 3 unchanged" in output
    unit = AdministrativeUnit.objects.get(level__code="commune", code="14758")
    cam_thuy = AdministrativeUnit.objects.get(level__code="district", code="390")
    assert unit.parent == cam_thuy
    assert unit.path == f"{cam_thuy.path}{unit.pk:08d}."
    assert unit.history.latest().path == unit.path


def test_dry_run_validates_and_counts_but_writes_nothing(tmp_path: Path) -> None:
    # Given
    path = tmp_path / "divisions.json"
    write(path, small_three_tier())

    # When
    output = run(file=str(path), dry_run=True)

    # Then
    assert "Dry run" in output
    assert "commune: 4 created" in output
    assert AdministrativeUnit.objects.count() == 0
    assert history_rows() == 0


def test_a_rerun_after_a_merge_keeps_the_merge(tmp_path: Path) -> None:
    # Given an imported file, and then a district merged into another
    path = tmp_path / "divisions.json"
    write(path, small_three_tier())
    run(file=str(path), valid_until="30/06/2025")
    districts = AdministrativeUnit.objects.filter(level__code="district")
    cam_thuy, thanh_hoa_city = districts.get(code="390"), districts.get(code="380")
    unit_merge(predecessors=[cam_thuy], successor=thanh_hoa_city, effective_on=date(2025, 3, 1))
    moved = list(AdministrativeUnit.objects.filter(parent=thanh_hoa_city).values_list("path"))

    # When the file, which still has the communes under Cẩm Thủy, is imported again
    output = run(file=str(path), valid_until="30/06/2025")

    # Then the merge stands: the district stays closed and its communes stay moved
    cam_thuy.refresh_from_db()
    assert (cam_thuy.valid_until, cam_thuy.succeeded_by_id) == (
        date(2025, 2, 28),
        thanh_hoa_city.pk,
    )
    assert (
        list(AdministrativeUnit.objects.filter(parent=thanh_hoa_city).values_list("path")) == moved
    )
    assert (
        "commune: 0 created, 0 updated, 2 unchanged, 2 kept as a reorganisation left them" in output
    )
    assert "0 units written" in output


@pytest.mark.parametrize("communes", [4, 400])
def test_import_runs_a_bounded_number_of_queries_whatever_the_size(
    tmp_path: Path, communes: int, django_assert_max_num_queries: Any
) -> None:
    # Given a file with few or many communes
    data = small_three_tier()
    data[1]["districts"][0]["wards"] = [ward(f"Phường Số {n}", 20000 + n) for n in range(communes)]
    path = tmp_path / "divisions.json"
    write(path, data)

    # When / Then: a few statements per level, never one per unit
    with django_assert_max_num_queries(20):
        import_divisions(path=path, valid_from=None, valid_until=None)
    with django_assert_max_num_queries(8):
        import_divisions(path=path, valid_from=None, valid_until=None)


# --- Malformed files -------------------------------------------------------------------------


def at_value(key: str, value: str) -> Callable[[str], int]:
    """Where the value of ``"key": value`` starts in the text."""
    return lambda text: text.index(f'"{key}": {value}') + len(f'"{key}": ')


def at(fragment: str) -> Callable[[str], int]:
    return lambda text: text.index(fragment)


def _set(path: tuple[Any, ...], value: Any) -> Callable[[Data], Any]:
    def mutate(data: Data) -> Any:
        target: Any = data
        for step in path[:-1]:
            target = target[step]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value
        return data

    return mutate


_DELETE = object()
PHONG_SON = (0, "districts", 0, "wards", 1)
PHUC_XA = (1, "districts", 0, "wards", 0)

MALFORMED = {
    "missing name": (
        _set((*PHUC_XA, "name"), _DELETE),
        "provinces[1].districts[0].wards[0]: missing or empty name",
        at('{"code": 1, "codename": "", "division_type": "xã"'),
    ),
    "empty name": (
        _set((*PHUC_XA, "name"), "  "),
        "provinces[1].districts[0].wards[0]: missing or empty name",
        at_value("name", '"  "'),
    ),
    "code that is text": (
        _set((*PHONG_SON, "code"), "15142"),
        'provinces[0].districts[0].wards[1] "Thị trấn Phong Sơn": code must be an integer, found "15142"',
        at_value("code", '"15142"'),
    ),
    "code that is a fraction": (
        _set((*PHONG_SON, "code"), 15142.5),
        'provinces[0].districts[0].wards[1] "Thị trấn Phong Sơn": code must be an integer',
        at_value("code", "15142.5"),
    ),
    "duplicate code within a level": (
        _set((0, "districts", 1, "wards", 0, "code"), 15169),
        'provinces[0].districts[1].wards[0] "Phường Hàm Rồng" (code 15169): duplicate commune code '
        '15169 (first used by provinces[0].districts[0].wards[0] "Xã Cẩm Ngọc" (code 15169))',
        at('{"name": "Phường Hàm Rồng"'),
    ),
    "unknown name prefix": (
        _set((*PHONG_SON, "name"), "Làng Phong Sơn"),
        'provinces[0].districts[0].wards[1] "Làng Phong Sơn" (code 15142): unknown name prefix',
        at_value("name", '"Làng Phong Sơn"'),
    ),
    "unknown division type": (
        _set((*PHONG_SON, "division_type"), "làng"),
        "unknown division type 'làng' for a commune",
        at_value("division_type", '"làng"'),
    ),
    "commune holding communes": (
        _set((*PHUC_XA, "wards"), []),
        'provinces[1].districts[0].wards[0] "Phường Phúc Xá" (code 1): wrong nesting: a commune may '
        "not hold 'wards'",
        at_value("wards", "[]"),
    ),
    "communes directly under a province of a three-tier file": (
        lambda data: [
            data[0],
            {
                **{k: v for k, v in data[1].items() if k != "districts"},
                "wards": [ward("Phường Phúc Xá", 1)],
            },
        ],
        "provinces[1] \"Thành phố Hà Nội\" (code 1): wrong nesting: a province may not hold 'wards'",
        at_value("wards", '[{"name": "Phường Phúc Xá"'),
    ),
    "district without its communes": (
        _set((1, "districts", 0, "wards"), _DELETE),
        'provinces[1].districts[0] "Quận Ba Đình" (code 1): wrong nesting: a district must hold a '
        "list 'wards'",
        at('{"name": "Quận Ba Đình"'),
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED), ids=list(MALFORMED))
def test_a_malformed_file_is_refused_naming_the_entry_and_its_position_and_nothing_changes(
    tmp_path: Path, case: str
) -> None:
    # Given an imported file
    path = tmp_path / "divisions.json"
    write(path, small_three_tier())
    run(file=str(path))
    before = list(AdministrativeUnit.objects.values_list("code", "name", "path", "valid_until"))
    rows_before = history_rows()

    # When a corrected first province comes with a fault further down
    mutate, expected, where = MALFORMED[case]
    data = mutate(copy.deepcopy(small_three_tier()))
    data[0]["name"] = "Tỉnh Thanh Hoá Mới"
    text = write(path, data)
    with pytest.raises(CommandError) as excinfo:
        run(file=str(path), valid_until="31/12/2025")

    # Then the message names the entry and the line and column, and nothing was written
    message = str(excinfo.value)
    assert expected in message
    assert f"{path}:1:{where(text) + 1}: " in message
    assert (
        list(AdministrativeUnit.objects.values_list("code", "name", "path", "valid_until"))
        == before
    )
    assert history_rows() == rows_before


def test_invalid_json_is_refused_with_its_line_and_column(tmp_path: Path) -> None:
    # Given a file cut short on its third line
    path = tmp_path / "divisions.json"
    text = write(path, small_three_tier(), indent=1)
    path.write_text(text[: text.index('"Huyện Cẩm Thủy"') + 10], encoding="utf-8")

    # When / Then
    with pytest.raises(CommandError, match=r"divisions\.json:\d+:\d+: invalid JSON"):
        run(file=str(path))
    assert AdministrativeUnit.objects.count() == 0


def test_positions_count_lines_in_a_pretty_printed_file(tmp_path: Path) -> None:
    # Given a file written on many lines with a fault in its last commune
    data = small_three_tier()
    data[1]["districts"][0]["wards"][0]["code"] = None
    path = tmp_path / "divisions.json"
    text = write(path, data, indent=2)
    offset = text.index('"code": null') + len('"code": ')
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)

    # When / Then
    with pytest.raises(CommandError) as excinfo:
        run(file=str(path))
    assert f":{line}:{column}: " in str(excinfo.value)
    assert line > 10


def test_a_file_that_is_not_a_list_of_provinces_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "divisions.json"
    write(path, {"provinces": []})

    with pytest.raises(CommandError, match=r":1:1: provinces: expected a list of provinces"):
        run(file=str(path))


def test_a_name_that_contradicts_its_division_type_is_refused(tmp_path: Path) -> None:
    # Given a two-tier file whose "Phường" says it is a "xã"
    path = tmp_path / "divisions.json"
    write(
        path,
        [
            {
                "name": "Thanh Hóa",
                "code": 38,
                "division_type": "tỉnh",
                "wards": [ward("Phường Hạc Thành", 14758, "xã")],
            }
        ],
    )

    with pytest.raises(
        CommandError, match="the name starts with 'Phường' but division_type says 'xã'"
    ):
        run(file=str(path), valid_from="01/07/2025")


def test_unknown_edition_and_bad_dates_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "divisions.json"
    write(path, small_three_tier())

    with pytest.raises(CommandError, match="Not a date"):
        run(file=str(path), valid_from="31-12-2025")
    with pytest.raises(CommandError, match="valid_until is before valid_from"):
        run(file=str(path), valid_from="01/07/2025", valid_until="30/06/2025")
    with pytest.raises(CommandError):
        run(edition="four-tier")
