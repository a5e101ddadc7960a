"""No API endpoint lets a user reach another commune's data, whatever the method.

The routes are enumerated from the OpenAPI schema, so an endpoint added tomorrow is probed
without anyone remembering: every path must be either mapped to a kind of scoped object or
listed below as skipped, with the reason. Each role (commune staff, commune officer,
district officer, provincial officer, all in Thanh Hóa) sends every method to every object of
UBND Xã Mường Khoa (Lai Châu) and the units above it (pages, contacts, rules, incidents,
letters, receipts, reports, exports); the answer must be 403/404 (405 for a method the path
does not take, 400 only for a write refused before the lookup), never its data, and nothing
may change. The same world is probed through the pages by ``tests/test_scope_html.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.scope_world import PDF, World, ids, leaks, module_world, record, snapshot
from users.models import User

METHODS = ("get", "post", "put", "patch", "delete")

# Paths not probed, and why. Anything else with a parameter must be mapped in OBJECT_KINDS.
SKIPPED: dict[str, str] = {
    "/api/v1/public/": "public by design: verification and the directory of approved pages",
    "/api/v1/legal/": "public by design: the text of the law, not scoped to any unit",
    "/api/v1/incidents/report/": "public by design: a citizen reports a fake page",
    "/api/v1/auth/token/": "obtains a token from credentials; touches no scoped object",
    "/api/v1/auth/tokens/": "the caller's own API tokens, scoped by owner, not by unit: "
    "another user's is a 404 (tests/api/test_api_tokens.py)",
    "/api/v1/registry/platforms/": "the platform catalogue (by code), not scoped to any unit",
}

# Path prefix of a route with an object parameter -> the kind of object it names. Parameter
# names do not matter ("{id}", "{report_id}"...): paths are compared with every parameter
# written "{}", and the longest matching prefix wins.
OBJECT_KINDS: dict[str, str] = {
    "/api/v1/units/{id}/": "unit",
    "/api/v1/bodies/{id}/": "body",
    "/api/v1/registry/pages/{id}/": "page",
    "/api/v1/registry/contacts/{id}/": "contact",
    "/api/v1/registry/posting-rules/{id}/": "rules",
    "/api/v1/incidents/{id}/": "incident",
    "/api/v1/incidents/findings/{id}/": "finding",
    "/api/v1/registry/spokespersons/{id}/": "spokesperson",
    "/api/v1/directives/{id}/": "directive",
    "/api/v1/directives/receipts/{id}/": "receipt",
    # Reports: a report (and its rows, transitions and exports), an export job, a build run,
    # a period. Covered as soon as the routes exist.
    "/api/v1/reports/{id}/": "report",
    "/api/v1/reports/exports/{id}/": "export",
    "/api/v1/reports/builds/{id}/": "run",
    "/api/v1/reports/periods/{id}/": "period",
    "/api/v1/reports/fake-page-reviews/{id}/": "fake_review",
}

# Kinds that are the same for every user of the portal, so reading them is no leak: the
# periods (everyone reports on the same quarters) and the build runs of a period (a run
# builds every unit's report; it holds counts and dates, nothing of any unit). Their
# routes may answer anything but a server error, and must still leak nothing of the other
# commune and change nothing of it.
GLOBAL_KINDS = frozenset({"period", "run"})

# Query parameters of list endpoints that name an object: probed with the other commune's.
QUERY_KINDS = {
    "body": "body",
    "unit": "unit",
    "within": "unit",
    "parent": "unit",
    "page_id": "page",
    "issuer": "body",
    "directive": "directive",
    "report": "report",
    "period": "period",
}

# A write body that would pass validation, so that only the lookup can refuse it.
OBJECT_WRITE = {
    "note": "Kiểm tra phạm vi",
    "to_state": "under_review",
    "link": "https://example.com/bang-chung",
    "display_name": "Tên đã bị đổi",
}

_PARAM = re.compile(r"\{[^}]+\}")


@pytest.fixture(scope="module")
def world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """One world for the module; each test runs in a savepoint of it, rolled back."""
    with module_world(django_db_blocker, tmp_path_factory.mktemp("media")) as built:
        yield built


@cache
def _operations() -> dict[str, list[str]]:
    """Every API path of the schema, with the methods it declares."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {path: [m for m in METHODS if m in ops] for path, ops in sorted(schema["paths"].items())}


def _skip_reason(path: str) -> str | None:
    return next((why for prefix, why in SKIPPED.items() if path.startswith(prefix)), None)


