"""Dates in the life of a letter: nothing that has ceased may issue, receive or answer.

The tree of ``tests/conftest.py`` is made three-tier history here (in force until
30/06/2025) and a two-tier Thanh Hóa is added beside it (in force from 01/07/2025), as the
reorganisation of 01/07/2025 leaves the database. "Today" is the real today, after both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import override
from rest_framework.test import APIClient

from directives import selectors, services
from directives.forms import DirectiveForm
from directives.models import Directive, DirectiveState, Receipt
from notifications.models import Notification
from tests import factories
from tests.api.auth import token_for
from tests.conftest import Tree
from tests.directives.conftest import draft
from units.models import AdministrativeUnit, Body, UnitLevel
from users import scope
from users.models import User

pytestmark = pytest.mark.django_db

LAST_DAY = date(2025, 6, 30)  # the three-tier hierarchy's last day in force
FIRST_DAY = date(2025, 7, 1)


@dataclass
class Reform:
    tree: Tree
    ubnd_thanh_hoa_old: Body
    ubnd_cam_thuy: Body  # the abolished district's People's Committee
    thanh_hoa: AdministrativeUnit  # the two-tier province
    cam_thuy: AdministrativeUnit  # the new commune that absorbed Cẩm Ngọc and Phong Sơn
    cam_tu: AdministrativeUnit
    ubnd_thanh_hoa: Body
    ubnd_xa_cam_thuy: Body
    ubnd_cam_tu: Body
    commune_level: UnitLevel
    old_province_officer: User
    district_officer: User  # anchored on the abolished district
    commune_staff_old: User  # staff of the abolished commune Cẩm Ngọc
    province_officer: User  # anchored on the two-tier province


@pytest.fixture
def reform(tree: Tree) -> Reform:
    AdministrativeUnit.objects.filter(pk__in=[u.pk for u in _tree_units(tree)]).update(
        valid_until=LAST_DAY
    )
    for unit in _tree_units(tree):
        unit.refresh_from_db()

    def ubnd(unit: AdministrativeUnit, name: str) -> Body:
        return factories.BodyFactory.create(unit=unit, name=name, kind="peoples_committee")

    thanh_hoa = factories.province("Thanh Hóa", code="38", valid_from=FIRST_DAY)
    cam_thuy = factories.commune(thanh_hoa, "Xã Cẩm Thủy", code="15022", valid_from=FIRST_DAY)
    cam_tu = factories.commune(thanh_hoa, "Xã Cẩm Tú", code="15025", valid_from=FIRST_DAY)
    return Reform(
        tree=tree,
        ubnd_thanh_hoa_old=ubnd(tree.thanh_hoa, "Ủy ban nhân dân tỉnh Thanh Hóa (cũ)"),
        ubnd_cam_thuy=ubnd(tree.cam_thuy, "Ủy ban nhân dân huyện Cẩm Thủy"),
        thanh_hoa=thanh_hoa,
        cam_thuy=cam_thuy,
        cam_tu=cam_tu,
        ubnd_thanh_hoa=ubnd(thanh_hoa, "Ủy ban nhân dân tỉnh Thanh Hóa"),
        ubnd_xa_cam_thuy=ubnd(cam_thuy, "Ủy ban nhân dân xã Cẩm Thủy"),
        ubnd_cam_tu=ubnd(cam_tu, "Ủy ban nhân dân xã Cẩm Tú"),
        commune_level=UnitLevel.objects.get(code="commune"),
        old_province_officer=factories.officer_of(tree.thanh_hoa),
        district_officer=factories.officer_of(tree.cam_thuy),
        commune_staff_old=factories.staff_of(tree.ubnd_cam_ngoc),
        province_officer=factories.officer_of(thanh_hoa),
    )


def _tree_units(tree: Tree) -> list[AdministrativeUnit]:
    return [
        tree.thanh_hoa,
        tree.cam_thuy,
        tree.cam_ngoc,
        tree.cam_thanh,
        tree.ba_thuoc,
        tree.dien_lu,
    ]


def _errors(exc: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return " ".join(exc.value.message_dict[field])


def _to_communes(reform: Reform) -> services.Recipients:
    return services.Recipients(
        groups=[services.RecipientGroup(reform.thanh_hoa, reform.commune_level)]
    )


# --- Issuing ---------------------------------------------------------------------------------


def test_an_abolished_district_cannot_issue_a_letter_today(reform: Reform) -> None:
    with pytest.raises(ValidationError) as exc, override("vi"):
        draft(
            reform.ubnd_cam_thuy,
            None,  # type: ignore[arg-type]
            recipients=services.Recipients(units=[reform.tree.cam_ngoc]),
            deadline=None,
        )

    message = _errors(exc, "issued_on")
    assert "Huyện Cẩm Thủy" in message
    assert "30/06/2025" in message
    assert timezone.localdate().strftime("%d/%m/%Y") in message
    assert not Directive.objects.exists()


def test_a_letter_of_the_district_dated_while_it_existed_is_history_and_is_issued(
    reform: Reform,
) -> None:
    letter = draft(
        reform.ubnd_cam_thuy,
        None,  # type: ignore[arg-type]
        recipients=services.Recipients(units=[reform.tree.cam_ngoc, reform.tree.cam_thanh]),
        issued_on=date(2024, 4, 24),
    )

    issued = services.directive_issue(letter, by=None)

    assert issued.state == DirectiveState.ISSUED
    assert issued.issued_on == date(2024, 4, 24)
    assert issued.receipts.count() == 2


def test_a_letter_dated_before_its_issuer_existed_is_refused(reform: Reform) -> None:
    with pytest.raises(ValidationError) as exc, override("vi"):
        draft(
            reform.ubnd_thanh_hoa,
            None,  # type: ignore[arg-type]
            recipients=_to_communes(reform),
            issued_on=date(2025, 6, 20),
            deadline=None,
        )

    message = _errors(exc, "issued_on")
    assert "01/07/2025" in message
    assert "20/06/2025" in message


def test_a_draft_dated_later_outside_the_issuers_life_is_refused_at_issue(
    reform: Reform,
) -> None:
    letter = draft(
        reform.ubnd_cam_thuy,
        None,  # type: ignore[arg-type]
        recipients=services.Recipients(units=[reform.tree.cam_ngoc]),
        issued_on=date(2025, 6, 1),
        deadline=None,
    )
    Directive.objects.filter(pk=letter.pk).update(issued_on=None)

    with pytest.raises(ValidationError) as exc:
        services.directive_issue(letter, by=None, today=date(2025, 7, 2))

    assert "30/06/2025" in _errors(exc, "issued_on")
    letter.refresh_from_db()
    assert letter.state == DirectiveState.DRAFT
    assert not Receipt.objects.filter(delivered_at__isnull=False).exists()


def test_an_archived_body_cannot_issue(reform: Reform) -> None:
    Body.objects.filter(pk=reform.ubnd_thanh_hoa.pk).update(
        archived_at=timezone.now() - timedelta(days=3)
    )
    reform.ubnd_thanh_hoa.refresh_from_db()

    with pytest.raises(ValidationError) as exc:
        draft(
            reform.ubnd_thanh_hoa,
            None,  # type: ignore[arg-type]
            recipients=_to_communes(reform),
            deadline=None,
        )

    assert reform.ubnd_thanh_hoa.name in _errors(exc, "issued_on")


# --- Recipients -------------------------------------------------------------------------------


def test_a_group_reaches_only_the_communes_in_force_on_the_letters_date(reform: Reform) -> None:
    # A commune of the new province that has since been merged away.
    merged_away = factories.commune(
        reform.thanh_hoa, "Xã Cẩm Liên", code="15031", valid_from=FIRST_DAY
    )
    AdministrativeUnit.objects.filter(pk=merged_away.pk).update(valid_until=date(2025, 12, 31))

    letter = draft(
        reform.ubnd_thanh_hoa,
        reform.province_officer,
        recipients=_to_communes(reform),
        deadline=None,
    )

    assert set(letter.receipts.values_list("unit_id", flat=True)) == {
        reform.cam_thuy.pk,
        reform.cam_tu.pk,
    }


def test_a_draft_addressed_to_a_commune_merged_away_is_refused_naming_it(reform: Reform) -> None:
    old_commune = factories.commune(
        reform.thanh_hoa, "Xã Cẩm Liên", code="15031", valid_from=FIRST_DAY
    )
    AdministrativeUnit.objects.filter(pk=old_commune.pk).update(valid_until=date(2025, 12, 31))

    with pytest.raises(ValidationError) as exc, override("vi"):
        draft(
            reform.ubnd_thanh_hoa,
            reform.province_officer,
            recipients=services.Recipients(units=[reform.cam_thuy, old_commune]),
            deadline=None,
        )

    message = _errors(exc, "recipients")
    assert "Xã Cẩm Liên" in message
    assert "Xã Cẩm Thủy" not in message


def test_a_recipient_that_ceased_before_the_issue_is_refused_at_issue_naming_it(
    reform: Reform,
) -> None:
    letter = draft(
        reform.ubnd_thanh_hoa,
        reform.province_officer,
        recipients=services.Recipients(
            units=[reform.cam_thuy], bodies=[reform.ubnd_cam_tu], groups=()
        ),
        deadline=None,
    )
    yesterday = timezone.localdate() - timedelta(days=1)
    AdministrativeUnit.objects.filter(pk=reform.cam_tu.pk).update(valid_until=yesterday)

    with pytest.raises(ValidationError) as exc, override("vi"):
        services.directive_issue(letter, by=reform.province_officer)

    message = _errors(exc, "recipients")
    assert "Ủy ban nhân dân xã Cẩm Tú" in message
    assert "Xã Cẩm Thủy" not in message
    letter.refresh_from_db()
    assert letter.state == DirectiveState.DRAFT
    assert not Notification.objects.exists()


def test_the_form_offers_only_units_and_bodies_in_force_today(reform: Reform) -> None:
    closed = factories.commune(reform.thanh_hoa, "Xã Cẩm Liên", code="15031", valid_from=FIRST_DAY)
    AdministrativeUnit.objects.filter(pk=closed.pk).update(valid_until=date(2025, 12, 31))
    factories.BodyFactory.create(unit=closed, name="Ủy ban nhân dân xã Cẩm Liên")
    factories.BodyFactory.create(
        unit=reform.cam_tu, name="Hội Nông dân xã Cẩm Tú", archived_at=timezone.now()
    )

    form = DirectiveForm(issuer=reform.ubnd_thanh_hoa, user=reform.province_officer)

    units = [option.label for group in form.unit_groups() for option in group.options]
    bodies = [option.label for group in form.body_groups() for option in group.options]
    assert units == ["Xã Cẩm Thủy", "Xã Cẩm Tú"]
    assert bodies == ["Ủy ban nhân dân xã Cẩm Thủy", "Ủy ban nhân dân xã Cẩm Tú"]
    [group] = form.group_options()
    assert group.hint.startswith("2 ")


# --- Who may act ------------------------------------------------------------------------------


def _history_letter(reform: Reform) -> Directive:
    """A letter of 2024 from the old province to the district and to Cẩm Ngọc's committee."""
    letter = draft(
        reform.ubnd_thanh_hoa_old,
        reform.old_province_officer,
        recipients=services.Recipients(
            units=[reform.tree.cam_thuy], bodies=[reform.tree.ubnd_cam_ngoc]
        ),
        issued_on=date(2024, 4, 20),
    )
    return services.directive_issue(letter, by=None)


