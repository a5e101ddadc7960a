"""A body's registry page: contact and rules forms, downloads, scope and budgets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts_registry.models import ContactPerson, PostingRules
from accounts_registry.services.contacts import contact_set
from accounts_registry.services.rules import rules_upload
from tests import factories
from tests.accounts_registry.factories_bodies import (
    EXE_BYTES,
    TINY_PDF,
    contact_values,
    page_of,
    pdf_upload,
    upload,
)
from tests.conftest import Tree
from users.models import User

PAGE_BUDGET = 15  # spokesperson, its history and the findings count: one query each


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def logged_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def registry_url(tree: Tree) -> str:
    return reverse("registry:body_registry", kwargs={"body_id": tree.ubnd_cam_ngoc.pk})


def _filled(tree: Tree, versions: int = 3, pages: int = 3) -> list[PostingRules]:
    body = tree.ubnd_cam_ngoc
    staff = factories.staff_of(body)
    contact_set(body=body, by=staff, **contact_values())
    contact_set(body=body, by=staff, **contact_values(name="Trần Văn Nam"))
    for _ in range(pages):
        page = page_of(body)
        contact_set(body=body, page=page, by=staff, **contact_values(name="Lò Văn Sáng"))
    return [
        rules_upload(
            body=body,
            document_number=f"{n}/QĐ-UBND",
            issued_on=date(2024, 1, n + 1),
            signed_by="Chủ tịch",
            file=pdf_upload(f"v{n}.pdf"),
            by=staff,
        )
        for n in range(versions)
    ]


ROLES: dict[str, Callable[[Tree], User]] = {
    "staff": lambda tree: factories.staff_of(tree.ubnd_cam_ngoc),
    "district officer": lambda tree: factories.officer_of(tree.cam_thuy),
    "province officer": lambda tree: factories.officer_of(tree.thanh_hoa),
    "admin": lambda tree: factories.admin_user(),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("size", [1, 6])
def test_registry_page_renders_within_a_flat_budget(
    client: Client, tree: Tree, role: str, size: int, django_assert_max_num_queries: Callable
) -> None:
    _filled(tree, versions=size, pages=size)
    logged_in(client, ROLES[role](tree))

    with django_assert_max_num_queries(PAGE_BUDGET):
        response = client.get(registry_url(tree))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Trần Văn Nam" in html
    assert f"{size - 1}/QĐ-UBND" in html


def test_staff_see_the_forms_and_officers_do_not(client: Client, tree: Tree) -> None:
    staff_page = logged_in(client, factories.staff_of(tree.ubnd_cam_ngoc)).get(registry_url(tree))
    officer_page = logged_in(Client(), factories.officer_of(tree.cam_thuy)).get(registry_url(tree))

    upload_action = reverse("registry:body_rules_upload", kwargs={"body_id": tree.ubnd_cam_ngoc.pk})
    assert upload_action in staff_page.content.decode()
    assert upload_action not in officer_page.content.decode()


def test_out_of_scope_users_get_404(client: Client, tree: Tree) -> None:
    logged_in(client, factories.staff_of(tree.ubnd_cam_thanh))

    assert client.get(registry_url(tree)).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client: Client, tree: Tree) -> None:
    response = client.get(registry_url(tree))

    assert response.status_code == 302


def test_staff_set_the_contact_through_the_form(client: Client, tree: Tree) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    logged_in(client, staff)

    response = client.post(
        reverse("registry:body_contact", kwargs={"body_id": tree.ubnd_cam_ngoc.pk}),
        {
            "name": "Nguyễn Thị Hoa",
            "phone": "+84 912 345 678",
            "notice_number": "",
            "notice_date": "",
        },
    )

    assert response.status_code == 302
    contact = ContactPerson.objects.get(body=tree.ubnd_cam_ngoc)
    assert contact.phone == "0912345678"
    assert contact.history.first().history_user == staff


def test_a_bad_phone_shows_an_error_on_the_form(client: Client, tree: Tree) -> None:
    logged_in(client, factories.staff_of(tree.ubnd_cam_ngoc))

    response = client.post(
        reverse("registry:body_contact", kwargs={"body_id": tree.ubnd_cam_ngoc.pk}),
        {"name": "Nguyễn Thị Hoa", "phone": "12345"},
    )

    assert response.status_code == 400
    assert response.context["contact_form"].errors["phone"]
    assert not ContactPerson.objects.exists()


def test_officers_cannot_change_the_contact(client: Client, tree: Tree) -> None:
    logged_in(client, factories.officer_of(tree.cam_thuy))

    response = client.post(
        reverse("registry:body_contact", kwargs={"body_id": tree.ubnd_cam_ngoc.pk}),
        {"name": "Nguyễn Thị Hoa", "phone": "0912345678"},
    )

    assert response.status_code == 403
    assert not ContactPerson.objects.exists()


def test_staff_upload_rules_and_a_renamed_exe_is_refused(client: Client, tree: Tree) -> None:
    logged_in(client, factories.staff_of(tree.ubnd_cam_ngoc))
    url = reverse("registry:body_rules_upload", kwargs={"body_id": tree.ubnd_cam_ngoc.pk})
    fields = {"document_number": "12/QĐ-UBND", "issued_on": "02/05/2024", "signed_by": "Chủ tịch"}

    refused = client.post(url, {**fields, "file": upload("noi-quy.pdf", EXE_BYTES)})
    accepted = client.post(url, {**fields, "file": pdf_upload()})

    assert refused.status_code == 400
    assert refused.context["rules_form"].errors["file"]
    assert accepted.status_code == 302
    (rules,) = PostingRules.objects.all()
    assert rules.issued_on == date(2024, 5, 2)


def test_rules_download_in_scope_streams_the_file_safely(client: Client, tree: Tree) -> None:
    (rules,) = _filled(tree, versions=1, pages=0)
    logged_in(client, factories.officer_of(tree.cam_thuy))

    response = client.get(
        reverse(
            "registry:rules_download",
            kwargs={"body_id": tree.ubnd_cam_ngoc.pk, "pk": rules.pk},
        )
    )

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == TINY_PDF  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "v0.pdf" in response["Content-Disposition"]


def test_older_versions_stay_downloadable(client: Client, tree: Tree) -> None:
    first, _second = _filled(tree, versions=2, pages=0)
    logged_in(client, factories.staff_of(tree.ubnd_cam_ngoc))

    response = client.get(
        reverse(
            "registry:rules_download", kwargs={"body_id": tree.ubnd_cam_ngoc.pk, "pk": first.pk}
        )
    )

    assert response.status_code == 200


@pytest.mark.parametrize("wrong", ["out of scope", "wrong body in the url"])
def test_rules_download_out_of_scope_is_404(client: Client, tree: Tree, wrong: str) -> None:
    (rules,) = _filled(tree, versions=1, pages=0)
    if wrong == "out of scope":
        logged_in(client, factories.officer_of(tree.ba_thuoc))
        body_id = tree.ubnd_cam_ngoc.pk
    else:
        logged_in(client, factories.admin_user())
        body_id = tree.ubnd_cam_thanh.pk

    response = client.get(
        reverse("registry:rules_download", kwargs={"body_id": body_id, "pk": rules.pk})
    )

    assert response.status_code == 404


def test_media_files_are_not_served_publicly(client: Client, tree: Tree) -> None:
    (rules,) = _filled(tree, versions=1, pages=0)
    logged_in(client, factories.staff_of(tree.ubnd_cam_ngoc))

    assert client.get(f"/media/{rules.file.name}").status_code == 404


def test_the_history_shows_who_changed_the_contact(client: Client, tree: Tree) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc, full_name="Phạm Thu Trang")
    contact_set(body=tree.ubnd_cam_ngoc, by=staff, **contact_values())
    contact_set(body=tree.ubnd_cam_ngoc, by=staff, **contact_values(phone="0987654321"))
    logged_in(client, factories.officer_of(tree.cam_thuy))

    response = client.get(registry_url(tree))

    (latest, *_rest) = response.context["history"]
    assert str(latest.who) == "Phạm Thu Trang"
    assert [(change.old, change.new) for change in latest.changes] == [("0912345678", "0987654321")]
    assert "0987654321" in response.content.decode()


def test_page_contact_override_form_sets_and_clears(client: Client, tree: Tree) -> None:
    body = tree.ubnd_cam_ngoc
    page = page_of(body)
    contact_set(body=body, by=None, **contact_values())
    logged_in(client, factories.staff_of(body))
    url = reverse("registry:page_contact", kwargs={"body_id": body.pk, "page_id": page.pk})

    assert client.get(url).status_code == 200
    saved = client.post(url, {"name": "Lò Văn Sáng", "phone": "0386123456"})
    assert saved.status_code == 302
    assert ContactPerson.objects.get(page=page, archived_at__isnull=True).name == "Lò Văn Sáng"

    cleared = client.post(url, {"clear": "1"})
    assert cleared.status_code == 302
    assert not ContactPerson.objects.filter(page=page, archived_at__isnull=True).exists()


def test_page_contact_of_a_page_of_another_body_is_404(client: Client, tree: Tree) -> None:
    page = page_of(tree.ubnd_cam_thanh)
    logged_in(client, factories.admin_user())

    response = client.get(
        reverse(
            "registry:page_contact",
            kwargs={"body_id": tree.ubnd_cam_ngoc.pk, "page_id": page.pk},
        )
    )

    assert response.status_code == 404


def test_officers_see_the_page_contact_read_only(client: Client, tree: Tree) -> None:
    page = page_of(tree.ubnd_cam_ngoc)
    logged_in(client, factories.officer_of(tree.cam_thuy))
    url = reverse(
        "registry:page_contact", kwargs={"body_id": tree.ubnd_cam_ngoc.pk, "page_id": page.pk}
    )

    assert client.get(url).context["form"] is None
    assert client.post(url, {"name": "X", "phone": "0912345678"}).status_code == 403


def test_the_rules_hint_cites_what_the_letters_ask(client: Client, tree: Tree) -> None:
    # The Code's art. 5 cl. 2 has staff follow their body's rules; it is the letters that ask
    # bodies to draw them up, and the hint says so rather than overstating the clause.
    page = logged_in(client, factories.staff_of(tree.ubnd_cam_ngoc)).get(registry_url(tree))

    html = page.content.decode()
    assert "Công văn số 6389/UBND-KGVX ngày 03/11/2021 của UBND tỉnh Đắk Nông" in html
    assert "xem xét xây dựng nội quy" in html
    assert "mỗi cơ quan ban hành nội quy" not in html
