"""The issuing-authority block of a letter in the two-tier country (since 01/07/2025), where
province names carry no "Tỉnh": the header reads as Decree 30/2020 writes it all the same."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document

from directives import rendering, services
from directives.models import Directive
from tests import factories
from units.models import AdministrativeUnit, Body, BodyKind, UnitType
from users.models import User

pytestmark = pytest.mark.django_db

REFORM = date(2025, 7, 1)


def _two_tier_province(name: str = "Thanh Hóa") -> AdministrativeUnit:
    # As the two-tier list names it: no type word in the name, the type in ``unit_type``.
    return factories.province(name, code="38", valid_from=REFORM)


def _body(unit: AdministrativeUnit, name: str, kind: str, **fields: object) -> Body:
    return factories.BodyFactory.create(unit=unit, name=name, kind=kind, **fields)


def _letter_of(issuer: Body, by: User) -> Directive:
    return services.directive_create(
        issuer=issuer,
        by=by,
        fields={"symbol": "SVHTTDL-QLVH", "subject": "Thử", "body": "Nội dung."},
    )


def test_a_department_of_a_two_tier_province_has_no_dangling_province_word() -> None:
    # Given the provincial Department of Culture, Sports and Tourism of the two-tier
    # "Thanh Hóa", under the province's People's Committee
    province = _two_tier_province()
    committee = _body(province, "Ủy ban nhân dân tỉnh Thanh Hóa", BodyKind.PEOPLES_COMMITTEE)
    department = _body(
        province,
        "Sở Văn hóa, Thể thao và Du lịch tỉnh Thanh Hóa",
        BodyKind.DEPARTMENT,
        supervising_body=committee,
    )

    # When it writes a letter
    letter = rendering.letter_of(_letter_of(department, factories.officer_of(province)))

    # Then the place is said once, on the line above, with its type
    assert letter.supervising == "UBND TỈNH THANH HÓA"
    assert letter.authority == ["SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH"]


def test_a_department_named_without_the_province_word_reads_the_same() -> None:
    # Given a department and a committee named after the bare two-tier province name
    province = _two_tier_province()
    committee = _body(province, "Ủy ban nhân dân Thanh Hóa", BodyKind.PEOPLES_COMMITTEE)
    department = _body(
        province,
        "Sở Văn hóa, Thể thao và Du lịch Thanh Hóa",
        BodyKind.DEPARTMENT,
        supervising_body=committee,
    )

    letter = rendering.letter_of(_letter_of(department, factories.officer_of(province)))

    # Then the committee's line still names the province's type ("UBND TỈNH …")
    assert letter.supervising == "UBND TỈNH THANH HÓA"
    assert letter.authority == ["SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH"]


def test_a_two_tier_peoples_committee_names_its_province_with_its_type() -> None:
    province = _two_tier_province()
    committee = _body(province, "Ủy ban nhân dân Thanh Hóa", BodyKind.PEOPLES_COMMITTEE)

    letter = rendering.letter_of(_letter_of(committee, factories.officer_of(province)))

    assert letter.supervising == ""
    assert letter.authority == ["ỦY BAN NHÂN DÂN", "TỈNH THANH HÓA"]


def test_the_culture_office_of_a_two_tier_commune_is_written_under_its_committee() -> None:
    # Given the Phòng Văn hóa - Xã hội of the new Xã Cẩm Thủy, under its People's Committee
    province = _two_tier_province()
    commune = factories.commune(province, "Xã Cẩm Thủy", code="14977", valid_from=REFORM)
    committee = _body(commune, "Ủy ban nhân dân xã Cẩm Thủy", BodyKind.PEOPLES_COMMITTEE)
    office = _body(
        commune,
        "Phòng Văn hóa - Xã hội xã Cẩm Thủy",
        BodyKind.DEPARTMENT,
        supervising_body=committee,
    )

    letter = rendering.letter_of(_letter_of(office, factories.officer_of(commune)))

    assert letter.supervising == "UBND XÃ CẨM THỦY"
    assert letter.authority == ["PHÒNG VĂN HÓA - XÃ HỘI"]


def test_a_centrally_run_city_keeps_its_own_type_word() -> None:
    # Given Hà Nội, which both lists name with its type ("Thành phố Hà Nội")
    city = factories.UnitFactory.create(
        name="Thành phố Hà Nội",
        code="01",
        level=factories.level("province"),
        unit_type=UnitType.CENTRAL_CITY,
        valid_from=REFORM,
    )
    committee = _body(city, "Ủy ban nhân dân thành phố Hà Nội", BodyKind.PEOPLES_COMMITTEE)
    department = _body(
        city,
        "Sở Văn hóa và Thể thao thành phố Hà Nội",
        BodyKind.DEPARTMENT,
        supervising_body=committee,
    )

    letter = rendering.letter_of(_letter_of(department, factories.officer_of(city)))

    assert letter.supervising == "UBND THÀNH PHỐ HÀ NỘI"
    assert letter.authority == ["SỞ VĂN HÓA VÀ THỂ THAO"]


def test_the_docx_header_of_a_two_tier_department_says_the_province_once() -> None:
    province = _two_tier_province()
    committee = _body(province, "Ủy ban nhân dân tỉnh Thanh Hóa", BodyKind.PEOPLES_COMMITTEE)
    department = _body(
        province,
        "Sở Văn hóa, Thể thao và Du lịch tỉnh Thanh Hóa",
        BodyKind.DEPARTMENT,
        supervising_body=committee,
    )

    data = rendering.render_docx(_letter_of(department, factories.officer_of(province)))

    header = Document(io.BytesIO(data)).tables[0].cell(0, 0).text.splitlines()
    assert header[:2] == ["UBND TỈNH THANH HÓA", "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH"]