def test_users_anchored_on_ceased_units_see_their_past_but_cannot_act(reform: Reform) -> None:
    letter = _history_letter(reform)
    officer, staff = reform.district_officer, reform.commune_staff_old

    # They still read what they received then
    assert selectors.directives_for(officer).filter(pk=letter.pk).exists()
    assert selectors.directives_for(staff).filter(pk=letter.pk).exists()
    assert scope.units(officer).filter(pk=reform.tree.cam_ngoc.pk).exists()
    # but issue, receive, review and edit nothing any more
    assert not scope.issuing_bodies(officer).exists()
    assert not scope.issuing_bodies(staff).exists()
    assert not selectors.inbox_for(officer).exists()
    assert not selectors.inbox_for(staff).exists()
    assert not scope.units(officer, scope.Action.REVIEW).exists()
    assert not scope.bodies(staff, scope.Action.EDIT).exists()
    assert scope.grants_for(officer).has_ceased_anchors
    # while the officer of the province in force acts
    assert list(scope.issuing_bodies(reform.province_officer)) == [reform.ubnd_thanh_hoa]


def test_a_role_assignment_is_in_force_while_its_anchor_is(reform: Reform) -> None:
    district = reform.district_officer.role_assignments.get()
    staff = reform.commune_staff_old.role_assignments.get()
    province = reform.province_officer.role_assignments.get()

    assert scope.assignment_in_force(district, date(2025, 6, 30))
    assert not scope.assignment_in_force(district)
    assert scope.assignment_in_force(staff, date(2024, 1, 1))
    assert not scope.assignment_in_force(staff)
    assert scope.assignment_in_force(province)
    assert not scope.assignment_in_force(province, date(2025, 6, 30))


