"""The demo builder and ``manage.py load_demo`` (on the ``tree`` fixture's hierarchy)."""

from __future__ import annotations

import unicodedata
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from accounts_registry.models import SocialPage
from accounts_registry.selectors.public import directory_provinces
from demo import hierarchy as demo
from directives.models import Directive
from portal.text import fold
from reports import selectors as report_selectors
from reports.build import build_period
from reports.models import ReportingPeriod, ReportState, UnitReport
from tests.conftest import Tree
from units.models import AdministrativeUnit, Body, BodyKind
from users import scope
from users.models import Role, RoleAssignment, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: SettingsWrapper) -> None:
    # Every build hashes five passwords; Argon2 would make this file crawl.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _load(*extra: str) -> str:
    # The tree's codes are not the official ones: the conversion table cannot apply to it.
    out = StringIO()
    call_command("load_demo", "--skip-import", "--history-only", *extra, stdout=out)
    return out.getvalue()


def _snapshot() -> dict[str, object]:
    return {
        "bodies": sorted(Body.objects.values_list("pk", "name", "short_name", "supervising_body")),
        "body_history": Body.history.count(),
        "users": sorted(User.objects.values_list("pk", "username", "password", "full_name")),
        "roles": RoleAssignment.objects.count(),
        "role_history": RoleAssignment.history.count(),
    }


def test_every_commune_of_cam_thuy_gets_a_peoples_committee_and_mass_organisations(
    tree: Tree,
) -> None:
    demo.build_demo()

    for commune in (tree.cam_ngoc, tree.cam_thanh):
        kinds = list(Body.objects.filter(unit=commune).values_list("kind", flat=True))
        assert kinds.count(BodyKind.PEOPLES_COMMITTEE) == 1
        assert kinds.count(BodyKind.MASS_ORGANISATION) >= 2
    names = set(Body.objects.filter(unit=tree.cam_ngoc).values_list("name", flat=True))
    assert {
        "Ủy ban nhân dân xã Cẩm Ngọc",
        "Đoàn Thanh niên xã Cẩm Ngọc",
        "Hội Liên hiệp Phụ nữ xã Cẩm Ngọc",
    } <= names
    assert any(name.startswith("Ban thôn ") for name in names)


def test_district_and_provincial_bodies_are_created_where_they_belong(tree: Tree) -> None:
    demo.build_demo()

    assert set(Body.objects.filter(unit=tree.cam_thuy).values_list("name", flat=True)) >= {
        "Ủy ban nhân dân huyện Cẩm Thủy",
        "Phòng Văn hóa và Thông tin huyện Cẩm Thủy",
        "Trung tâm Văn hóa, Thông tin và Thể thao huyện Cẩm Thủy",
    }
    assert set(Body.objects.filter(unit=tree.thanh_hoa).values_list("name", flat=True)) >= {
        "Ủy ban nhân dân tỉnh Thanh Hóa",
        "Sở Thông tin và Truyền thông tỉnh Thanh Hóa",
        "Sở Văn hóa, Thể thao và Du lịch tỉnh Thanh Hóa",
    }
    assert Body.objects.filter(unit=tree.tan_uyen, name="Ủy ban nhân dân huyện Tân Uyên").exists()
    assert Body.objects.filter(unit=tree.muong_khoa, kind=BodyKind.PEOPLES_COMMITTEE).count() == 1
    # The demo only touches the districts it is about.
    assert not Body.objects.filter(unit=tree.ba_thuoc).exists()


def test_existing_peoples_committee_typed_with_the_short_name_is_reused_not_duplicated(
    tree: Tree,
) -> None:
    # Given the fixture's "UBND Xã Cẩm Ngọc"
    demo.build_demo()

    tree.ubnd_cam_ngoc.refresh_from_db()
    assert tree.ubnd_cam_ngoc.name == "Ủy ban nhân dân xã Cẩm Ngọc"
    assert tree.ubnd_cam_ngoc.short_name == "UBND xã Cẩm Ngọc"


def test_supervising_bodies_follow_the_chain_of_peoples_committees(tree: Tree) -> None:
    demo.build_demo()

    ubnd = {
        unit: Body.objects.get(unit=unit, kind=BodyKind.PEOPLES_COMMITTEE)
        for unit in (tree.cam_ngoc, tree.cam_thuy, tree.thanh_hoa)
    }
    doan = Body.objects.get(unit=tree.cam_ngoc, name="Đoàn Thanh niên xã Cẩm Ngọc")
    office = Body.objects.get(unit=tree.cam_thuy, name="Phòng Văn hóa và Thông tin huyện Cẩm Thủy")
    department = Body.objects.get(name="Sở Thông tin và Truyền thông tỉnh Thanh Hóa")
    assert doan.supervising_body == ubnd[tree.cam_ngoc]
    assert ubnd[tree.cam_ngoc].supervising_body == ubnd[tree.cam_thuy]
    assert ubnd[tree.cam_thuy].supervising_body == ubnd[tree.thanh_hoa]
    assert ubnd[tree.thanh_hoa].supervising_body is None
    assert office.supervising_body == ubnd[tree.cam_thuy]
    assert department.supervising_body == ubnd[tree.thanh_hoa]


