"""The legal library's admin: read-only, with history, within a query budget."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from legal.models import ComplianceCriterion, LegalLibrary, LegalNode
from legal.services import LoadResult
from users.models import User

pytestmark = pytest.mark.django_db

ADMIN_BUDGET = 12


@pytest.fixture
def admin_client(client: Client, db: None) -> Client:
    client.force_login(User.objects.create(username="quan.tri", is_superuser=True, is_staff=True))
    return client


@pytest.mark.parametrize("model", ["legallibrary", "legalnode", "compliancecriterion"])
def test_changelists_load_within_budget(
    admin_client: Client,
    loaded: list[LoadResult],
    model: str,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    with django_assert_max_num_queries(ADMIN_BUDGET):
        response = admin_client.get(f"/admin/legal/{model}/")

    assert response.status_code == 200


def test_admin_search_on_nodes_ignores_diacritics(
    admin_client: Client, loaded: list[LoadResult]
) -> None:
    response = admin_client.get("/admin/legal/legalnode/", {"q": "TÊN HIỆU THẬT"})

    assert "qd874.code.d4.k2" in response.content.decode()
    assert "qd874.code.d1.k1" not in response.content.decode()


def test_nodes_and_criteria_are_read_only_with_history(
    admin_client: Client, loaded: list[LoadResult]
) -> None:
    clause = LegalNode.objects.get(ref="qd874.code.d4.k2")
    criterion = ComplianceCriterion.objects.get(ref="real_name")
    library = LegalLibrary.objects.get(library_id="qd874")

    change = admin_client.get(f"/admin/legal/legalnode/{clause.pk}/change/")
    history = admin_client.get(f"/admin/legal/legalnode/{clause.pk}/history/")
    post = admin_client.post(f"/admin/legal/legalnode/{clause.pk}/change/", {"text": "x"})

    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert history.status_code == 200
    assert post.status_code == 403
    assert admin_client.get("/admin/legal/legalnode/add/").status_code == 403
    assert (
        admin_client.get(f"/admin/legal/compliancecriterion/{criterion.pk}/change/").status_code
        == 200
    )
    assert admin_client.get(f"/admin/legal/legallibrary/{library.pk}/change/").status_code == 200
    assert LegalNode.objects.get(pk=clause.pk).text != "x"
