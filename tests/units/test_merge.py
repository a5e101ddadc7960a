"""Reorganisations: merging units (bodies and children move, predecessors close) and renaming."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from tests import factories
from tests.conftest import Tree
from units.models import (
    AdministrativeUnit,
    Body,
    BodyTransfer,
    Reorganisation,
    ReorganisationKind,
)
from units.services import unit_merge, unit_rename
from users import scope

pytestmark = pytest.mark.django_db

MARCH_1 = date(2025, 3, 1)


def refreshed(*objects: Any) -> None:
    for obj in objects:
        obj.refresh_from_db()


def test_merging_two_communes_moves_the_bodies_and_records_each_transfer(tree: Tree) -> None:
    # Given
    admin = factories.admin_user()
    archived = factories.BodyFactory.create(
        unit=tree.cam_thanh, name="Ban cũ", archived_at=timezone.now()
    )

    # When Cẩm Thành is merged into Cẩm Ngọc
    reorganisation = unit_merge(
        predecessors=[tree.cam_thanh],
        successor=tree.cam_ngoc,
        effective_on=MARCH_1,
        legal_basis="Nghị quyết 1286/NQ-UBTVQH15",
        by=admin,
    )

    # Then the body now belongs to Cẩm Ngọc, and the move is on record
    refreshed(tree.ubnd_cam_thanh, tree.cam_thanh, archived)
    assert tree.ubnd_cam_thanh.unit == tree.cam_ngoc
    transfer = BodyTransfer.objects.get()
    assert (transfer.reorganisation, transfer.body, transfer.from_unit, transfer.to_unit) == (
        reorganisation,
        tree.ubnd_cam_thanh,
        tree.cam_thanh,
        tree.cam_ngoc,
    )
    latest = tree.ubnd_cam_thanh.history.latest()
    assert (latest.unit_id, latest.history_user) == (tree.cam_ngoc.pk, admin)
    # An archived body is history: it stays where it was.
    assert archived.unit == tree.cam_thanh
    # The reorganisation is recorded, the predecessor closed the day before, not deleted
    assert reorganisation.kind == ReorganisationKind.MERGE
    assert list(reorganisation.predecessors.all()) == [tree.cam_thanh]
    assert (tree.cam_thanh.valid_until, tree.cam_thanh.succeeded_by) == (
        date(2025, 2, 28),
        tree.cam_ngoc,
    )
    assert tree.cam_thanh.history.latest().history_user == admin
    # What was recorded before still points at the predecessor
    first = tree.ubnd_cam_thanh.history.earliest()
    assert first.unit_id == tree.cam_thanh.pk


def test_merging_districts_moves_their_communes_into_the_successor_scope(tree: Tree) -> None:
    # Given the culture office officer of Bá Thước
    officer = factories.officer_of(tree.ba_thuoc)

    # When Cẩm Thủy is merged into Bá Thước
    unit_merge(predecessors=[tree.cam_thuy], successor=tree.ba_thuoc, effective_on=MARCH_1)

    # Then Cẩm Thủy's communes sit under Bá Thước, paths and all
    refreshed(tree.cam_ngoc, tree.cam_thanh, tree.vhtt_cam_thuy)
    for commune in (tree.cam_ngoc, tree.cam_thanh):
        assert commune.parent == tree.ba_thuoc
        assert commune.path == f"{tree.ba_thuoc.path}{commune.pk:08d}."
        assert commune.depth == 3
    # and the officer sees them, their bodies, and the district's own moved office
    visible = set(scope.units(officer))
    assert {tree.cam_ngoc, tree.cam_thanh, tree.dien_lu} <= visible
    assert tree.cam_thuy not in visible
    assert {tree.ubnd_cam_ngoc, tree.ubnd_cam_thanh, tree.vhtt_cam_thuy} <= set(
        scope.bodies(officer)
    )
    assert tree.vhtt_cam_thuy.unit == tree.ba_thuoc


def test_the_old_district_officer_keeps_the_past_but_no_longer_oversees_moved_communes(
    tree: Tree,
) -> None:
    # Given the officer of Cẩm Thủy, and the staff of Cẩm Ngọc's People's Committee
    old_officer = factories.officer_of(tree.cam_thuy)
    staff = factories.staff_of(tree.ubnd_cam_ngoc)

    # When Cẩm Thủy is merged into Bá Thước
    unit_merge(predecessors=[tree.cam_thuy], successor=tree.ba_thuoc, effective_on=MARCH_1)

    # Then the officer still sees the closed district (and so what was filed for it),
    # but not the communes that moved: an administrator has to assign them anew.
    assert list(scope.units(old_officer)) == [tree.cam_thuy]
    assert not scope.bodies(old_officer).exists()
    # The staff of a moved body carry on: their role is on the body, not the unit.
    assert scope.can(staff, scope.Action.EDIT, tree.ubnd_cam_ngoc)
    assert tree.cam_ngoc in set(scope.units(staff))


def test_children_closed_before_the_merge_stay_with_the_predecessor(tree: Tree) -> None:
    # Given a commune of Cẩm Thủy that ceased to exist last year
    gone = factories.commune(
        tree.cam_thuy, "Xã Đã Giải Thể", code="15999", valid_until=date(2024, 12, 31)
    )
    old_path = gone.path

    # When
    unit_merge(predecessors=[tree.cam_thuy], successor=tree.ba_thuoc, effective_on=MARCH_1)

    # Then it stays where it was in its own time
    refreshed(gone)
    assert (gone.parent, gone.path) == (tree.cam_thuy, old_path)


def test_merging_several_units_at_once_moves_everything_in_a_bounded_number_of_queries(
    tree: Tree, django_assert_max_num_queries: Any
) -> None:
    # Given a third commune with many bodies
    extra = factories.commune(tree.cam_thuy, "Xã Cẩm Bình", code="15020")
    for n in range(30):
        factories.BodyFactory.create(unit=extra, name=f"Ban công tác {n}")

    # When two communes are merged into Cẩm Ngọc
    with django_assert_max_num_queries(20):
        unit_merge(
            predecessors=[tree.cam_thanh, extra], successor=tree.cam_ngoc, effective_on=MARCH_1
        )

    # Then
    assert Body.objects.filter(unit=tree.cam_ngoc).count() == 32
    assert BodyTransfer.objects.count() == 31
    assert set(AdministrativeUnit.objects.filter(succeeded_by=tree.cam_ngoc)) == {
        tree.cam_thanh,
        extra,
    }


def test_the_switch_from_three_to_two_tiers_can_be_recorded_as_merges(tree: Tree) -> None:
    # Given a three-tier commune that ends on 30/06/2025, and its two-tier successor
    tree.cam_ngoc.valid_until = date(2025, 6, 30)
    tree.cam_ngoc.save()
    new_commune = factories.commune(
        tree.thanh_hoa, "Xã Cẩm Thạch", code="15169", valid_from=date(2025, 7, 1)
    )

    # When the 01/07/2025 reform is recorded
    unit_merge(predecessors=[tree.cam_ngoc], successor=new_commune, effective_on=date(2025, 7, 1))

    # Then
    refreshed(tree.cam_ngoc, tree.ubnd_cam_ngoc)
    assert (tree.cam_ngoc.valid_until, tree.cam_ngoc.succeeded_by) == (
        date(2025, 6, 30),
        new_commune,
    )
    assert tree.ubnd_cam_ngoc.unit == new_commune


def illegal(tree: Tree, case: str) -> dict[str, Any]:
    """Arguments of a merge that must be refused."""
    if case == "into itself":
        return {"predecessors": [tree.cam_ngoc], "successor": tree.cam_ngoc}
    if case == "listed twice":
        return {"predecessors": [tree.cam_thanh, tree.cam_thanh], "successor": tree.cam_ngoc}
    if case == "nothing to merge":
        return {"predecessors": [], "successor": tree.cam_ngoc}
    if case == "another level":
        return {"predecessors": [tree.cam_thanh], "successor": tree.ba_thuoc}
    if case == "own ancestor":
        return {"predecessors": [tree.cam_thuy], "successor": tree.cam_ngoc}
    if case == "predecessor already closed":
        tree.cam_thanh.valid_until = date(2024, 12, 31)
        tree.cam_thanh.save()
        return {"predecessors": [tree.cam_thanh], "successor": tree.cam_ngoc}
    if case == "successor not yet in force":
        tree.cam_ngoc.valid_from = date(2025, 7, 1)
        tree.cam_ngoc.save()
        return {"predecessors": [tree.cam_thanh], "successor": tree.cam_ngoc}
    if case == "predecessor starts that day":
        tree.cam_thanh.valid_from = MARCH_1
        tree.cam_thanh.save()
        return {"predecessors": [tree.cam_thanh], "successor": tree.cam_ngoc}
    if case == "two bodies of one name":
        factories.BodyFactory.create(unit=tree.cam_thanh, name="Hội Nông dân")
        factories.BodyFactory.create(unit=tree.cam_ngoc, name="Hội Nông dân")
        return {"predecessors": [tree.cam_thanh], "successor": tree.cam_ngoc}
    raise AssertionError(case)


ILLEGAL = {
    "into itself": "Xã Cẩm Ngọc cannot be merged into itself.",
    "listed twice": "A unit is listed twice.",
    "nothing to merge": "Choose at least one unit to merge.",
    "another level": "Xã Cẩm Thành is not of the same level as Huyện Bá Thước.",
    "own ancestor": "Huyện Cẩm Thủy and Xã Cẩm Ngọc are in the same branch of the hierarchy.",
    "predecessor already closed": "Xã Cẩm Thành cannot be merged on 01/03/2025: it is not in force the day before",
    "successor not yet in force": "Xã Cẩm Ngọc is not in force on 01/03/2025.",
    "predecessor starts that day": "Xã Cẩm Thành cannot be merged on 01/03/2025: it is not in force the day before",
    "two bodies of one name": "Xã Cẩm Ngọc would hold two bodies with the same name: Hội Nông dân.",
}


@pytest.mark.parametrize("case", list(ILLEGAL), ids=list(ILLEGAL))
def test_an_illegal_merge_is_refused_with_the_reason_and_changes_nothing(
    tree: Tree, case: str
) -> None:
    # Given
    arguments = illegal(tree, case)
    before = list(AdministrativeUnit.objects.values_list("pk", "parent", "path", "valid_until"))

    # When / Then
    with pytest.raises(ValidationError) as excinfo, translation.override("en"):
        unit_merge(effective_on=MARCH_1, **arguments)
    with translation.override("en"):
        assert ILLEGAL[case] in " ".join(excinfo.value.messages)
    assert not Reorganisation.objects.exists()
    assert not BodyTransfer.objects.exists()
    assert (
        list(AdministrativeUnit.objects.values_list("pk", "parent", "path", "valid_until"))
        == before
    )
    assert Body.objects.get(pk=tree.ubnd_cam_thanh.pk).unit == tree.cam_thanh


def test_merging_a_unit_twice_is_refused(tree: Tree) -> None:
    # Given a merge already done
    unit_merge(predecessors=[tree.cam_thanh], successor=tree.cam_ngoc, effective_on=MARCH_1)

    # When / Then
    with pytest.raises(ValidationError):
        unit_merge(predecessors=[tree.cam_thanh], successor=tree.cam_ngoc, effective_on=MARCH_1)
    assert Reorganisation.objects.count() == 1


def test_renaming_keeps_the_unit_its_bodies_and_the_old_name_in_history(tree: Tree) -> None:
    # Given
    officer = factories.officer_of(tree.cam_thuy)

    # When Huyện Cẩm Thủy becomes Thị xã Cẩm Thủy
    reorganisation = unit_rename(
        unit=tree.cam_thuy, name="Thị xã  Cẩm Thủy", unit_type="thi_xa", effective_on=MARCH_1
    )

    # Then the same unit carries the new name; the old one is in its history and the record
    refreshed(tree.cam_thuy)
    assert (tree.cam_thuy.name, tree.cam_thuy.search_name, tree.cam_thuy.unit_type) == (
        "Thị xã Cẩm Thủy",
        "thi xa cam thuy",
        "thi_xa",
    )
    assert tree.cam_thuy.history.earliest().name == "Huyện Cẩm Thủy"
    assert reorganisation.kind == ReorganisationKind.RENAME
    assert reorganisation.note == "Huyện Cẩm Thủy → Thị xã Cẩm Thủy"
    assert list(reorganisation.predecessors.all()) == [tree.cam_thuy]
    # Nothing moved, so the officer's scope is whole
    assert {tree.cam_thuy, tree.cam_ngoc, tree.cam_thanh} <= set(scope.units(officer))


def test_renaming_to_the_same_name_is_refused(tree: Tree) -> None:
    with pytest.raises(ValidationError):
        unit_rename(unit=tree.cam_thuy, name="Huyện  Cẩm Thủy", effective_on=MARCH_1)


def test_merging_provinces_rewrites_the_paths_of_whole_subtrees_below(tree: Tree) -> None:
    # Given the provincial department officer of Thanh Hóa
    officer = factories.officer_of(tree.thanh_hoa)

    # When Lai Châu is merged into Thanh Hóa
    unit_merge(predecessors=[tree.lai_chau], successor=tree.thanh_hoa, effective_on=MARCH_1)

    # Then the district and its commune below sit under Thanh Hóa, at the same depths
    refreshed(tree.tan_uyen, tree.muong_khoa)
    assert tree.tan_uyen.path == f"{tree.thanh_hoa.path}{tree.tan_uyen.pk:08d}."
    assert tree.muong_khoa.path == f"{tree.tan_uyen.path}{tree.muong_khoa.pk:08d}."
    assert (tree.tan_uyen.depth, tree.muong_khoa.depth) == (2, 3)
    assert tree.muong_khoa.parent == tree.tan_uyen
    assert tree.ubnd_muong_khoa in set(scope.bodies(officer))
    assert list(AdministrativeUnit.objects.subtree_of(tree.lai_chau)) == [tree.lai_chau]
