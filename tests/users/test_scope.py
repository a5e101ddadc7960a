"""The scoping module: who sees and changes which units and bodies."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404

from tests import factories
from tests.conftest import Tree
from users import scope
from users.scope import Action


def test_commune_staff_sees_only_their_own_body(tree: Tree) -> None:
    user = factories.staff_of(tree.ubnd_cam_ngoc)

    assert list(scope.bodies(user)) == [tree.ubnd_cam_ngoc]
    assert list(scope.bodies(user, Action.EDIT)) == [tree.ubnd_cam_ngoc]
    assert list(scope.bodies(user, Action.REVIEW)) == []


def test_commune_staff_cannot_fetch_another_communes_body(tree: Tree) -> None:
    user = factories.staff_of(tree.ubnd_cam_ngoc)

    with pytest.raises(Http404):
        scope.get_body_or_404(user, tree.ubnd_cam_thanh.pk)


def test_district_officer_sees_the_district_subtree_only(tree: Tree) -> None:
    officer = factories.officer_of(tree.cam_thuy)

    assert set(scope.units(officer)) == {tree.cam_thuy, tree.cam_ngoc, tree.cam_thanh}
    assert set(scope.bodies(officer, Action.REVIEW)) == {
        tree.ubnd_cam_ngoc,
        tree.ubnd_cam_thanh,
        tree.vhtt_cam_thuy,
    }
    assert list(scope.bodies(officer, Action.EDIT)) == []


def test_province_officer_sees_the_whole_province_and_nothing_else(tree: Tree) -> None:
    officer = factories.officer_of(tree.thanh_hoa)

    units = set(scope.units(officer))
    assert tree.dien_lu in units
    assert tree.cam_ngoc in units
    assert tree.lai_chau not in units
    assert tree.muong_khoa not in units


def test_a_user_with_several_roles_sees_the_union(tree: Tree) -> None:
    user = factories.officer_of(tree.tan_uyen)
    factories.RoleAssignment.objects.create(user=user, role="body_staff", body=tree.ubnd_cam_ngoc)

    assert set(scope.bodies(user)) == {tree.ubnd_cam_ngoc, tree.ubnd_muong_khoa}


def test_system_admin_sees_everything(tree: Tree) -> None:
    admin = factories.admin_user()

    assert scope.bodies(admin).count() == 5
    assert scope.bodies(admin, Action.EDIT).count() == 5


def test_user_without_roles_sees_nothing(tree: Tree) -> None:
    user = factories.UserFactory.create()

    assert not scope.units(user).exists()
    assert not scope.bodies(user).exists()


def test_grants_are_read_with_one_query(tree: Tree, django_assert_num_queries: Any) -> None:
    officer = factories.officer_of(tree.thanh_hoa)

    with django_assert_num_queries(3):  # grants once, then one query per list
        list(scope.units(officer))
        list(scope.bodies(officer))
    with django_assert_num_queries(1):
        list(scope.bodies(officer))


def test_staff_see_the_unit_of_their_body_but_not_its_siblings(tree: Tree) -> None:
    user = factories.staff_of(tree.ubnd_cam_ngoc)

    assert list(scope.units(user)) == [tree.cam_ngoc]
    assert list(scope.units(user, Action.REVIEW)) == []


def test_officer_of_a_district_cannot_reach_a_unit_outside_by_id(tree: Tree) -> None:
    officer = factories.officer_of(tree.cam_thuy)

    with pytest.raises(Http404):
        scope.get_unit_or_404(officer, tree.dien_lu.pk)
    with pytest.raises(Http404):
        scope.get_unit_or_404(officer, "not-a-number")


def test_restrict_applies_to_any_model_that_reaches_a_unit(tree: Tree) -> None:
    from users.models import RoleAssignment

    officer = factories.officer_of(tree.cam_thuy)
    inside = factories.staff_of(tree.ubnd_cam_ngoc)
    factories.staff_of(tree.ubnd_muong_khoa)

    visible = scope.restrict(
        officer,
        RoleAssignment.objects.filter(role="body_staff"),
        unit_path="body__unit__path",
        body="body",
    )

    assert [a.user for a in visible] == [inside]


def test_inactive_user_sees_nothing(tree: Tree) -> None:
    officer = factories.officer_of(tree.thanh_hoa, is_active=False)

    assert not scope.units(officer).exists()
