"""factory_boy factories for the portal's models."""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from units.models import AdministrativeUnit, Body, BodyKind, UnitLevel, UnitType
from users.models import Role, RoleAssignment, User

__all__ = ["RoleAssignment"]

DEMO_PASSWORD = "test-password-123"


def level(code: str) -> UnitLevel:
    return UnitLevel.objects.get(code=code)


class UnitFactory(DjangoModelFactory[AdministrativeUnit]):
    class Meta:
        model = AdministrativeUnit

    level = factory.LazyFunction(lambda: level("province"))
    # From 90000 up: never one of the real codes the tests give explicitly (Mường Khoa 03601).
    code = factory.Sequence(lambda n: f"{n + 90000:05d}")
    name = factory.Sequence(lambda n: f"Tỉnh Thử Nghiệm {n}")
    unit_type = UnitType.PROVINCE


def province(name: str = "Tỉnh Thanh Hóa", **kwargs: Any) -> AdministrativeUnit:
    return UnitFactory.create(
        name=name, level=level("province"), unit_type=UnitType.PROVINCE, **kwargs
    )


def district(
    parent: AdministrativeUnit, name: str = "Huyện Cẩm Thủy", **kwargs: Any
) -> AdministrativeUnit:
    return UnitFactory.create(
        name=name,
        parent=parent,
        level=level("district"),
        unit_type=UnitType.RURAL_DISTRICT,
        **kwargs,
    )


def commune(
    parent: AdministrativeUnit, name: str = "Xã Cẩm Ngọc", **kwargs: Any
) -> AdministrativeUnit:
    return UnitFactory.create(
        name=name, parent=parent, level=level("commune"), unit_type=UnitType.COMMUNE, **kwargs
    )


class BodyFactory(DjangoModelFactory[Body]):
    class Meta:
        model = Body

    unit = factory.SubFactory(UnitFactory)
    kind = BodyKind.PEOPLES_COMMITTEE
    name = factory.Sequence(lambda n: f"Cơ quan thử nghiệm {n}")
    email = factory.Sequence(lambda n: f"body{n}@example.gov.vn")


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    email = factory.Sequence(lambda n: f"user{n}@example.gov.vn")
    password = factory.django.Password(DEMO_PASSWORD)


def staff_of(body: Body, **kwargs: Any) -> User:
    user = UserFactory.create(**kwargs)
    RoleAssignment.objects.create(user=user, role=Role.BODY_STAFF, body=body)
    return user


def officer_of(unit: AdministrativeUnit, **kwargs: Any) -> User:
    user = UserFactory.create(**kwargs)
    role = Role.PROVINCE_OFFICER if unit.parent_id is None else Role.UNIT_OFFICER
    RoleAssignment.objects.create(user=user, role=role, unit=unit)
    return user


def admin_user(**kwargs: Any) -> User:
    user = UserFactory.create(**kwargs)
    RoleAssignment.objects.create(user=user, role=Role.SYSTEM_ADMIN)
    return user
