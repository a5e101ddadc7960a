"""Four eyes on pages (#15): whoever registered or submitted a page does not review it.

The rule lives in the service, so the site, the API and the admin all refuse alike.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.sites import site as admin_site
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from accounts_registry.models import PageState, SocialPage
from accounts_registry.services import pages as services
from tests import factories
from tests.accounts_registry import factories_pages as make
from tests.api.auth import token_for
from tests.conftest import Tree
from users.models import User

pytestmark = pytest.mark.django_db

FOUR_EYES_VI = "người đăng ký hoặc gửi duyệt một trang không được tự duyệt"


def _submitted_by(user: User, tree: Tree) -> SocialPage:
    """A page of Cẩm Ngọc's People's Committee registered and submitted by ``user``."""
    page = make.page(tree.ubnd_cam_ngoc, by=user)
    return services.page_submit(page=page, by=user)


def test_the_officer_who_registered_a_page_cannot_approve_it(tree: Tree) -> None:
    admin = factories.admin_user()
    page = _submitted_by(admin, tree)

    with pytest.raises(ValidationError) as error:
        services.page_approve(page=page, by=admin)

    assert error.value.code == "four_eyes"
    page.refresh_from_db()
    assert page.state == PageState.SUBMITTED
    assert not page.reviews.filter(to_state=PageState.APPROVED).exists()


def test_the_person_who_submitted_a_page_cannot_return_it(tree: Tree) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    admin = factories.admin_user()
    page = make.page(tree.ubnd_cam_ngoc, by=staff)
    page = services.page_submit(page=page, by=admin)

    with pytest.raises(ValidationError):
        services.page_return(page=page, by=admin, note="Sửa tên trang.")

    page.refresh_from_db()
    assert page.state == PageState.SUBMITTED


def test_the_editor_of_an_approved_page_cannot_approve_the_edit(tree: Tree) -> None:
    admin = factories.admin_user()
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    page = make.page(tree.ubnd_cam_ngoc, by=staff)
    page = services.page_submit(page=page, by=staff)
    page = services.page_approve(page=page, by=admin)

    page = services.page_update(page=page, by=admin, display_name="UBND xã Cẩm Ngọc (mới)")
    assert page.state == PageState.SUBMITTED

    with pytest.raises(ValidationError):
        services.page_approve(page=page, by=admin)


def test_another_officer_approves_what_staff_submitted(tree: Tree) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    officer = factories.officer_of(tree.cam_thuy)
    page = _submitted_by(staff, tree)

    page = services.page_approve(page=page, by=officer, note="Đạt.")

    assert page.state == PageState.APPROVED


def test_the_site_shows_the_reason_instead_of_the_buttons_and_refuses_a_forced_post(
    tree: Tree,
) -> None:
    admin = factories.admin_user()
    page = _submitted_by(admin, tree)
    client = Client()
    client.force_login(admin)

    detail = client.get(reverse("registry:page_detail", args=[page.pk]))
    assert reverse("registry:page_approve", args=[page.pk]) not in detail.content.decode()
    assert FOUR_EYES_VI in detail.content.decode()

    response = client.post(reverse("registry:page_approve", args=[page.pk]), follow=True)

    assert FOUR_EYES_VI in response.content.decode()
    page.refresh_from_db()
    assert page.state == PageState.SUBMITTED


def test_the_site_still_offers_review_to_another_officer(tree: Tree) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    officer = factories.officer_of(tree.cam_thuy)
    page = _submitted_by(staff, tree)
    client = Client()
    client.force_login(officer)

    detail = client.get(reverse("registry:page_detail", args=[page.pk])).content.decode()

    assert reverse("registry:page_approve", args=[page.pk]) in detail
    assert FOUR_EYES_VI not in detail


def test_the_api_refuses_a_self_approval_with_a_clear_400(tree: Tree) -> None:
    admin = factories.admin_user()
    page = _submitted_by(admin, tree)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(admin)}", HTTP_ACCEPT_LANGUAGE="vi")

    approve = api.post(f"/api/v1/registry/pages/{page.pk}/approve/", {"note": ""})
    returned = api.post(f"/api/v1/registry/pages/{page.pk}/return/", {"note": "Sửa."})

    assert approve.status_code == 400
    assert FOUR_EYES_VI in str(approve.json())
    assert returned.status_code == 400
    page.refresh_from_db()
    assert page.state == PageState.SUBMITTED


def test_the_admin_approve_action_goes_through_the_same_rule(tree: Tree) -> None:
    admin = factories.admin_user()
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    own = _submitted_by(admin, tree)
    theirs = make.page(tree.ubnd_cam_ngoc, by=staff)
    theirs = services.page_submit(page=theirs, by=staff)
    model_admin: Any = admin_site._registry[SocialPage]
    request = RequestFactory().post("/admin/accounts_registry/socialpage/")
    request.user = admin
    request.session = {}  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]

    model_admin.approve_pages(request, SocialPage.objects.filter(pk__in=[own.pk, theirs.pk]))

    own.refresh_from_db()
    theirs.refresh_from_db()
    assert own.state == PageState.SUBMITTED
    assert theirs.state == PageState.APPROVED
    texts = [str(message) for message in request._messages]  # type: ignore[attr-defined]
    assert any(FOUR_EYES_VI in text for text in texts)