def test_every_demo_name_is_stored_in_nfc(tree: Tree) -> None:
    demo.build_demo()

    for name, short_name in Body.objects.values_list("name", "short_name"):
        assert unicodedata.is_normalized("NFC", name)
        assert unicodedata.is_normalized("NFC", short_name)
    for full_name, position in User.objects.values_list("full_name", "position"):
        assert unicodedata.is_normalized("NFC", full_name + position)


def test_running_the_demo_twice_changes_nothing(tree: Tree) -> None:
    first = demo.build_demo()
    before = _snapshot()

    second = demo.build_demo()

    assert first.changed
    assert not second.changed
    assert _snapshot() == before


def test_one_user_per_role_with_the_documented_anchor(tree: Tree) -> None:
    demo.build_demo()

    roles = {
        a.user.username: (a.role, a.unit, a.body)
        for a in RoleAssignment.objects.select_related("user", "unit", "body")
    }
    ubnd_cam_ngoc = Body.objects.get(unit=tree.cam_ngoc, kind=BodyKind.PEOPLES_COMMITTEE)
    assert roles == {
        "admin": (Role.SYSTEM_ADMIN, None, None),
        "tinh.thanhhoa": (Role.PROVINCE_OFFICER, tree.thanh_hoa, None),
        "huyen.camthuy": (Role.UNIT_OFFICER, tree.cam_thuy, None),
        "xa.camngoc": (Role.BODY_STAFF, None, ubnd_cam_ngoc),
        "huyen.tanuyen": (Role.UNIT_OFFICER, tree.tan_uyen, None),
    }
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.is_staff
    assert not User.objects.filter(is_staff=True).exclude(username="admin").exists()


def test_demo_scopes_keep_each_officer_in_their_own_district(tree: Tree) -> None:
    demo.build_demo()
    cam_thuy_officer = User.objects.get(username="huyen.camthuy")
    tan_uyen_officer = User.objects.get(username="huyen.tanuyen")

    cam_thuy_bodies = scope.bodies(cam_thuy_officer)
    tan_uyen_bodies = scope.bodies(tan_uyen_officer)

    assert cam_thuy_bodies.filter(unit=tree.cam_ngoc).exists()
    assert not cam_thuy_bodies.filter(unit=tree.muong_khoa).exists()
    assert tan_uyen_bodies.filter(unit=tree.muong_khoa).exists()
    assert not tan_uyen_bodies.filter(unit__path__startswith=tree.thanh_hoa.path).exists()


@pytest.mark.parametrize("username", demo.HISTORY_USERNAMES)
def test_every_demo_login_lands_on_its_home_page(tree: Tree, username: str) -> None:
    demo.build_demo()
    client = Client()

    response = client.post(
        reverse("login"),
        {"username": username, "password": demo.DEMO_PASSWORD},
        follow=True,
        REMOTE_ADDR="127.0.0.1",
    )

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.context["user"].username == username


def test_a_changed_password_is_kept_unless_reset_is_asked_for(tree: Tree) -> None:
    demo.build_demo()
    user = User.objects.get(username="xa.camngoc")
    user.set_password("something-else-42")
    user.save()

    demo.build_demo()
    user.refresh_from_db()
    kept = user.check_password("something-else-42")
    demo.build_demo(reset_passwords=True)
    user.refresh_from_db()

    assert kept
    assert user.check_password(demo.DEMO_PASSWORD)


def test_load_demo_prints_the_logins_table(tree: Tree) -> None:
    output = _load()

    lines = output.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("Username"))
    table = lines[header + 2 : header + 2 + len(demo.HISTORY_USERNAMES)]
    assert [line.split()[0] for line in table] == [
        name for name in demo.DEMO_USERNAMES if name in demo.HISTORY_USERNAMES
    ]
    assert all(demo.DEMO_PASSWORD in line for line in table)
    assert "Huyện Cẩm Thủy" in output
    assert "Ủy ban nhân dân xã Cẩm Ngọc" in output


def test_load_demo_a_second_time_says_nothing_changed(tree: Tree) -> None:
    _load()

    output = _load()

    assert "nothing changed" in output


def test_load_demo_refuses_to_run_in_production(tree: Tree, settings: SettingsWrapper) -> None:
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        _load()

    assert not User.objects.exists()


def test_load_demo_runs_in_production_when_forced(tree: Tree, settings: SettingsWrapper) -> None:
    settings.PRODUCTION = True

    _load("--force")

    assert User.objects.filter(username="admin").exists()


def test_load_demo_without_the_hierarchy_explains_what_to_import(db: None) -> None:
    with pytest.raises(CommandError, match="import_divisions"):
        _load()

    assert not Body.objects.exists()


