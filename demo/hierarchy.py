"""Demo data: believable bodies and one user per role, on an imported three-tier hierarchy.

The hierarchy itself comes from ``import_divisions``; this module only adds what a demo
needs on top of it: the bodies of Tỉnh Thanh Hóa → Huyện Cẩm Thủy → its communes and of
Huyện Tân Uyên (Tỉnh Lai Châu), each with its supervising body, and the demo logins.

Everything is an upsert keyed on the unit and the folded name of a body (or the username
of a user), and a row is saved only when it differs: running the demo twice writes nothing
the second time, not even a history row. Email addresses use the reserved ``.example``
top-level domain so that a demo can never mail a real office.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, Prefetch

from portal.text import fold, nfc
from units.models import AdministrativeUnit, Body, BodyKind
from units.naming import bare_name, in_sentence
from users.models import Role, RoleAssignment, User

# One documented password for every demo login: the README and both commands print it.
DEMO_PASSWORD = "demo12345!"

THANH_HOA = "Tỉnh Thanh Hóa"
CAM_THUY = "Huyện Cẩm Thủy"
CAM_NGOC = "Xã Cẩm Ngọc"
LAI_CHAU = "Tỉnh Lai Châu"
TAN_UYEN = "Huyện Tân Uyên"

# Village boards are illustrative (the letters name "các ban thôn" without listing them).
_VILLAGES = {CAM_NGOC: ("Ngọc Lâm", "Ngọc Sơn", "Ngọc Thành")}


class DemoDataError(Exception):
    """The database lacks what the demo builds on (usually: the hierarchy is not imported)."""


@dataclass(frozen=True)
class BodySpec:
    """A body to create in a unit; ``supervisor`` names another spec of the same build."""

    key: str
    unit: AdministrativeUnit
    name: str
    short_name: str
    kind: str
    email: str
    supervisor: str | None = None


@dataclass(frozen=True)
class UserSpec:
    """A demo login: who, with which role, anchored on which unit or body key."""

    username: str
    full_name: str
    position: str
    email: str
    role: str
    unit: AdministrativeUnit | None = None
    body_key: str | None = None
    superuser: bool = False


@dataclass(frozen=True)
class DemoLogin:
    """One row of the logins table that both commands print."""

    username: str
    password: str
    role: str
    anchor: str
    full_name: str


@dataclass
class DemoResult:
    """What a build changed, and the logins it guarantees."""

    bodies_created: int = 0
    bodies_updated: int = 0
    users_created: int = 0
    users_updated: int = 0
    roles_created: int = 0
    logins: list[DemoLogin] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(
            (
                self.bodies_created,
                self.bodies_updated,
                self.users_created,
                self.users_updated,
                self.roles_created,
            )
        )


def _mailbox(*parts: str) -> str:
    return ".".join(fold(part).replace(" ", "") for part in parts) + "@demo.example"


def find_district(*, province: str, district: str) -> AdministrativeUnit:
    """The district of that name in the province of that name, matched on folded names."""
    candidates = list(
        AdministrativeUnit.objects.filter(
            search_name=fold(district), parent__search_name=fold(province)
        )
        .select_related("parent", "level")
        .order_by("-valid_from", "pk")
    )
    if not candidates:
        raise DemoDataError(
            f"{district} ({province}) is not in the database: "
            "import the three-tier hierarchy first (manage.py import_divisions --edition three-tier)."
        )
    return candidates[0]


def _communes(district: AdministrativeUnit) -> list[AdministrativeUnit]:
    return list(district.children.order_by("code", "pk"))


def _people_committee(unit: AdministrativeUnit, key: str, supervisor: str | None) -> BodySpec:
    place = in_sentence(unit.name)
    return BodySpec(
        key=key,
        unit=unit,
        name=f"Ủy ban nhân dân {place}",
        short_name=f"UBND {place}",
        kind=BodyKind.PEOPLES_COMMITTEE,
        email=_mailbox("ubnd", unit.name),
        supervisor=supervisor,
    )


def _province_specs(province: AdministrativeUnit, *, departments: bool) -> list[BodySpec]:
    place = in_sentence(province.name)
    short = bare_name(province.name)
    ubnd = f"ubnd:{province.pk}"
    specs = [_people_committee(province, ubnd, None)]
    rows: list[tuple[str, str, str, str]] = [
        ("stttt", "Sở Thông tin và Truyền thông", "Sở TT&TT", BodyKind.DEPARTMENT),
    ]
    if departments:
        rows += [
            ("svhttdl", "Sở Văn hóa, Thể thao và Du lịch", "Sở VHTTDL", BodyKind.DEPARTMENT),
            ("snv", "Sở Nội vụ", "Sở Nội vụ", BodyKind.DEPARTMENT),
            ("vp", "Văn phòng Ủy ban nhân dân", "Văn phòng UBND", BodyKind.DEPARTMENT),
            ("ca", "Công an", "Công an", BodyKind.OTHER),
            (
                "dptth",
                "Đài Phát thanh và Truyền hình",
                "Đài PT-TH",
                BodyKind.PRESS_AGENCY,
            ),
            ("tinhdoan", "Tỉnh đoàn", "Tỉnh đoàn", BodyKind.MASS_ORGANISATION),
            (
                "hlhpn",
                "Hội Liên hiệp Phụ nữ",
                "Hội LHPN",
                BodyKind.MASS_ORGANISATION,
            ),
        ]
    for key, title, abbreviation, kind in rows:
        # Newsrooms and the youth union carry the bare place name ("Tỉnh đoàn Thanh Hóa").
        bare = key in {"dptth", "tinhdoan"}
        specs.append(
            BodySpec(
                key=f"{key}:{province.pk}",
                unit=province,
                name=f"{title} {short if bare else place}",
                short_name=f"{abbreviation} {short}",
                kind=kind,
                email=_mailbox(key, province.name),
                supervisor=ubnd,
            )
        )
    return specs


def _district_specs(district: AdministrativeUnit, province_ubnd: str) -> list[BodySpec]:
    place = in_sentence(district.name)
    short = bare_name(district.name)
    ubnd = f"ubnd:{district.pk}"
    rows: list[tuple[str, str, str, str]] = [
        (
            "pvhtt",
            f"Phòng Văn hóa và Thông tin {place}",
            f"Phòng VHTT {short}",
            BodyKind.DEPARTMENT,
        ),
        (
            "ttvhttt",
            f"Trung tâm Văn hóa, Thông tin và Thể thao {place}",
            f"Trung tâm VHTT&TT {short}",
            BodyKind.PUBLIC_SERVICE_UNIT,
        ),
        (
            "vp",
            f"Văn phòng HĐND và UBND {place}",
            f"Văn phòng HĐND-UBND {short}",
            BodyKind.DEPARTMENT,
        ),
        (
            "pgddt",
            f"Phòng Giáo dục và Đào tạo {place}",
            f"Phòng GD&ĐT {short}",
            BodyKind.DEPARTMENT,
        ),
        ("huyendoan", f"Huyện đoàn {short}", f"Huyện đoàn {short}", BodyKind.MASS_ORGANISATION),
    ]
    specs = [_people_committee(district, ubnd, province_ubnd)]
    specs += [
        BodySpec(
            key=f"{key}:{district.pk}",
            unit=district,
            name=name,
            short_name=short_name,
            kind=kind,
            email=_mailbox(key, district.name),
            supervisor=ubnd,
        )
        for key, name, short_name, kind in rows
    ]
    return specs


def _commune_specs(commune: AdministrativeUnit, district_ubnd: str) -> list[BodySpec]:
    place = in_sentence(commune.name)
    ubnd = f"ubnd:{commune.pk}"
    rows: list[tuple[str, str, str, str]] = [
        (
            "mttq",
            f"Ủy ban Mặt trận Tổ quốc Việt Nam {place}",
            f"UBMTTQ {place}",
            BodyKind.MASS_ORGANISATION,
        ),
        ("doan", f"Đoàn Thanh niên {place}", f"Đoàn TN {place}", BodyKind.MASS_ORGANISATION),
        (
            "phunu",
            f"Hội Liên hiệp Phụ nữ {place}",
            f"Hội LHPN {place}",
            BodyKind.MASS_ORGANISATION,
        ),
    ]
    rows += [
        (f"thon{i}", f"Ban thôn {village}", "", BodyKind.VILLAGE_BOARD)
        for i, village in enumerate(_VILLAGES.get(commune.name, ()), start=1)
    ]
    specs = [_people_committee(commune, ubnd, district_ubnd)]
    specs += [
        BodySpec(
            key=f"{key}:{commune.pk}",
            unit=commune,
            name=name,
            short_name=short_name,
            kind=kind,
            email=_mailbox(key, commune.name, bare_name(commune.parent.name))
            if commune.parent
            else _mailbox(key, commune.name),
            supervisor=ubnd,
        )
        for key, name, short_name, kind in rows
    ]
    return specs


def _tree_specs(district: AdministrativeUnit, *, departments: bool) -> list[BodySpec]:
    province = district.parent
    assert province is not None  # find_district only returns units with a parent
    specs = _province_specs(province, departments=departments)
    specs += _district_specs(district, f"ubnd:{province.pk}")
    for commune in _communes(district):
        specs += _commune_specs(commune, f"ubnd:{district.pk}")
    return specs


def _user_specs(cam_thuy: AdministrativeUnit, tan_uyen: AdministrativeUnit) -> list[UserSpec]:
    thanh_hoa = cam_thuy.parent
    assert thanh_hoa is not None
    cam_ngoc = next((c for c in _communes(cam_thuy) if fold(c.name) == fold(CAM_NGOC)), None)
    if cam_ngoc is None:
        raise DemoDataError(f"{CAM_NGOC} is not in {CAM_THUY}: the hierarchy is incomplete.")
    return [
        UserSpec(
            username="admin",
            full_name="Nguyễn Văn Hùng",
            position="Quản trị hệ thống",
            email="admin@demo.example",
            role=Role.SYSTEM_ADMIN,
            superuser=True,
        ),
        UserSpec(
            username="tinh.thanhhoa",
            full_name="Lê Thị Thu Hà",
            position="Chuyên viên Phòng Thông tin - Báo chí - Xuất bản, "
            "Sở Thông tin và Truyền thông tỉnh Thanh Hóa",
            email="tinh.thanhhoa@demo.example",
            role=Role.PROVINCE_OFFICER,
            unit=thanh_hoa,
        ),
        UserSpec(
            username="huyen.camthuy",
            full_name="Trịnh Văn Nam",
            position="Chuyên viên Phòng Văn hóa và Thông tin huyện Cẩm Thủy",
            email="huyen.camthuy@demo.example",
            role=Role.UNIT_OFFICER,
            unit=cam_thuy,
        ),
        UserSpec(
            username="xa.camngoc",
            full_name="Bùi Thị Lan",
            position="Công chức Văn hóa - Xã hội, UBND xã Cẩm Ngọc",
            email="xa.camngoc@demo.example",
            role=Role.BODY_STAFF,
            body_key=f"ubnd:{cam_ngoc.pk}",
        ),
        UserSpec(
            username="huyen.tanuyen",
            full_name="Lò Văn Thắng",
            position="Chuyên viên Phòng Văn hóa và Thông tin huyện Tân Uyên",
            email="huyen.tanuyen@demo.example",
            role=Role.UNIT_OFFICER,
            unit=tan_uyen,
        ),
    ]


# The logins of the history (three-tier, until 30/06/2025), and all of them: today's country
# adds the officer of the new Xã Cẩm Thủy (demo.today).
HISTORY_USERNAMES = ("admin", "tinh.thanhhoa", "xa.camngoc", "huyen.camthuy", "huyen.tanuyen")
DEMO_USERNAMES = (
    "admin",
    "tinh.thanhhoa",
    "xa.camthuy",
    "xa.camngoc",
    "huyen.camthuy",
    "huyen.tanuyen",
)


def _set_changed(obj: Any, values: dict[str, Any]) -> bool:
    """Assign the values that differ; report whether anything did."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _upsert_bodies(specs: list[BodySpec], result: DemoResult) -> dict[str, Body]:
    unit_ids = {spec.unit.pk for spec in specs}
    # Match on folded names (real or short) so that "UBND Xã Cẩm Ngọc" typed by hand is
    # recognised as the People's Committee rather than duplicated.
    existing: dict[tuple[int, str], Body] = {}
    # Open bodies first, then archived ones: a body the demo closed (the Sở Thông tin và
    # Truyền thông, on 01/03/2025) is found again rather than created anew.
    for found in Body.objects.filter(unit_id__in=unit_ids).order_by(
        F("archived_at").asc(nulls_first=True), "pk"
    ):
        for label in (found.name, found.short_name):
            if label:
                existing.setdefault((found.unit_id, fold(label)), found)
    bodies: dict[str, Body] = {}
    # Supervisors first: every spec's supervisor is built earlier in the list.
    for spec in specs:
        body = existing.get((spec.unit.pk, fold(spec.name))) or existing.get(
            (spec.unit.pk, fold(spec.short_name or spec.name))
        )
        supervisor = bodies[spec.supervisor] if spec.supervisor else None
        values = {
            "name": nfc(spec.name),
            "short_name": nfc(spec.short_name),
            "kind": spec.kind,
            "supervising_body": supervisor,
        }
        if body is None:
            body = Body(unit=spec.unit, email=spec.email, **values)
            body.full_clean()
            body.save()
            result.bodies_created += 1
        elif _set_changed(body, values):
            body.full_clean()
            body.save()
            result.bodies_updated += 1
        bodies[spec.key] = body
    return bodies


