"""Transferring an official page from one body to another, with its history."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts_registry.models import ContactPerson, PageReview, PageState
from accounts_registry.transfers import page_transfer
from tests import factories
from tests.accounts_registry.factories_pages import contact, page
from tests.conftest import Tree

pytestmark = pytest.mark.django_db


def test_a_page_changes_body_and_keeps_its_state_history_and_contact(tree: Tree) -> None:
    # Given an approved page of Cẩm Ngọc's committee, with its own contact person
    officer = factories.officer_of(tree.cam_thuy)
    registered = page(tree.ubnd_cam_ngoc, state=PageState.APPROVED)
    own_contact = contact(tree.ubnd_cam_ngoc, page=registered)

    # When the officer gives it to Cẩm Thành's committee
    moved = page_transfer(
        page=registered, to_body=tree.ubnd_cam_thanh, by=officer, reason="Registered by mistake."
    )

    # Then it belongs to Cẩm Thành, still approved, and its contact went with it
    assert (moved.body_id, moved.state) == (tree.ubnd_cam_thanh.pk, PageState.APPROVED)
    assert ContactPerson.objects.get(pk=own_contact.pk).body_id == tree.ubnd_cam_thanh.pk
    # and its history says who moved it, why, and where it was before
    latest, previous = moved.history.all()[:2]
    assert (latest.body_id, latest.history_user_id) == (tree.ubnd_cam_thanh.pk, officer.pk)
    assert latest.history_change_reason == "Registered by mistake."
    assert previous.body_id == tree.ubnd_cam_ngoc.pk
    # and its workflow shows the step, from which body to which
    step = PageReview.objects.filter(page=moved).latest("pk")
    assert (step.from_state, step.to_state, step.by_id) == (
        PageState.APPROVED,
        PageState.APPROVED,
        officer.pk,
    )
    assert "UBND Xã Cẩm Ngọc" in step.note
    assert "UBND Xã Cẩm Thành" in step.note


def test_a_transfer_needs_a_reason_and_another_live_body(tree: Tree) -> None:
    registered = page(tree.ubnd_cam_ngoc)

    with pytest.raises(ValidationError) as no_reason:
        page_transfer(page=registered, to_body=tree.ubnd_cam_thanh, by=None, reason=" ")
    with pytest.raises(ValidationError) as same_body:
        page_transfer(page=registered, to_body=tree.ubnd_cam_ngoc, by=None, reason="x")
    tree.ubnd_cam_thanh.archived_at = tree.ubnd_cam_thanh.created_at
    tree.ubnd_cam_thanh.save()
    with pytest.raises(ValidationError) as archived:
        page_transfer(page=registered, to_body=tree.ubnd_cam_thanh, by=None, reason="x")

    assert list(no_reason.value.message_dict) == ["reason"]
    assert list(same_body.value.message_dict) == ["to_body"]
    assert list(archived.value.message_dict) == ["to_body"]
    registered.refresh_from_db()
    assert registered.body_id == tree.ubnd_cam_ngoc.pk
