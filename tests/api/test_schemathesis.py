"""Fuzzing the REST API from its own OpenAPI schema, as each role, in process.

Schemathesis reads ``/api/schema/`` from the Django WSGI application (no server), generates
requests for every operation of the schema (valid and invalid ones, a bounded and
deterministic number per operation) and sends each as a commune staff member, a commune,
district and provincial officer and a system administrator, authenticated by their API
tokens, against the scope-isolation world (``tests/scope_world.py``) so that lists and
details have data to return. Two checks: no answer is a server error, and every answer
conforms to the schema (status documented → body matches the documented shape). An
operation added to the API is fuzzed without anyone listing it here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.api.auth import token_for
from tests.scope_world import World, module_world, record

# Examples generated per operation; each is sent once per role. Small and derandomized, so
# the run is deterministic and stays within a few minutes on a shared machine.
MAX_EXAMPLES = 8
CHECKS = [not_a_server_error, response_schema_conformance]

# Operations not fuzzed, and why. A known bug goes here only with its description.
EXCLUDED_PATHS: dict[str, str] = {
    # Each call with wrong credentials is a failed login for django-axes: fuzzing it
    # would lock the test client's address out; tests/api/test_token_api.py covers it.
    "/api/v1/auth/token/": "a login endpoint, rate-limited by design",
}

# Operations whose answers are known not to match their schema: only checked for server
# errors until the bug is fixed. Empty: the three found by this test (blank email and URL
# fields typed "format: email" / "format: uri") were fixed in their serializers.
KNOWN_NONCONFORMING: dict[tuple[str, str], str] = {}

_SENT: dict[str, int] = {"cases": 0, "requests": 0}


@pytest.fixture(scope="module")
def world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    with module_world(django_db_blocker, tmp_path_factory.mktemp("media")) as built:
        yield built


@pytest.fixture
def headers(world: World, db: None) -> dict[str, dict[str, str]]:
    """The ``Authorization`` header of each role, and of an administrator."""
    users = {**world.roles, "system administrator": world.admin}
    return {
        role: {"Authorization": f"Token {token_for(user, name=role)}"}
        for role, user in users.items()
    }


@pytest.fixture
def api_schema(world: World, db: None) -> Iterator[Any]:
    """The schema as the application serves it, bound to the WSGI application.

    Django closes "old" database connections at the start and end of every request; inside
    a test that would close the test's own transaction, so (as Django's test client does)
    that handler is disconnected while the requests run.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        schema: Any = schemathesis.openapi.from_wsgi(
            "/api/schema/?format=json", get_wsgi_application()
        )
        for path in EXCLUDED_PATHS:
            schema = schema.exclude(path=path)
        yield schema
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module", autouse=True)
def _count(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    record(request.config, "schemathesis: generated cases", _SENT["cases"])
    record(request.config, "schemathesis: requests sent (cases x roles)", _SENT["requests"])


def _fuzz(operation: Any, mode: GenerationMode, headers: dict[str, dict[str, str]]) -> None:
    """Send the generated cases of one operation as every role, and check every answer."""
    known_bug = (operation.method.upper(), operation.path) in KNOWN_NONCONFORMING
    checks = [not_a_server_error] if known_bug else CHECKS

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        # No shrinking: the first failing case is reported as it was sent, and the run
        # stays bounded.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case: Any) -> None:
        _SENT["cases"] += 1
        for role_headers in headers.values():
            _SENT["requests"] += 1
            case.call_and_validate(headers=role_headers, checks=checks)

    fuzz()


def test_every_operation_answers_every_role_within_its_schema(
    api_schema: Any, headers: dict[str, dict[str, str]]
) -> None:
    # Given every operation of the schema the application serves
    operations = [result.ok() for result in api_schema.get_all_operations()]
    failures: list[str] = []

    # When valid and invalid requests are generated for each and sent as every role
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(operation, mode, headers)
            except Unsatisfiable:
                continue  # no invalid request can be written for this operation
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis's FailureGroup
                failures.append(f"{operation.method.upper()} {operation.path} ({mode}): {exc}")

    # Then no answer was a server error, and every answer matched the schema
    assert len(operations) > 40, "the schema lost its operations"
    paths = {(operation.method.upper(), operation.path) for operation in operations}
    assert set(KNOWN_NONCONFORMING) <= paths, "a known bug names an operation that is gone"
    assert not failures, "\n\n".join(failures)