def _generic(path: str) -> str:
    return _PARAM.sub("{}", path)


def _kind(path: str) -> str | None:
    """The kind of object a parametrised path names, or None if it is not mapped."""
    generic = _generic(path)
    matches = [prefix for prefix in OBJECT_KINDS if generic.startswith(_generic(prefix))]
    return OBJECT_KINDS[max(matches, key=len)] if matches else None


def _cases() -> list[tuple[str, str]]:
    cases = []
    for path, methods in _operations().items():
        if _skip_reason(path) is not None:
            continue
        if _PARAM.search(path):
            if _kind(path) is None:
                continue  # reported by test_every_api_route_is_classified
            # Every method, declared or not: an undeclared one must be refused too.
            cases += [(path, method) for method in METHODS]
        else:
            cases += [(path, method) for method in methods]
    return cases


def _ids(world: World, kind: str) -> list[int]:
    return ids(world, kind)


def _collection_write(world: World, path: str) -> tuple[dict[str, Any], str]:
    """A create request naming the other body, otherwise valid; and its format."""
    body = world.tree.ubnd_muong_khoa.pk
    page = world.pages["approved"].pk
    writes: dict[str, tuple[dict[str, Any], str]] = {
        "/api/v1/registry/pages/": (
            {
                "body": body,
                "platform": "facebook",
                "url": "https://www.facebook.com/ubnd.muongkhoa.moi",
                "display_name": "Trang mới",
            },
            "json",
        ),
        "/api/v1/registry/contacts/": (
            {"body": body, "page": page, "name": "Người Lạ", "phone": "0987654321"},
            "json",
        ),
        "/api/v1/registry/posting-rules/": (
            {
                "body": body,
                "document_number": "99/QĐ",
                "issued_on": "2025-01-01",
                "signed_by": "Người Lạ",
                "file": SimpleUploadedFile("r.pdf", PDF, content_type="application/pdf"),
            },
            "multipart",
        ),
        "/api/v1/directives/": (
            {
                "issuer": world.directives["issued"].issuer_id,
                "symbol": "UBND-VHTT",
                "place": "Tân Uyên",
                "subject": "Văn bản lạ",
                "body": "Nội dung",
                "recipients": {"units": [world.tree.muong_khoa.pk]},
                "implements": world.directives["issued"].pk,
            },
            "json",
        ),
        "/api/v1/incidents/": (
            {
                "body": body,
                "page": page,
                "kind": "lost_control",
                "description": "Mất quyền quản trị",
                "url": "https://www.facebook.com/ubnd.gia.mao.khac",
            },
            "json",
        ),
        "/api/v1/registry/spokespersons/": (
            {"body": body, "name": "Người Lạ", "phone": "0987654321"},
            "json",
        ),
        "/api/v1/incidents/findings/": (
            {
                "body": body,
                "page": page,
                "source": "unit",
                "found_on": "2025-03-01",
                "category": "no_answer",
                "severity": "low",
                "description": "Phát hiện lạ",
                "remediation_required": "Sửa ngay",
                "deadline": "2025-04-01",
            },
            "json",
        ),
        "/api/v1/reports/fake-page-reviews/": (
            {
                "unit": world.tree.muong_khoa.pk,
                "period": world.period.pk,
                "scans_done": 9,
                "fake_pages_found": 0,
                "reported_to_platform": 0,
                "taken_down": 0,
            },
            "json",
        ),
    }
    assert path in writes, f"{path}: POST is not classified; add a create request naming the "
    "other commune's body to _collection_write"
    return writes[path]


def _snapshot(world: World) -> tuple[Any, ...]:
    return snapshot(world)


def _leaks(world: World, response: Any) -> list[str]:
    return leaks(world, response)


def _send(client: APIClient, method: str, url: str, data: Any = None, fmt: str = "json") -> Any:
    if method in ("get", "delete"):
        return getattr(client, method)(url, data)
    return getattr(client, method)(url, data if data is not None else {}, format=fmt)


def _probe(client: APIClient, user: User, method: str, url: str, **kwargs: Any) -> Any:
    client.force_authenticate(user)
    return _send(client, method, url, **kwargs)


def test_every_api_route_is_classified() -> None:
    # Given every path of the schema
    operations = _operations()

    # When each is matched against the mapped and the skipped prefixes
    unclassified = [
        path
        for path in operations
        if _skip_reason(path) is None and _PARAM.search(path) and _kind(path) is None
    ]

    # Then none is left over: a new endpoint must say what it names, or why it is public
    assert not unclassified, (
        f"API paths neither mapped to a scoped kind nor skipped: {unclassified}; "
        "add them to OBJECT_KINDS or SKIPPED in tests/test_scope_isolation.py"
    )
    assert [p for p in operations if _skip_reason(p)], "the skip list matched nothing"


