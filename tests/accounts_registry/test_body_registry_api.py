"""The contacts and posting-rules API: scope, writes through the services, downloads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts_registry.models import ContactPerson, PostingRules
from accounts_registry.services.contacts import contact_set
from accounts_registry.services.rules import rules_upload
from tests import factories
from tests.accounts_registry.factories_bodies import (
    EXE_BYTES,
    TINY_PDF,
    contact_values,
    docx_bytes,
    page_of,
    pdf_upload,
    upload,
)
from tests.conftest import Tree
from users.models import User

CONTACTS = "/api/v1/registry/contacts/"
RULES = "/api/v1/registry/posting-rules/"
LIST_BUDGET = 6


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def as_user(client: APIClient, user: User) -> APIClient:
    client.force_authenticate(user)
    return client


def _rules(tree: Tree, body: Any = None, n: int = 1) -> list[PostingRules]:
    return [
        rules_upload(
            body=body or tree.ubnd_cam_ngoc,
            document_number=f"{i}/QĐ-UBND",
            issued_on=date(2024, 1, 1),
            signed_by="Chủ tịch",
            file=pdf_upload(),
            by=None,
        )
        for i in range(n)
    ]


def _ids(payload: Any) -> set[int]:
    return {row["id"] for row in payload["results"]}


def test_anonymous_callers_get_nothing(api_client: APIClient, tree: Tree) -> None:
    assert api_client.get(CONTACTS).status_code in (401, 403)
    assert api_client.get(RULES).status_code in (401, 403)


def test_contacts_are_listed_within_scope_and_filterable(api_client: APIClient, tree: Tree) -> None:
    mine = contact_set(body=tree.ubnd_cam_ngoc, by=None, **contact_values())
    page = page_of(tree.ubnd_cam_ngoc)
    override = contact_set(body=tree.ubnd_cam_ngoc, page=page, by=None, **contact_values())
    other = contact_set(body=tree.ubnd_muong_khoa, by=None, **contact_values())
    as_user(api_client, factories.officer_of(tree.thanh_hoa))

    everything = api_client.get(CONTACTS).json()
    by_page = api_client.get(CONTACTS, {"page_id": page.pk}).json()
    defaults = api_client.get(CONTACTS, {"default": "true"}).json()

    assert _ids(everything) == {mine.pk, override.pk}
    assert _ids(by_page) == {override.pk}
    assert _ids(defaults) == {mine.pk}
    assert api_client.get(f"{CONTACTS}{other.pk}/").status_code == 404


@pytest.mark.parametrize("rows", [1, 8])
def test_contact_list_stays_within_budget(
    api_client: APIClient, tree: Tree, rows: int, django_assert_max_num_queries: Callable
) -> None:
    for _ in range(rows):
        page = page_of(tree.ubnd_cam_ngoc)
        contact_set(body=tree.ubnd_cam_ngoc, page=page, by=None, **contact_values())
    as_user(api_client, factories.officer_of(tree.cam_thuy))

    with django_assert_max_num_queries(LIST_BUDGET):
        response = api_client.get(CONTACTS)

    assert response.json()["count"] == rows


def test_staff_create_a_contact_through_the_service(api_client: APIClient, tree: Tree) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    as_user(api_client, staff)

    response = api_client.post(
        CONTACTS,
        {"body": tree.ubnd_cam_ngoc.pk, "name": "Nguyễn Thị Hoa", "phone": "+84 912 345 678"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["phone"] == "0912345678"
    assert response.json()["page"] is None
    assert ContactPerson.objects.get().history.first().history_user == staff


def test_a_bad_phone_is_a_field_error(api_client: APIClient, tree: Tree) -> None:
    as_user(api_client, factories.staff_of(tree.ubnd_cam_ngoc))

    response = api_client.post(
        CONTACTS, {"body": tree.ubnd_cam_ngoc.pk, "name": "A", "phone": "123"}, format="json"
    )

    assert response.status_code == 400
    assert "phone" in response.json()


def test_a_page_of_another_body_is_refused(api_client: APIClient, tree: Tree) -> None:
    page = page_of(tree.ubnd_cam_thanh)
    as_user(api_client, factories.admin_user())

    response = api_client.post(
        CONTACTS,
        {"body": tree.ubnd_cam_ngoc.pk, "page": page.pk, "name": "A", "phone": "0912345678"},
        format="json",
    )

    assert response.status_code == 400
    assert "page" in response.json()


@pytest.mark.parametrize("who", ["officer above", "staff of another body"])
def test_only_staff_of_the_body_can_write(api_client: APIClient, tree: Tree, who: str) -> None:
    user = (
        factories.officer_of(tree.cam_thuy)
        if who == "officer above"
        else factories.staff_of(tree.ubnd_cam_thanh)
    )
    as_user(api_client, user)

    contact = api_client.post(
        CONTACTS, {"body": tree.ubnd_cam_ngoc.pk, "name": "A", "phone": "0912345678"}
    )
    rules = api_client.post(
        RULES,
        {
            "body": tree.ubnd_cam_ngoc.pk,
            "document_number": "1",
            "issued_on": "2024-01-01",
            "signed_by": "x",
            "file": pdf_upload(),
        },
        format="multipart",
    )

    assert contact.status_code == 400
    assert "body" in contact.json()
    assert rules.status_code == 400
    assert "body" in rules.json()
    assert not ContactPerson.objects.exists()
    assert not PostingRules.objects.exists()


def test_staff_upload_rules_by_multipart(api_client: APIClient, tree: Tree) -> None:
    as_user(api_client, factories.staff_of(tree.ubnd_cam_ngoc))
    fields = {
        "body": tree.ubnd_cam_ngoc.pk,
        "document_number": "12/QĐ-UBND",
        "issued_on": "2024-05-02",
        "signed_by": "Chủ tịch",
    }

    first = api_client.post(RULES, {**fields, "file": pdf_upload()}, format="multipart")
    second = api_client.post(
        RULES, {**fields, "file": upload("Nội quy.docx", docx_bytes())}, format="multipart"
    )

    assert first.status_code == 201, first.content
    assert second.status_code == 201, second.content
    assert second.json()["version"] == 2
    assert second.json()["original_filename"] == "Nội quy.docx"
    assert second.json()["download_url"].endswith(f"{RULES}{second.json()['id']}/download/")
    assert api_client.get(f"{RULES}{first.json()['id']}/").json()["is_current"] is False


def test_a_renamed_exe_is_refused_by_the_api(api_client: APIClient, tree: Tree) -> None:
    as_user(api_client, factories.staff_of(tree.ubnd_cam_ngoc))

    response = api_client.post(
        RULES,
        {
            "body": tree.ubnd_cam_ngoc.pk,
            "document_number": "12/QĐ-UBND",
            "issued_on": "2024-05-02",
            "signed_by": "Chủ tịch",
            "file": upload("noi-quy.pdf", EXE_BYTES),
        },
        format="multipart",
    )

    assert response.status_code == 400
    assert "file" in response.json()
    assert not PostingRules.objects.exists()


def test_rules_download_in_scope(api_client: APIClient, tree: Tree) -> None:
    (rules,) = _rules(tree)
    as_user(api_client, factories.officer_of(tree.cam_thuy))

    response = api_client.get(f"{RULES}{rules.pk}/download/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == TINY_PDF  # type: ignore[attr-defined]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")


def test_rules_out_of_scope_are_404(api_client: APIClient, tree: Tree) -> None:
    (rules,) = _rules(tree)
    as_user(api_client, factories.staff_of(tree.ubnd_muong_khoa))

    assert api_client.get(f"{RULES}{rules.pk}/").status_code == 404
    assert api_client.get(f"{RULES}{rules.pk}/download/").status_code == 404
    assert api_client.get(RULES).json()["count"] == 0


@pytest.mark.parametrize("rows", [1, 6])
def test_rules_list_stays_within_budget(
    api_client: APIClient, tree: Tree, rows: int, django_assert_max_num_queries: Callable
) -> None:
    _rules(tree, n=rows)
    _rules(tree, body=tree.ubnd_cam_thanh, n=rows)
    as_user(api_client, factories.officer_of(tree.cam_thuy))

    with django_assert_max_num_queries(LIST_BUDGET):
        response = api_client.get(RULES, {"current": "false"})

    assert response.json()["count"] == 2 * (rows - 1)
