"""The legal library's read-only public API, its query budgets and its schema."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from legal.services import LoadResult, load_file
from tests.legal.conftest import LibraryWriter, node

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.legal.urls")]

# Pagination count, the page of rows, and one prefetch per related list: flat in the rows.
LIST_BUDGET = 4


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def test_libraries_are_listed_without_logging_in(
    api_client: APIClient, loaded: list[LoadResult]
) -> None:
    response = api_client.get("/api/v1/legal/libraries/")

    assert response.status_code == 200
    by_id = {item["library_id"]: item for item in response.json()["results"]}
    assert by_id["qd874"]["version"] == "2026-12-04"
    assert by_id["qd874"]["content"] == "text"
    assert by_id["criteria-874"]["content"] == "criteria"


def test_nodes_search_ignores_diacritics_and_labels_the_text_status(
    api_client: APIClient, loaded: list[LoadResult]
) -> None:
    response = api_client.get("/api/v1/legal/nodes/", {"library": "qd874", "q": "ten hieu that"})

    assert response.status_code == 200
    [clause] = response.json()["results"]
    assert clause["ref"] == "qd874.code.d4.k2"
    assert clause["parent"] == "qd874.code.d4"
    assert clause["text_status"] == "verbatim"
    assert "tên hiệu thật" in clause["text"]
    assert set(clause["cited_by"]) == {
        "real_name",
        "platform_verified",
        "contact_registered",
        "contact_notified",
    }


def test_summaries_say_so_in_the_api(api_client: APIClient, loaded: list[LoadResult]) -> None:
    response = api_client.get(
        "/api/v1/legal/nodes/", {"library": "qd874", "text_status": "summary"}
    )

    refs = {item["ref"] for item in response.json()["results"]}
    assert "qd874.code.d5.k2" in refs
    assert "qd874.code.d4.k2" not in refs
    assert all(item["text_status"] == "summary" for item in response.json()["results"])


def test_a_node_is_found_by_its_dotted_id(api_client: APIClient, loaded: list[LoadResult]) -> None:
    response = api_client.get("/api/v1/legal/nodes/qd874.code.d4.k2/")

    assert response.status_code == 200
    assert response.json()["number"] == "2"


def test_retired_nodes_are_left_out_of_lists_unless_asked_for(
    api_client: APIClient,
    loaded: list[LoadResult],
    shipped_library: dict[str, Any],
    write_file: LibraryWriter,
) -> None:
    shipped_library["nodes"] = [
        item for item in shipped_library["nodes"] if item["id"] != "qd874.code.d8.k2"
    ]
    load_file(path=write_file(dict(shipped_library, version="2027-01-15")))

    default = api_client.get("/api/v1/legal/nodes/", {"parent": "qd874.code.d8"}).json()
    everything = api_client.get(
        "/api/v1/legal/nodes/", {"parent": "qd874.code.d8", "include_retired": "true"}
    ).json()
    detail = api_client.get("/api/v1/legal/nodes/qd874.code.d8.k2/").json()

    assert [item["ref"] for item in default["results"]] == ["qd874.code.d8.k1"]
    assert [item["ref"] for item in everything["results"]] == [
        "qd874.code.d8.k1",
        "qd874.code.d8.k2",
    ]
    assert detail["retired_in_version"] == "2027-01-15"


def test_criteria_list_their_cited_node_ids(
    api_client: APIClient, loaded: list[LoadResult]
) -> None:
    response = api_client.get("/api/v1/legal/criteria/")

    assert response.status_code == 200
    by_ref = {item["ref"]: item for item in response.json()["results"]}
    assert len(by_ref) == 13
    assert by_ref["posting_rules"]["cites"] == ["qd874.code.d5.k2"]
    assert by_ref["posting_rules"]["measure"] == "registry"
    assert by_ref["platform_verified"]["level"] == "recommended"


def test_the_api_is_read_only(api_client: APIClient, loaded: list[LoadResult]) -> None:
    response = api_client.post("/api/v1/legal/criteria/", {"ref": "x"}, format="json")

    assert response.status_code == 405


@pytest.mark.parametrize(
    "url", ["/api/v1/legal/nodes/", "/api/v1/legal/criteria/", "/api/v1/legal/libraries/"]
)
def test_lists_stay_within_their_query_budget_as_the_text_grows(
    api_client: APIClient,
    loaded: list[LoadResult],
    shipped_library: dict[str, Any],
    write_file: LibraryWriter,
    django_assert_max_num_queries: Callable[..., Any],
    url: str,
) -> None:
    article = node(shipped_library, "qd874.code.d4")
    shipped_library["nodes"] += [
        dict(
            article,
            id=f"qd874.code.d4.k{number}",
            kind="clause",
            number=str(number),
            parent="qd874.code.d4",
        )
        for number in range(9, 60)
    ]
    load_file(path=write_file(dict(shipped_library, version="2027-01-15")))

    with django_assert_max_num_queries(LIST_BUDGET):
        response = api_client.get(url)

    assert response.status_code == 200


def test_schema_with_the_legal_api_validates_without_warnings(tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    paths = set(yaml.safe_load(target.read_text())["paths"])
    assert {
        "/api/v1/legal/libraries/",
        "/api/v1/legal/libraries/{library_id}/",
        "/api/v1/legal/nodes/",
        "/api/v1/legal/nodes/{ref}/",
        "/api/v1/legal/criteria/",
        "/api/v1/legal/criteria/{ref}/",
    } <= paths