def test_nobody_may_answer_for_a_recipient_that_has_ceased(reform: Reform) -> None:
    letter = _history_letter(reform)
    district_receipt = letter.receipts.get(body__isnull=True)
    admin = factories.admin_user()

    assert not selectors.answerable(admin, district_receipt)
    with pytest.raises(ValidationError) as exc, override("vi"):
        services.receipt_acknowledge(district_receipt, by=admin)
    assert "Huyện Cẩm Thủy" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError):
        services.report_submit(district_receipt, by=admin, text="Đã thực hiện.")

    district_receipt.refresh_from_db()
    assert district_receipt.acknowledged_at is None
    assert district_receipt.reported_at is None


def test_a_body_moved_to_a_new_commune_still_answers_its_letters(reform: Reform) -> None:
    letter = _history_letter(reform)
    body_receipt = letter.receipts.get(body=reform.tree.ubnd_cam_ngoc)
    # The reorganisation moves the commune's committee into the new commune.
    Body.objects.filter(pk=reform.tree.ubnd_cam_ngoc.pk).update(unit=reform.cam_thuy)
    staff = User.objects.get(pk=reform.commune_staff_old.pk)

    assert selectors.answerable(staff, body_receipt)
    services.receipt_acknowledge(body_receipt, by=staff)

    body_receipt.refresh_from_db()
    assert body_receipt.acknowledged_at is not None