def _upsert_users(
    specs: list[UserSpec], bodies: dict[str, Body], result: DemoResult, *, reset_passwords: bool
) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=[s.username for s in specs])}
    for spec in specs:
        values = {
            "full_name": nfc(spec.full_name),
            "position": nfc(spec.position),
            "is_active": True,
            "is_staff": spec.superuser,
            "is_superuser": spec.superuser,
        }
        user = users.get(spec.username)
        if user is None:
            user = User(username=spec.username, email=spec.email, **values)
            user.set_password(DEMO_PASSWORD)
            user.full_clean()
            user.save()
            result.users_created += 1
        else:
            changed = _set_changed(user, values)
            if reset_passwords and not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                changed = True
            if changed:
                user.full_clean()
                user.save()
                result.users_updated += 1
        body = bodies[spec.body_key] if spec.body_key else None
        if not RoleAssignment.objects.filter(
            user=user, role=spec.role, unit=spec.unit, body=body
        ).exists():
            assignment = RoleAssignment(user=user, role=spec.role, unit=spec.unit, body=body)
            assignment.full_clean()
            assignment.save()
            result.roles_created += 1


def build_demo(*, reset_passwords: bool = False) -> DemoResult:
    """Create or complete the demo bodies and users, in one transaction."""
    result = DemoResult()
    with transaction.atomic():
        cam_thuy = find_district(province=THANH_HOA, district=CAM_THUY)
        tan_uyen = find_district(province=LAI_CHAU, district=TAN_UYEN)
        specs = _tree_specs(cam_thuy, departments=True) + _tree_specs(tan_uyen, departments=False)
        bodies = _upsert_bodies(specs, result)
        _upsert_users(
            _user_specs(cam_thuy, tan_uyen), bodies, result, reset_passwords=reset_passwords
        )
    result.logins = demo_logins()
    return result


def demo_logins(usernames: Iterable[str] = DEMO_USERNAMES) -> list[DemoLogin]:
    """The demo users that exist, with their roles and anchors, in the documented order."""
    order = list(usernames)
    users = User.objects.filter(username__in=order).prefetch_related(
        Prefetch(
            "role_assignments",
            queryset=RoleAssignment.objects.select_related("unit", "body").order_by("pk"),
        )
    )
    rows: list[DemoLogin] = []
    for user in sorted(users, key=lambda u: order.index(u.username)):
        for assignment in user.role_assignments.all():
            anchor = assignment.body or assignment.unit
            rows.append(
                DemoLogin(
                    username=user.username,
                    password=DEMO_PASSWORD,
                    role=str(assignment.get_role_display()),
                    anchor=str(anchor) if anchor else "—",
                    full_name=user.get_full_name(),
                )
            )
    return rows


def format_logins(logins: list[DemoLogin]) -> str:
    """The logins as a plain-text table (NFC text: one code point per column)."""
    header = ("Username", "Password", "Role", "Anchor", "Full name")
    rows = [header] + [
        (row.username, row.password, row.role, row.anchor, row.full_name) for row in logins
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
