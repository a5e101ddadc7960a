"""The "Kính gửi" lines written from a letter's recipients: every recipient in a short list;
in a long one, the People's Committees of every unit of one level in an area as one line."""

from __future__ import annotations

from datetime import date

import pytest

from directives import services
from tests import factories
from tests.directives.conftest import draft
from units.models import AdministrativeUnit, Body, UnitLevel, UnitType

pytestmark = pytest.mark.django_db


def _ubnd(unit: AdministrativeUnit) -> Body:
    from units.naming import in_sentence

    return factories.BodyFactory.create(
        unit=unit, name=f"Ủy ban nhân dân {in_sentence(unit.name)}", kind="peoples_committee"
    )


def _communes(
    parent: AdministrativeUnit, names: list[str], unit_type: str = UnitType.COMMUNE, **dates: date
) -> list[AdministrativeUnit]:
    return [
        factories.UnitFactory.create(
            name=name, parent=parent, level=factories.level("commune"), unit_type=unit_type, **dates
        )
        for name in names
    ]


def _lines(issuer: Body, recipients: services.Recipients, **fields: object) -> list[str]:
    letter = draft(issuer, None, recipients=recipients, deadline=None, **fields)  # type: ignore[arg-type]
    return services.default_addressees(letter).splitlines()


def _two_tier_province() -> tuple[AdministrativeUnit, list[AdministrativeUnit], Body]:
    province = factories.province("Thanh Hóa", code="38", valid_from=date(2025, 7, 1))
    communes = _communes(
        province,
        ["Xã Cẩm Thủy", "Xã Cẩm Tú", "Xã Cẩm Thạch", "Xã Cẩm Vân", "Xã Cẩm Tân"],
        valid_from=date(2025, 7, 1),
    ) + _communes(
        province,
        ["Phường Hạc Thành", "Phường Quảng Phú"],
        UnitType.WARD,
        valid_from=date(2025, 7, 1),
    )
    return province, communes, _ubnd(province)


def test_a_letter_to_every_commune_and_ward_of_a_province_reads_as_one_line() -> None:
    province, _, issuer = _two_tier_province()
    commune_level = UnitLevel.objects.get(code="commune")

    lines = _lines(
        issuer, services.Recipients(groups=[services.RecipientGroup(province, commune_level)])
    )

    assert lines == ["Ủy ban nhân dân các xã, phường"]


def test_a_letter_to_the_committees_of_every_commune_as_bodies_reads_the_same() -> None:
    province, communes, issuer = _two_tier_province()
    committees = [_ubnd(commune) for commune in communes]
    department = factories.BodyFactory.create(
        unit=province, name="Sở Văn hóa, Thể thao và Du lịch", kind="department"
    )

    lines = _lines(issuer, services.Recipients(bodies=[department, *committees]))

    assert lines == ["Sở Văn hóa, Thể thao và Du lịch", "Ủy ban nhân dân các xã, phường"]


def test_a_short_list_names_every_recipient() -> None:
    _province, communes, issuer = _two_tier_province()

    lines = _lines(issuer, services.Recipients(units=communes[:3]))

    assert lines == [
        "Ủy ban nhân dân xã Cẩm Thủy",
        "Ủy ban nhân dân xã Cẩm Tú",
        "Ủy ban nhân dân xã Cẩm Thạch",
    ]


def test_a_long_list_that_misses_one_commune_names_every_recipient() -> None:
    _province, communes, issuer = _two_tier_province()

    lines = _lines(issuer, services.Recipients(units=communes[:-1]))

    assert len(lines) == 6
    assert "Ủy ban nhân dân phường Hạc Thành" in lines


def test_three_tier_history_collapses_the_communes_of_a_district_with_its_township() -> None:
    # The district as it stood in 2024, and the letter it issued then.
    until = {"valid_until": date(2025, 6, 30)}
    province = factories.province("Tỉnh Thanh Hóa", code="38", **until)
    district = factories.district(province, "Huyện Cẩm Thủy", code="394", **until)
    communes = _communes(
        district,
        ["Xã Cẩm Ngọc", "Xã Cẩm Thành", "Xã Cẩm Tú", "Xã Cẩm Châu", "Xã Cẩm Tâm"],
        valid_until=date(2025, 6, 30),
    ) + _communes(
        district, ["Thị trấn Phong Sơn"], UnitType.TOWNSHIP, valid_until=date(2025, 6, 30)
    )
    issuer = _ubnd(district)
    office = factories.BodyFactory.create(
        unit=district, name="Phòng Văn hóa và Thông tin huyện Cẩm Thủy", kind="department"
    )
    commune_level = UnitLevel.objects.get(code="commune")

    lines = _lines(
        issuer,
        services.Recipients(
            bodies=[office], groups=[services.RecipientGroup(district, commune_level)]
        ),
        issued_on=date(2024, 4, 24),
    )

    assert len(communes) == 6
    assert lines == [
        "Phòng Văn hóa và Thông tin huyện Cẩm Thủy",
        "Ủy ban nhân dân các xã, thị trấn",
    ]


def test_all_communes_of_one_district_of_a_province_name_the_district() -> None:
    province = factories.province("Tỉnh Lai Châu", code="12")
    tan_uyen = factories.district(province, "Huyện Tân Uyên", code="110")
    than_uyen = factories.district(province, "Huyện Than Uyên", code="109")
    whole = _communes(
        tan_uyen, ["Xã Mường Khoa", "Xã Trung Đồng", "Xã Phúc Khoa", "Xã Nậm Cần", "Xã Tà Mít"]
    )
    one = _communes(than_uyen, ["Xã Mường Than", "Xã Phúc Than"])[:1]
    issuer = _ubnd(province)

    lines = _lines(issuer, services.Recipients(units=[*whole, *one]))

    assert lines == [
        "Ủy ban nhân dân các xã thuộc huyện Tân Uyên",
        "Ủy ban nhân dân xã Mường Than",
    ]