def test_a_ceased_recipient_is_not_reminded(reform: Reform) -> None:
    letter = _history_letter(reform)
    today = date(2024, 5, 16)  # a day after the deadline: the "after 1 day" step

    due = {
        step: set(queryset.values_list("pk", flat=True))
        for step, queryset in services.due_steps(today)
    }
    assert set(letter.receipts.values_list("pk", flat=True)) <= due["after-1d"]

    due_now = {
        step: set(queryset.values_list("pk", flat=True))
        for step, queryset in services.due_steps(timezone.localdate())
    }
    assert not any(due_now.values())
    outcome = services.remind_now(letter, by=factories.admin_user())
    assert outcome.reminded == 0


def test_recording_the_past_lets_those_in_force_then_answer(reform: Reform) -> None:
    letter = _history_letter(reform)
    district_receipt = letter.receipts.get(body__isnull=True)
    officer = User.objects.get(pk=reform.district_officer.pk)

    with scope.acting_on(date(2024, 4, 22)):
        assert selectors.answerable(officer, district_receipt)
        services.receipt_acknowledge(district_receipt, by=officer)

    assert not selectors.answerable(officer, district_receipt)
    district_receipt.refresh_from_db()
    assert district_receipt.acknowledged_by_id == officer.pk


# --- The API keeps the same rules --------------------------------------------------------------