def _q2_2025() -> dict[int, tuple[str, str, dict[str, object], int, int]]:
    """Every Quý 2/2025 report of the demo: its heading, state, totals and row counts."""
    return {
        report.unit_id: (
            report.unit_name,
            report.state,
            report.totals,
            report.body_rows.count(),
            report.page_rows.count(),
        )
        for report in UnitReport.objects.filter(period__label="Quý 2/2025").order_by("unit_id")
    }


def test_the_demo_is_todays_country_on_top_of_its_exact_history(db: None) -> None:
    # Given the three-tier history alone, with its reports of Quý 2/2025
    call_command("load_demo", "--history-only", stdout=StringIO())
    q2 = ReportingPeriod.objects.get(label="Quý 2/2025")
    build_period(q2, unit_ids=list(_q2_2025()))  # drafts refreshed, as a user would
    history = _q2_2025()
    cam_ngoc_pages = SocialPage.objects.filter(body__unit__name="Xã Cẩm Ngọc").count()

    # When the demo is completed: the reorganisation of 01/07/2025, then today's country
    call_command("load_demo", stdout=StringIO())
    # rebuilt after the reform: every draft is built again, as of 30/06/2025
    build_period(q2, unit_ids=list(history))

    # Then the old communes and the district ceased on 30/06/2025, and the new Xã Cẩm Thủy
    # (Xã Cẩm Ngọc and Thị trấn Phong Sơn) has exactly one People's Committee
    old = AdministrativeUnit.objects.get(
        search_name=fold(demo.CAM_THUY), parent__search_name=fold(demo.THANH_HOA)
    )
    assert old.valid_until == date(2025, 6, 30)
    assert set(old.children.values_list("valid_until", flat=True)) == {date(2025, 6, 30)}
    cam_thuy = AdministrativeUnit.objects.get(name="Xã Cẩm Thủy", valid_until__isnull=True)
    assert cam_thuy.valid_from == date(2025, 7, 1)
    assert set(cam_thuy.predecessors.values_list("name", flat=True)) == {
        "Xã Cẩm Ngọc",
        "Thị trấn Phong Sơn",
    }
    committees = Body.objects.filter(
        unit=cam_thuy, kind=BodyKind.PEOPLES_COMMITTEE, archived_at__isnull=True
    )
    assert list(committees.values_list("name", flat=True)) == ["Ủy ban nhân dân xã Cẩm Thủy"]
    assert SocialPage.objects.filter(body__unit=cam_thuy).count() == cam_ngoc_pages
    # every commune and ward of today's Thanh Hóa has one open People's Committee
    province = cam_thuy.parent
    assert province is not None
    assert province.valid_until is None
    communes = province.children.filter(valid_until__isnull=True)
    assert communes.count() == 166
    open_committees = Body.objects.filter(
        unit__in=communes, kind=BodyKind.PEOPLES_COMMITTEE, archived_at__isnull=True
    )
    assert open_committees.count() == 166
    assert open_committees.values("unit").distinct().count() == 166
    # the Sở Thông tin và Truyền thông ceased; the public directory lists today's provinces
    assert not Body.objects.filter(
        name__startswith="Sở Thông tin và Truyền thông", archived_at__isnull=True
    ).exists()
    assert province in directory_provinces(on=timezone.localdate())

    # and the history is exactly as it was: every Quý 2/2025 report, rebuilt after the reform
    assert _q2_2025() == history
    [cam_ngoc] = [row for row in history.values() if row[0] == "Xã Cẩm Ngọc"]
    assert cam_ngoc[1] == ReportState.ACCEPTED
    assert cam_ngoc[2]["bodies"]

    # and no letter was issued by a body whose unit had ceased on its date
    for letter in Directive.objects.select_related("issuer__unit"):
        unit = letter.issuer.unit
        assert letter.issued_on is not None
        assert unit.valid_until is None or letter.issued_on <= unit.valid_until, letter

    # and the users of today act, those of the abolished district only look back
    officer = User.objects.get(username="xa.camthuy")
    assert scope.can(officer, scope.Action.REVIEW, cam_thuy)
    district_officer = User.objects.get(username="huyen.camthuy")
    assert scope.can(district_officer, scope.Action.VIEW, old)
    assert not scope.can(district_officer, scope.Action.REVIEW, old)
    province_officer = User.objects.get(username="tinh.thanhhoa")
    assert scope.can(province_officer, scope.Action.VIEW, old)  # the history of its province
    assert scope.can(province_officer, scope.Action.REVIEW, cam_thuy)
    # what each fills in is their own unit's report of today, never the history they look at
    assert set(report_selectors.preparable(province_officer).values_list("unit_id", flat=True)) == {
        province.pk
    }
    assert not report_selectors.preparable(district_officer).exists()
    assert report_selectors.reports_for(district_officer).filter(unit=old).exists()


def test_loading_the_whole_demo_a_second_time_changes_nothing(db: None) -> None:
    call_command("load_demo", stdout=StringIO())
    units_before = AdministrativeUnit.objects.count()
    before = _snapshot()

    output = StringIO()
    call_command("load_demo", stdout=output)

    assert AdministrativeUnit.objects.count() == units_before
    assert _snapshot() == before
    assert "nothing changed" in output.getvalue()