@pytest.mark.parametrize(("path", "method"), _cases())
def test_no_role_reaches_the_other_communes_objects(
    world: World, db: None, path: str, method: str, request: pytest.FixtureRequest
) -> None:
    # Given the other commune's objects, one of every kind, and four roles outside Lai Châu
    before = _snapshot(world)
    declared = method in _operations()[path]
    client = APIClient()
    failures: list[str] = []
    tried = 0

    # When every role sends the method to every object of the kind (or lists, or creates)
    for role, user in world.roles.items():
        if _PARAM.search(path):
            kind = _kind(path)
            assert kind is not None
            for pk in _ids(world, kind):
                url = _PARAM.sub(str(pk), path)
                data = OBJECT_WRITE if method in ("post", "put", "patch") else None
                response = _probe(client, user, method, url, data=data)
                tried += 1
                allowed = {403, 404} | ({405} if not declared else set())
                if method in ("post", "put", "patch"):
                    allowed.add(400)
                if kind in GLOBAL_KINDS:
                    allowed = set(range(200, 500))
                leaks = _leaks(world, response)
                if response.status_code not in allowed or leaks:
                    failures.append(
                        f"{role}: {method.upper()} {url} -> {response.status_code}, leaked {leaks}"
                    )
        elif method == "get":
            params = _operations_query(path)
            variants: list[dict[str, Any]] = [{}]
            if "q" in params:
                variants.append({"q": "Mường Khoa"})
            for name, kind in QUERY_KINDS.items():
                if name in params:
                    variants += [{name: pk} for pk in _ids(world, kind)]
            for query in variants:
                response = _probe(client, user, "get", path, data=query)
                tried += 1
                leaks = _leaks(world, response)
                if response.status_code not in (200, 400, 403, 404) or leaks:
                    failures.append(
                        f"{role}: GET {path} {query} -> {response.status_code}, leaked {leaks}"
                    )
        else:
            data, fmt = _collection_write(world, path)
            # Name the other body; and, for staff, their own body with the other's page.
            attempts: list[dict[str, Any]] = [data]
            if "page" in data and user == world.commune_staff:
                attempts.append({**data, "body": world.tree.ubnd_cam_ngoc.pk})
            for attempt in attempts:
                response = _probe(client, user, method, path, data=dict(attempt), fmt=fmt)
                tried += 1
                leaks = _leaks(world, response)
                if response.status_code not in (400, 403, 404) or leaks:
                    failures.append(
                        f"{role}: {method.upper()} {path} with body {attempt['body']} -> "
                        f"{response.status_code}, leaked {leaks}"
                    )
    record(request.config, "scope isolation, API: endpoint x role x method", len(world.roles))
    record(request.config, "scope isolation, API: requests (with every object)", tried)

    # Then nothing was returned, and nothing of the other commune changed
    assert not failures, "\n".join(failures)
    assert _snapshot(world) == before, f"{method.upper()} {path} changed the other commune"
    assert tried > 0


@cache
def _query_parameters() -> dict[str, frozenset[str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        path: frozenset(
            p["name"] for p in ops.get("get", {}).get("parameters", []) if p.get("in") == "query"
        )
        for path, ops in schema["paths"].items()
    }


def _operations_query(path: str) -> frozenset[str]:
    return _query_parameters().get(path, frozenset())


def test_a_system_admin_reaches_every_probed_object(world: World, db: None) -> None:
    # Given the same world, and a system administrator
    client = APIClient()
    client.force_authenticate(world.admin)
    reached = []

    # When the administrator reads every object the roles were refused
    for path, method in _cases():
        if method != "get" or not _PARAM.search(path) or "get" not in _operations()[path]:
            continue
        kind = _kind(path)
        assert kind is not None
        for pk in _ids(world, kind):
            url = _PARAM.sub(str(pk), path)
            response = client.get(url)
            # Then each answers 200: the ids are real and the probes above could have failed
            assert response.status_code == 200, f"admin GET {url} -> {response.status_code}"
            reached.append(url)

    page = world.pages["approved"]
    detail = client.get(f"/api/v1/registry/pages/{page.pk}/")
    assert detail.status_code == 200
    assert _leaks(world, detail), "the markers do not identify the other commune's page"
    assert reached
