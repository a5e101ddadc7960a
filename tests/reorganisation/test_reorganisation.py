"""The reorganisation of 01/07/2025 applied by ``apply_reorganisation`` from a conversion table.

A small world (the ``tree`` fixture, three-tier) and small generated files: a two-tier
edition and a table in the official format.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from accounts_registry.models import ContactPerson, PageReview, PageState, PostingRules, SocialPage
from portal.history import effective_moment
from reorganisation.services import CONVERSION_TABLES, ConversionSpec
from reports.models import PeriodKind, ReportingPeriod, ReportState, UnitReport
from tests import factories
from tests.accounts_registry.factories_pages import contact, page, rules
from tests.conftest import Tree
from units.models import (
    AdministrativeUnit,
    Body,
    BodyKind,
    BodyTransfer,
    PlanStatus,
    Reorganisation,
    ReorganisationPlan,
)
from users.models import Role, RoleAssignment

pytestmark = pytest.mark.django_db

REFORM = date(2025, 7, 1)
LAST_DAY = date(2025, 6, 30)


def ward(name: str, code: int) -> dict[str, Any]:
    return {"name": name, "code": code, "codename": "", "division_type": "xã"}


def edition() -> list[dict[str, Any]]:
    return [
        {
            "name": "Tỉnh Thanh Hóa",
            "code": 38,
            "codename": "",
            "division_type": "tỉnh",
            "wards": [
                ward("Xã Cẩm Thủy", 15000),
                ward("Xã Cẩm Tân", 15002),
                ward("Xã Điền Quang", 14900),
                ward("Xã Không Ai Tới", 15999),
            ],
        },
        {
            "name": "Tỉnh Lai Châu",
            "code": 12,
            "codename": "",
            "division_type": "tỉnh",
            "wards": [ward("Xã Mường Khoa", 3600)],
        },
    ]


def entry(
    old: int, district: int, province: int, new: list[tuple[int, int]], partly: bool = False
) -> dict[str, Any]:
    return {
        "old_code": old,
        "old_district_code": district,
        "old_province_code": province,
        "partly": partly,
        "new": [{"code": code, "province_code": prov} for code, prov in new],
    }


def table() -> dict[str, Any]:
    return {
        "effective_date": "2025-07-01",
        "source_table": "test",
        "entries": [
            entry(15010, 394, 38, [(15000, 38)]),  # Xã Cẩm Ngọc, whole
            entry(15001, 394, 38, [(15000, 38), (15002, 38)], partly=True),  # Xã Cẩm Thành
            entry(14932, 390, 38, [(14900, 38)]),  # Xã Điền Lư, whole
            entry(3601, 110, 12, [(3600, 12)]),  # Xã Mường Khoa, whole
            entry(99999, 394, 38, [(15000, 38)]),  # not in the registry
        ],
    }


@dataclass
class World:
    tree: Tree
    hdnd_cam_ngoc: Body
    hdnd_cam_thanh: Body
    tram_y_te: Body
    ttyt_huyen: Body
    ubnd_tinh: Body
    khong_co: AdministrativeUnit
    ubnd_khong_co: Body
    cam_ngoc_pages: list[SocialPage]
    cam_thanh_page: SocialPage
    vhtt_page: SocialPage
    staff_cam_thanh: Any
    officer_huyen: Any
    officer_tinh: Any
    officer_cam_ngoc: Any
    report: UnitReport


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    edition_file = tmp_path / "two-tier.json"
    edition_file.write_text(json.dumps(edition(), ensure_ascii=False), encoding="utf-8")
    table_file = tmp_path / "table.json"
    table_file.write_text(json.dumps(table()), encoding="utf-8")
    monkeypatch.setitem(
        CONVERSION_TABLES,
        "test-table",
        ConversionSpec(
            name="test-table", path=table_file, edition="test", edition_file=edition_file
        ),
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def world(tree: Tree, files: Path) -> World:
    t = tree
    khong_co = factories.commune(t.cam_thuy, "Xã Không Có", code="15555")
    kinds = BodyKind
    hdnd_cam_ngoc = factories.BodyFactory.create(
        unit=t.cam_ngoc, name="HĐND Xã Cẩm Ngọc", kind=kinds.PEOPLES_COUNCIL
    )
    hdnd_cam_thanh = factories.BodyFactory.create(
        unit=t.cam_thanh, name="HĐND Xã Cẩm Thành", kind=kinds.PEOPLES_COUNCIL
    )
    tram_y_te = factories.BodyFactory.create(
        unit=t.cam_ngoc, name="Trạm Y tế xã Cẩm Ngọc", kind=kinds.PUBLIC_SERVICE_UNIT
    )
    ttyt_huyen = factories.BodyFactory.create(
        unit=t.cam_thuy, name="Trung tâm Y tế huyện Cẩm Thủy", kind=kinds.PUBLIC_SERVICE_UNIT
    )
    ubnd_tinh = factories.BodyFactory.create(unit=t.thanh_hoa, name="UBND Tỉnh Thanh Hóa")
    ubnd_khong_co = factories.BodyFactory.create(unit=khong_co, name="UBND Xã Không Có")
    cam_ngoc_pages = [
        page(t.ubnd_cam_ngoc, state=PageState.APPROVED),
        page(t.ubnd_cam_ngoc, state=PageState.APPROVED),
    ]
    cam_thanh_page = page(t.ubnd_cam_thanh, state=PageState.APPROVED)
    contact(t.ubnd_cam_thanh, page=cam_thanh_page, name="Lê Văn Page")
    contact(t.ubnd_cam_thanh, name="Lê Văn Mặc Định")
    contact(t.ubnd_cam_ngoc, name="Bùi Thị Lan")
    rules(t.ubnd_cam_thanh)
    vhtt_page = page(t.vhtt_cam_thuy, state=PageState.APPROVED)
    period = ReportingPeriod.objects.create(
        kind=PeriodKind.QUARTERLY,
        starts_on=date(2025, 4, 1),
        ends_on=LAST_DAY,
        label="Quý 2/2025",
    )
    report = UnitReport.objects.create(
        unit=t.cam_ngoc, period=period, unit_name=t.cam_ngoc.name, totals={"pages": 2}
    )
    return World(
        tree=t,
        hdnd_cam_ngoc=hdnd_cam_ngoc,
        hdnd_cam_thanh=hdnd_cam_thanh,
        tram_y_te=tram_y_te,
        ttyt_huyen=ttyt_huyen,
        ubnd_tinh=ubnd_tinh,
        khong_co=khong_co,
        ubnd_khong_co=ubnd_khong_co,
        cam_ngoc_pages=cam_ngoc_pages,
        cam_thanh_page=cam_thanh_page,
        vhtt_page=vhtt_page,
        staff_cam_thanh=factories.staff_of(t.ubnd_cam_thanh),
        officer_huyen=factories.officer_of(t.cam_thuy),
        officer_tinh=factories.officer_of(t.thanh_hoa),
        officer_cam_ngoc=factories.officer_of(t.cam_ngoc),
        report=report,
    )


def command(*args: str, **options: Any) -> str:
    out = io.StringIO()
    call_command("apply_reorganisation", "--table", "test-table", *args, stdout=out, **options)
    return out.getvalue()


def decisions(path: Path) -> Path:
    path.write_text(
        "old_commune_code,body_id,action,target_code,target_level,old_commune_name,candidates\n"
        "15001,,,15000,,Xã Cẩm Thành,\n"
        "15555,,archive,,,Xã Không Có,\n",
        encoding="utf-8",
    )
    return path


def new_unit(level: str, code: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(level__code=level, code=code, valid_from=REFORM)


def snapshot() -> dict[str, Any]:
    return {
        "units": list(AdministrativeUnit.objects.order_by("pk").values()),
        "bodies": list(Body.objects.order_by("pk").values()),
        "pages": list(SocialPage.objects.order_by("pk").values("pk", "body_id", "state")),
        "roles": list(RoleAssignment.objects.order_by("pk").values()),
        "history": (
            AdministrativeUnit.history.count(),
            Body.history.count(),
            SocialPage.history.count(),
        ),
    }


def test_the_dry_run_lists_what_needs_a_choice_and_changes_nothing(world: World) -> None:
    # Given the three-tier world
    before = snapshot()

    # When the table is dry-run
    out = command("--dry-run")

    # Then the split commune and the commune in no row are listed as needing a choice
    assert "2 old communes need a choice" in out
    assert "15001 Xã Cẩm Thành" in out
    assert "15555 Xã Không Có" in out
    # and the unmatched rows are reported by code and name
    assert "unmatched (entries_with_unknown_old_code): 99999" in out
    assert "unmatched (new_communes_not_targeted): 15999 Xã Không Ai Tới" in out
    assert "unmatched (old_communes_without_entry): 15555 Xã Không Có" in out
    # and nothing changed in the registry (the two-tier import was rolled back too)
    assert snapshot() == before
    assert not AdministrativeUnit.objects.filter(valid_from=REFORM).exists()
    # and a draft plan keeps the summary, for review in the admin
    plan = ReorganisationPlan.objects.get()
    assert plan.status == PlanStatus.DRAFT
    assert [row["old_code"] for row in plan.needs_choice] == ["15001", "15555"]
    assert plan.summary["body:move"] >= 3
    # and the report lists the page, role and open report touched
    report = (world_dir := Path.cwd() / f"reorganisation-{plan.pk}.csv").read_text("utf-8")
    assert world_dir.exists()
    assert f"page,with body,{world.cam_ngoc_pages[0].pk}," in report
    assert "open_report,unchanged" in report
    assert f"role,flag,{RoleAssignment.objects.get(user=world.officer_huyen).pk}," in report
    assert (Path.cwd() / f"decisions-template-{plan.pk}.csv").read_text("utf-8").count("\n") == 3


def test_applying_without_the_choices_is_refused(world: World) -> None:
    before = snapshot()

    with pytest.raises(CommandError, match="2 old communes need a choice"):
        command()

    assert snapshot() == before


def test_applying_with_decisions_carries_the_registry_over(world: World, files: Path) -> None:
    t = world.tree
    report_before = UnitReport.objects.filter(pk=world.report.pk).values().get()

    # When the table is applied with the choices
    out = command("--decisions", str(decisions(files / "choices.csv")))
    assert "Applied" in out

    # Then the two-tier units exist from 01/07/2025
    cam_thuy_moi = new_unit("commune", "15000")
    thanh_hoa_moi = new_unit("province", "38")
    # and the old units are closed on 30/06/2025, with their successor where there is one
    for unit in (t.cam_ngoc, t.cam_thanh, t.cam_thuy, t.thanh_hoa, t.dien_lu):
        unit.refresh_from_db()
        assert unit.valid_until == LAST_DAY
    assert t.cam_ngoc.succeeded_by_id == cam_thuy_moi.pk
    assert t.thanh_hoa.succeeded_by_id == thanh_hoa_moi.pk
    assert t.cam_thuy.succeeded_by_id is None  # a district is dissolved
    assert t.cam_thanh.succeeded_by_id is None  # split: no single successor

    # and the three People's Committees … two of them (Cẩm Ngọc, Cẩm Thành) merge into one:
    # the one with most pages survives, named after the new commune
    survivor = Body.objects.get(pk=t.ubnd_cam_ngoc.pk)
    assert (survivor.unit_id, survivor.name, survivor.archived_at) == (
        cam_thuy_moi.pk,
        "UBND Xã Cẩm Thủy",
        None,
    )
    merged = Body.objects.get(pk=t.ubnd_cam_thanh.pk)
    assert merged.archived_at is not None
    assert merged.merged_into_id == survivor.pk
    assert merged.unit_id == t.cam_thanh.pk  # it stays where it was, archived
    # and its page, with its page contact, went to the survivor, with history
    moved_page = SocialPage.objects.get(pk=world.cam_thanh_page.pk)
    assert (moved_page.body_id, moved_page.state) == (survivor.pk, PageState.APPROVED)
    assert ContactPerson.objects.get(page=moved_page).body_id == survivor.pk
    # recorded as of the day the change took effect, not the day it was entered
    transfer = moved_page.history.get(history_change_reason__startswith="reorganisation")
    assert transfer.body_id == survivor.pk
    assert transfer.history_date == effective_moment(date(2025, 7, 1))
    step = PageReview.objects.filter(page=moved_page).latest("pk")
    assert "UBND Xã Cẩm Thành" in step.note
    assert "UBND Xã Cẩm Thủy" in step.note
    # the survivor keeps its own default contact; the merged one's is archived with it
    defaults = ContactPerson.objects.filter(body=survivor, page__isnull=True)
    assert sorted((c.name, c.archived_at is None) for c in defaults) == [
        ("Bùi Thị Lan", True),
        ("Lê Văn Mặc Định", False),
    ]
    # and the rules follow, current since the survivor had none
    moved_rules = PostingRules.objects.get(body=survivor)
    assert (moved_rules.version, moved_rules.superseded_at) == (1, None)
    # the People's Councils merge the same way (no pages: the smallest old code survives)
    council = Body.objects.get(pk=world.hdnd_cam_thanh.pk)
    assert (council.name, council.unit_id) == ("HĐND Xã Cẩm Thủy", cam_thuy_moi.pk)
    assert Body.objects.get(pk=world.hdnd_cam_ngoc.pk).merged_into_id == council.pk
    # other commune bodies move, recorded as a transfer
    assert Body.objects.get(pk=world.tram_y_te.pk).unit_id == cam_thuy_moi.pk
    transfer = BodyTransfer.objects.get(body=world.tram_y_te)
    assert (transfer.from_unit_id, transfer.to_unit_id) == (t.cam_ngoc.pk, cam_thuy_moi.pk)
    assert transfer.reorganisation.successor_id == cam_thuy_moi.pk
    assert set(transfer.reorganisation.predecessors.all()) == {t.cam_ngoc, t.cam_thanh}
    # a district's health centre goes to the province; its culture office is archived,
    # with its page
    assert Body.objects.get(pk=world.ttyt_huyen.pk).unit_id == thanh_hoa_moi.pk
    assert Body.objects.get(pk=t.vhtt_cam_thuy.pk).archived_at is not None
    assert SocialPage.objects.get(pk=world.vhtt_page.pk).state == PageState.ARCHIVED
    # the commune archived by decision
    assert Body.objects.get(pk=world.ubnd_khong_co.pk).archived_at is not None
    # the province's committee moves to the new province
    assert Body.objects.get(pk=world.ubnd_tinh.pk).unit_id == thanh_hoa_moi.pk

    # and users: staff follow the survivor, officers the successor; the district's stays
    def anchors(user: Any) -> list[tuple[str, int | None, int | None]]:
        return list(
            RoleAssignment.objects.filter(user=user).values_list("role", "unit_id", "body_id")
        )

    assert anchors(world.staff_cam_thanh) == [(Role.BODY_STAFF, None, survivor.pk)]
    assert anchors(world.officer_cam_ngoc) == [(Role.UNIT_OFFICER, cam_thuy_moi.pk, None)]
    assert anchors(world.officer_tinh) == [(Role.PROVINCE_OFFICER, thanh_hoa_moi.pk, None)]
    assert anchors(world.officer_huyen) == [(Role.UNIT_OFFICER, t.cam_thuy.pk, None)]

    # and the earlier report is exactly as it was, on the old commune
    assert UnitReport.objects.filter(pk=world.report.pk).values().get() == report_before
    assert world.report.state == ReportState.DRAFT
    # and the plan is stored as applied
    plan = ReorganisationPlan.objects.get(status=PlanStatus.APPLIED)
    assert plan.reorganisations.count() == Reorganisation.objects.count()


def test_a_second_run_changes_nothing(world: World, files: Path) -> None:
    # Given the table applied
    choices = decisions(files / "choices.csv")
    command("--decisions", str(choices))
    before = snapshot()
    plans = ReorganisationPlan.objects.count()

    # When it is run again
    out = command("--decisions", str(choices))

    # Then nothing is written, not even a plan
    assert "Nothing to do" in out
    assert snapshot() == before
    assert ReorganisationPlan.objects.count() == plans


def test_a_superuser_reviews_the_plan_in_the_admin_and_applies_it(
    world: World, files: Path, client: Any
) -> None:
    # Given a dry run with the choices, stored as a draft
    command("--dry-run", "--decisions", str(decisions(files / "choices.csv")))
    plan = ReorganisationPlan.objects.get()
    assert plan.needs_choice == []
    admin = factories.UserFactory.create(is_staff=True, is_superuser=True)
    client.force_login(admin)

    # When the superuser opens it, downloads the report, and applies it
    listing = client.get("/admin/units/reorganisationplan/")
    detail = client.get(f"/admin/units/reorganisationplan/{plan.pk}/change/")
    report = client.get(f"/admin/units/reorganisationplan/{plan.pk}/report.csv")
    confirm = client.get(f"/admin/units/reorganisationplan/{plan.pk}/apply/")
    applied = client.post(f"/admin/units/reorganisationplan/{plan.pk}/apply/")

    # Then the plan is listed and shown with its summary and the apply button
    assert listing.status_code == 200
    assert detail.status_code == 200
    assert f"/admin/units/reorganisationplan/{plan.pk}/apply/" in detail.content.decode()
    assert "body:move" in detail.content.decode()
    assert report.status_code == 200
    assert f"body,move,{world.tram_y_te.pk}," in report.content.decode()
    assert confirm.status_code == 200
    # and applying it carries the registry over, as the command does
    assert applied.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.applied_by_id) == (PlanStatus.APPLIED, admin.pk)
    assert Body.objects.get(pk=world.tram_y_te.pk).unit_id == new_unit("commune", "15000").pk


def test_only_a_superuser_may_apply_a_plan(world: World, client: Any) -> None:
    command("--dry-run")
    plan = ReorganisationPlan.objects.get()
    staff = factories.UserFactory.create(is_staff=True)
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(Permission.objects.get(codename="view_reorganisationplan"))
    client.force_login(staff)

    assert client.get(f"/admin/units/reorganisationplan/{plan.pk}/change/").status_code == 200
    assert client.post(f"/admin/units/reorganisationplan/{plan.pk}/apply/").status_code == 403
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
