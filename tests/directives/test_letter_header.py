"""The issuing-authority block of a letter in the two-tier country (since 01/07/2025), where
province names carry no "Tỉnh": the header reads as Decree 30/2020 writes it all the same."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
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


def _preview_header(letter: Directive, user: User) -> str:
    """The text of the letter's header on its page, one space between words."""
    client = Client()
    client.force_login(user)
    page = client.get(reverse("directives:detail", args=[letter.pk])).content.decode()
    header = page.split('<header class="letter__head">', 1)[1].split("</header>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", header).split())


def test_the_district_letter_preview_shows_the_header_the_pdf_prints() -> None:
    # Given a district People's Committee supervised by the province's, and the district's
    # culture office under it
    province = factories.province()
    district = factories.district(province)
    ubnd_tinh = _body(province, "Ủy ban nhân dân tỉnh Thanh Hóa", BodyKind.PEOPLES_COMMITTEE)
    ubnd_huyen = _body(
        district,
        "Ủy ban nhân dân huyện Cẩm Thủy",
        BodyKind.PEOPLES_COMMITTEE,
        supervising_body=ubnd_tinh,
    )
    office = _body(
        district,
        "Phòng Văn hóa và Thông tin huyện Cẩm Thủy",
        BodyKind.DEPARTMENT,
        supervising_body=ubnd_huyen,
    )
    officer = factories.officer_of(district)

    # When the district opens its own letter's page
    committee_letter = _letter_of(ubnd_huyen, officer)
    header = _preview_header(committee_letter, officer)

    # Then the preview, like the PDF, writes no superior's line above a People's Committee
    assert rendering.authority_lines(committee_letter) == (
        "",
        ["ỦY BAN NHÂN DÂN", "HUYỆN CẨM THỦY"],
    )
    assert "ỦY BAN NHÂN DÂN HUYỆN CẨM THỦY" in header
    assert "THANH HÓA" not in header.split("Số:")[0]
    assert "Ủy ban nhân dân tỉnh" not in header
    # while the office's letter is written under its committee, as the PDF writes it
    office_header = _preview_header(_letter_of(office, officer), officer)
    assert office_header.startswith("UBND HUYỆN CẨM THỦY PHÒNG VĂN HÓA VÀ THÔNG TIN Số:")
