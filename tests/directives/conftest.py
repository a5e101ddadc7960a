"""A small world for directives: a province, its districts and communes, with their
People's Committees and one user each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from directives import services
from directives.models import Directive
from tests import factories
from tests.conftest import Tree
from units.models import Body, UnitLevel
from users.models import User


@dataclass
class World:
    tree: Tree
    ubnd_thanh_hoa: Body
    ubnd_cam_thuy: Body
    ubnd_ba_thuoc: Body
    ubnd_tan_uyen: Body
    province_officer: User  # Thanh Hóa
    cam_thuy_officer: User
    ba_thuoc_officer: User
    tan_uyen_officer: User  # another province: never sees Thanh Hóa's letters
    cam_ngoc_staff: User
    cam_thanh_staff: User
    district_level: UnitLevel
    commune_level: UnitLevel


@pytest.fixture
def world(tree: Tree) -> World:
    def ubnd(unit: Any, name: str) -> Body:
        return factories.BodyFactory.create(unit=unit, name=name, kind="peoples_committee")

    return World(
        tree=tree,
        ubnd_thanh_hoa=ubnd(tree.thanh_hoa, "Ủy ban nhân dân tỉnh Thanh Hóa"),
        ubnd_cam_thuy=ubnd(tree.cam_thuy, "Ủy ban nhân dân huyện Cẩm Thủy"),
        ubnd_ba_thuoc=ubnd(tree.ba_thuoc, "Ủy ban nhân dân huyện Bá Thước"),
        ubnd_tan_uyen=ubnd(tree.tan_uyen, "Ủy ban nhân dân huyện Tân Uyên"),
        province_officer=factories.officer_of(tree.thanh_hoa, email="tinh@example.test"),
        cam_thuy_officer=factories.officer_of(tree.cam_thuy, email="camthuy@example.test"),
        ba_thuoc_officer=factories.officer_of(tree.ba_thuoc, email="bathuoc@example.test"),
        tan_uyen_officer=factories.officer_of(tree.tan_uyen, email="tanuyen@example.test"),
        cam_ngoc_staff=factories.staff_of(tree.ubnd_cam_ngoc, email="camngoc@example.test"),
        cam_thanh_staff=factories.staff_of(tree.ubnd_cam_thanh, email="camthanh@example.test"),
        district_level=UnitLevel.objects.get(code="district"),
        commune_level=UnitLevel.objects.get(code="commune"),
    )


def draft(
    issuer: Body,
    by: User,
    *,
    recipients: services.Recipients,
    implements: Directive | None = None,
    deadline: date | None = date(2024, 5, 15),
    **fields: Any,
) -> Directive:
    """A draft with every part a letter has, for tests."""
    values = {
        "number": "1067",
        "symbol": "UBND-VHTT",
        "place": "Cẩm Thủy",
        "subject": "Tiếp tục thực hiện Quy tắc ứng xử trên mạng xã hội",
        "body": "Thực hiện Quyết định số 874/QĐ-BTTTT ngày 17/6/2021 của Bộ TT&TT.",
        "signing_capacity": "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
        "signer_name": "Nguyễn Văn A",
        "report_deadline": deadline,
        **fields,
    }
    return services.directive_create(
        issuer=issuer,
        by=by,
        fields=values,
        instructions=["Phổ biến Bộ Quy tắc ứng xử.", "Rà soát trang mạo danh."],
        recipients=recipients,
        implements=implements,
    )