def _client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


def _letter_payload(issuer: Body, **extra: Any) -> dict[str, Any]:
    return {
        "issuer": issuer.pk,
        "number": "12",
        "symbol": "UBND-VX",
        "subject": "Rà soát trang mạng xã hội của các cơ quan",
        "body": "Ủy ban nhân dân tỉnh đề nghị các xã, phường thực hiện:",
        "instructions": ["Rà soát trang."],
        "signing_capacity": "CHỦ TỊCH",
        "signer_name": "Nguyễn Văn A",
        **extra,
    }


def test_the_api_refuses_a_recipient_merged_away_naming_it(reform: Reform) -> None:
    closed = factories.commune(reform.thanh_hoa, "Xã Cẩm Liên", code="15031", valid_from=FIRST_DAY)
    AdministrativeUnit.objects.filter(pk=closed.pk).update(valid_until=date(2025, 12, 31))
    client = _client(reform.province_officer)

    response = client.post(
        "/api/v1/directives/",
        _letter_payload(
            reform.ubnd_thanh_hoa, recipients={"units": [reform.cam_thuy.pk, closed.pk]}
        ),
        format="json",
        HTTP_ACCEPT_LANGUAGE="vi",
    )

    assert response.status_code == 400
    assert "Xã Cẩm Liên" in " ".join(response.json()["recipients"])


def test_the_api_lets_no_officer_of_an_abolished_district_issue(reform: Reform) -> None:
    client = _client(reform.district_officer)

    response = client.post(
        "/api/v1/directives/",
        _letter_payload(reform.ubnd_cam_thuy, recipients={"units": [reform.tree.cam_ngoc.pk]}),
        format="json",
    )

    assert response.status_code == 400
    assert "issuer" in response.json()
    assert not Directive.objects.exists()


def test_an_admin_may_still_record_an_old_letter_through_the_api(reform: Reform) -> None:
    client = _client(factories.admin_user())

    created = client.post(
        "/api/v1/directives/",
        _letter_payload(
            reform.ubnd_cam_thuy,
            issued_on="2024-04-24",
            recipients={"units": [reform.tree.cam_ngoc.pk]},
        ),
        format="json",
    )
    issued = client.post(f"/api/v1/directives/{created.json()['id']}/issue/")

    assert created.status_code == 201, created.json()
    assert issued.status_code == 200, issued.json()
    assert issued.json()["issued_on"] == "2024-04-24"


def test_the_api_does_not_count_a_ceased_recipient_as_overdue(reform: Reform) -> None:
    # Given a letter of 2024 whose deadline passed long ago, to the district (dissolved on
    # 30/06/2025, it never answered) and to Cẩm Ngọc's committee (moved to a new commune)
    letter = _history_letter(reform)
    assert letter.report_deadline is not None
    assert letter.report_deadline < date(2025, 1, 1)
    api = APIClient()
    api.force_authenticate(factories.admin_user())

    # When the sender's list is read through the API
    [row] = [r for r in api.get("/api/v1/directives/").json()["results"] if r["id"] == letter.pk]

    # Then only the recipients that can still answer are late: the dissolved district owes
    # nothing, whatever the deadline says
    still_expected = [r for r in letter.receipts.all() if not selectors.recipient_ceased(r)]
    assert row["recipients"]["total"] == 2
    assert len(still_expected) < 2
    assert row["recipients"]["overdue"] == len(still_expected)
