"""Who reviews a body's submissions and hears of its incidents: the nearest officers in force
at or above its unit, whichever level that is.

In the two-tier commune that is the commune's own Phòng Văn hóa - Xã hội (an officer
anchored on the commune); in three-tier history the district's office; else the province's
department.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from accounts_registry.models import PageState
from incidents import services as incidents
from incidents.models import IncidentState
from notifications.models import Notification
from tests import factories
from tests.accounts_registry import factories_pages as make
from tests.conftest import Tree
from tests.incidents.factories_incidents import incident
from units.models import AdministrativeUnit, Body
from users import scope
from users.models import User

pytestmark = pytest.mark.django_db


def _two_tier() -> tuple[AdministrativeUnit, AdministrativeUnit, AdministrativeUnit, Body, Body]:
    province = factories.province("Thanh Hóa", code="38", valid_from=date(2025, 7, 1))
    cam_thuy = factories.commune(province, "Xã Cẩm Thủy", code="15022", valid_from=date(2025, 7, 1))
    cam_tu = factories.commune(province, "Xã Cẩm Tú", code="15025", valid_from=date(2025, 7, 1))
    return (
        province,
        cam_thuy,
        cam_tu,
        factories.BodyFactory.create(unit=cam_thuy, name="Ủy ban nhân dân xã Cẩm Thủy"),
        factories.BodyFactory.create(unit=cam_tu, name="Ủy ban nhân dân xã Cẩm Tú"),
    )


def _notified() -> set[int]:
    return set(Notification.objects.values_list("user_id", flat=True))


def test_a_two_tier_commune_with_its_own_office_reviews_its_own_bodies() -> None:
    province, cam_thuy, cam_tu, _ubnd_cam_thuy, _ubnd_cam_tu = _two_tier()
    commune_office = factories.officer_of(cam_thuy)  # Phòng Văn hóa - Xã hội xã Cẩm Thủy
    province_officer = factories.officer_of(province)

    reviewers = scope.reviewers_of([cam_thuy, cam_tu])

    assert reviewers[cam_thuy.pk] == [commune_office]
    # A commune without an office of its own is reviewed by the province.
    assert reviewers[cam_tu.pk] == [province_officer]


def test_the_commune_office_may_review_its_bodies_pages_and_not_a_neighbours() -> None:
    _province, _cam_thuy, _cam_tu, ubnd_cam_thuy, ubnd_cam_tu = _two_tier()
    commune_office = factories.officer_of(ubnd_cam_thuy.unit)
    own = make.page(ubnd_cam_thuy, state=PageState.SUBMITTED)
    neighbour = make.page(ubnd_cam_tu, state=PageState.SUBMITTED)

    reviewable = scope.restrict(
        commune_office,
        own.__class__.objects.all(),
        unit_path="body__unit__path",
        body="body",
        action=scope.Action.REVIEW,
    )

    assert list(reviewable) == [own]
    assert neighbour not in reviewable


def test_a_submitted_page_is_announced_to_its_reviewers_only() -> None:
    province, cam_thuy, _cam_tu, ubnd_cam_thuy, _ubnd_cam_tu = _two_tier()
    commune_office = factories.officer_of(cam_thuy)
    province_officer = factories.officer_of(province)
    staff = factories.staff_of(ubnd_cam_thuy)

    page = make.page(ubnd_cam_thuy, state=PageState.SUBMITTED, by=staff)

    assert _notified() == {commune_office.pk}
    [notice] = Notification.objects.all()
    assert notice.link == f"/registry/pages/{page.pk}/"
    assert "Ủy ban nhân dân xã Cẩm Thủy" in notice.text
    assert province_officer.pk not in _notified()


def test_an_approved_or_returned_page_is_announced_to_the_bodys_staff() -> None:
    _province, cam_thuy, _cam_tu, ubnd_cam_thuy, _ubnd_cam_tu = _two_tier()
    commune_office = factories.officer_of(cam_thuy)
    staff = factories.staff_of(ubnd_cam_thuy)
    page = make.page(ubnd_cam_thuy, state=PageState.SUBMITTED, by=staff)
    Notification.objects.all().delete()

    from accounts_registry.services import pages

    pages.page_return(page=page, by=commune_office, note="Thiếu tên bộ phận quản lý.")

    assert _notified() == {staff.pk}


def test_an_incident_reaches_the_commune_office_and_the_province_once_escalated() -> None:
    province, cam_thuy, _cam_tu, ubnd_cam_thuy, _ubnd_cam_tu = _two_tier()
    commune_office = factories.officer_of(cam_thuy)
    province_officer = factories.officer_of(province)
    staff = factories.staff_of(ubnd_cam_thuy)

    item = incident(ubnd_cam_thuy, by=staff, officer=commune_office)
    assert _notified() == {staff.pk, commune_office.pk}

    incident(ubnd_cam_thuy, by=staff, state=IncidentState.UNDER_REVIEW, officer=commune_office)
    incidents.incident_transition(
        incident=item, to_state=IncidentState.UNDER_REVIEW, by=commune_office, note="Xem xét."
    )
    incidents.incident_transition(
        incident=item,
        to_state=IncidentState.ESCALATED_TO_PROVINCE,
        by=commune_office,
        note="Vượt thẩm quyền của xã.",
    )

    escalated = Notification.objects.filter(
        dedupe_key__contains=IncidentState.ESCALATED_TO_PROVINCE
    )
    assert set(escalated.values_list("user_id", flat=True)) == {
        staff.pk,
        commune_office.pk,
        province_officer.pk,
    }


def test_three_tier_history_is_reviewed_by_the_district_while_it_existed(tree: Tree) -> None:
    until = date(2025, 6, 30)
    AdministrativeUnit.objects.filter(
        pk__in=[tree.thanh_hoa.pk, tree.cam_thuy.pk, tree.cam_ngoc.pk]
    ).update(valid_until=until)
    tree.cam_ngoc.refresh_from_db()
    district_office = factories.officer_of(tree.cam_thuy)
    factories.officer_of(tree.thanh_hoa)

    assert scope.reviewers_of([tree.cam_ngoc], day=date(2024, 5, 1)) == {
        tree.cam_ngoc.pk: [district_office]
    }
    # Today the district and its province have ceased: nobody anchored there reviews.
    assert scope.reviewers_of([tree.cam_ngoc]) == {tree.cam_ngoc.pk: []}


def test_an_officer_of_a_ceased_unit_hands_over_to_the_next_level_in_force(tree: Tree) -> None:
    AdministrativeUnit.objects.filter(pk=tree.cam_thuy.pk).update(valid_until=date(2025, 6, 30))
    factories.officer_of(tree.cam_thuy)
    province_officer = factories.officer_of(tree.thanh_hoa)
    staff = factories.staff_of(tree.ubnd_cam_ngoc)

    incident(tree.ubnd_cam_ngoc, by=staff)

    assert _notified() == {staff.pk, province_officer.pk}


def test_inactive_users_are_not_reviewers(tree: Tree) -> None:
    factories.officer_of(tree.cam_thuy, is_active=False)
    province_officer = factories.officer_of(tree.thanh_hoa)

    assert scope.reviewers_of([tree.cam_ngoc])[tree.cam_ngoc.pk] == [province_officer]


def test_finding_the_reviewers_of_many_units_takes_one_query(
    tree: Tree, django_assert_num_queries: Any
) -> None:
    for unit in (tree.cam_thuy, tree.ba_thuoc, tree.tan_uyen, tree.thanh_hoa):
        factories.officer_of(unit)
    units = [tree.cam_ngoc, tree.cam_thanh, tree.dien_lu, tree.muong_khoa]

    with django_assert_num_queries(1):
        found = scope.reviewers_of(units)

    def anchors(unit: AdministrativeUnit) -> set[int]:
        return {user.role_assignments.get().unit_id for user in found[unit.pk]}  # type: ignore[misc]

    assert anchors(tree.cam_ngoc) == {tree.cam_thuy.pk}
    assert anchors(tree.dien_lu) == {tree.ba_thuoc.pk}
    assert anchors(tree.muong_khoa) == {tree.tan_uyen.pk}


def test_scope_acting_day_is_only_changed_inside_acting_on(tree: Tree) -> None:
    officer: User = factories.officer_of(tree.cam_thuy)
    AdministrativeUnit.objects.filter(pk=tree.cam_thuy.pk).update(valid_until=date(2025, 6, 30))

    with scope.acting_on(date(2025, 1, 1)):
        assert scope.units(officer, scope.Action.REVIEW).filter(pk=tree.cam_ngoc.pk).exists()
    assert not scope.units(officer, scope.Action.REVIEW).exists()
