"""Contact persons: validation, replacement with history, page overrides."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts_registry.models import ContactPerson, SocialPage
from accounts_registry.services.contacts import (
    contact_clear_page_override,
    contact_set,
    effective_contact,
    normalise_phone,
    with_effective_contact,
)
from tests import factories
from tests.accounts_registry.factories_bodies import contact_values, page_of
from tests.conftest import Tree


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("+84 (0) 912 345 678", "0912345678"),
        ("0084912345678", "0912345678"),
        ("0237 3852 123", "02373852123"),
        ("0386-123-456", "0386123456"),
    ],
)
def test_phone_numbers_are_normalised_to_national_form(typed: str, stored: str) -> None:
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["", "12345", "091234567", "09123456789", "0112345678", "1900 1234", "+1 202 555 0100", "abc"],
)
def test_malformed_phone_numbers_are_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as error:
        normalise_phone(typed)

    assert "phone" in error.value.message_dict


def test_a_default_contact_is_stored_normalised(tree: Tree) -> None:
    body = tree.ubnd_cam_ngoc
    staff = factories.staff_of(body)

    contact = contact_set(body=body, by=staff, **contact_values(phone="+84 912.345.678"))

    assert contact.page is None
    assert contact.phone == "0912345678"
    assert contact.is_notified
    assert contact.history.first().history_user == staff


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"name": "   "}, "name"),
        ({"notice_date": None}, "notice_date"),
        ({"notice_number": ""}, "notice_number"),
        ({"notice_date": timezone.localdate() + timedelta(days=1)}, "notice_date"),
    ],
)
def test_invalid_contacts_are_refused_field_by_field(
    tree: Tree, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        contact_set(body=tree.ubnd_cam_ngoc, by=None, **contact_values(**overrides))

    assert field in error.value.message_dict
    assert not ContactPerson.objects.exists()


def test_a_contact_without_a_letter_is_accepted_as_not_notified(tree: Tree) -> None:
    contact = contact_set(
        body=tree.ubnd_cam_ngoc,
        by=None,
        **contact_values(notice_number="", notice_date=None, email=""),
    )

    assert not contact.is_notified


def test_another_person_archives_the_previous_contact_and_keeps_it(tree: Tree) -> None:
    body = tree.ubnd_cam_ngoc
    first = contact_set(body=body, by=None, **contact_values())

    second = contact_set(body=body, by=None, **contact_values(name="Trần Văn Nam"))

    first.refresh_from_db()
    assert first.archived_at is not None
    assert second.archived_at is None
    assert second.pk != first.pk
    assert ContactPerson.objects.filter(body=body).count() == 2


def test_the_same_person_is_updated_in_place_with_history(tree: Tree) -> None:
    body = tree.ubnd_cam_ngoc
    first = contact_set(body=body, by=None, **contact_values())

    # The same name typed without diacritics and in another case is the same person.
    again = contact_set(
        body=body, by=None, **contact_values(name="nguyen thi HOA", phone="0987654321")
    )

    assert again.pk == first.pk
    assert again.phone == "0987654321"
    assert ContactPerson.objects.filter(body=body).count() == 1
    phones = [row.phone for row in again.history.all()]
    assert phones == ["0987654321", "0912345678"]


def test_setting_identical_values_writes_nothing(tree: Tree) -> None:
    body = tree.ubnd_cam_ngoc
    first = contact_set(body=body, by=None, **contact_values())

    contact_set(body=body, by=None, **contact_values())

    assert first.history.count() == 1


def test_a_page_override_beats_the_body_default(tree: Tree) -> None:
    body = tree.ubnd_cam_ngoc
    page = page_of(body)
    default = contact_set(body=body, by=None, **contact_values())
    assert effective_contact(page) == default

    override = contact_set(body=body, page=page, by=None, **contact_values(name="Lò Văn Sáng"))

    assert effective_contact(page) == override
    default.refresh_from_db()
    assert default.archived_at is None


def test_clearing_the_override_brings_back_the_body_default(tree: Tree) -> None:
    body = tree.ubnd_cam_ngoc
    page = page_of(body)
    default = contact_set(body=body, by=None, **contact_values())
    override = contact_set(body=body, page=page, by=None, **contact_values(name="Lò Văn Sáng"))

    contact_clear_page_override(page=page, by=None)

    override.refresh_from_db()
    assert override.archived_at is not None
    assert effective_contact(page) == default


def test_a_page_of_another_body_cannot_get_a_contact_through_this_body(tree: Tree) -> None:
    page = page_of(tree.ubnd_cam_thanh)

    with pytest.raises(ValidationError) as error:
        contact_set(body=tree.ubnd_cam_ngoc, page=page, by=None, **contact_values())

    assert "page" in error.value.message_dict


def test_effective_contacts_are_annotated_in_a_single_query(
    tree: Tree, django_assert_num_queries: Callable
) -> None:
    body = tree.ubnd_cam_ngoc
    contact_set(body=body, by=None, **contact_values())
    pages = [page_of(body) for _ in range(4)]
    contact_set(
        body=body,
        page=pages[0],
        by=None,
        **contact_values(name="Lò Văn Sáng", notice_number="", notice_date=None),
    )
    page_of(tree.ubnd_cam_thanh)  # a body with no contact at all

    with django_assert_num_queries(1):
        rows: dict[int, Any] = {
            page.pk: page for page in with_effective_contact(SocialPage.objects.order_by("pk"))
        }

    assert rows[pages[0].pk].effective_contact_name == "Lò Văn Sáng"
    assert rows[pages[0].pk].has_contact_override
    assert not rows[pages[0].pk].effective_contact_notified
    assert rows[pages[1].pk].effective_contact_name == "Nguyễn Thị Hoa"
    assert not rows[pages[1].pk].has_contact_override
    assert rows[pages[1].pk].effective_contact_notified
    orphan = next(page for page in rows.values() if page.body_id == tree.ubnd_cam_thanh.pk)
    assert orphan.effective_contact_name is None
