"""Stateful fuzzing: sequences of API calls that follow the schema's links, as every role.

Schemathesis infers the links between operations from the schema (an ``id`` a create or a
list answers becomes the ``{id}`` of a later call on that object, such as a submit, an
approval or a remediation), and drives random sequences of them through the WSGI
application, as each role with its own API token. Two properties:

- no step of any sequence is a server error;
- no sequence by an officer or staff member of Thanh Hóa changes anything of the other
  commune's world (Mường Khoa, Lai Châu): its snapshot is the same after every role's run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings

from tests.api.test_schemathesis import api_schema, headers, world  # noqa: F401 - fixtures
from tests.scope_world import World, record, snapshot

# Sequences per role, and calls per sequence: bounded and derandomized, so the run is
# deterministic and takes a few minutes on a shared machine.
SEQUENCES = 40
STEPS = 6

_SENT: dict[str, int] = {"steps": 0, "links": 0}


@pytest.fixture(scope="module", autouse=True)
def _count(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    record(request.config, "schemathesis stateful: links followed", _SENT["links"])
    record(request.config, "schemathesis stateful: calls sent (all roles)", _SENT["steps"])


def _machine(api_schema: Any, role_headers: dict[str, str]) -> Any:  # noqa: F811
    base = api_schema.as_state_machine()

    class RoleMachine(base):  # type: ignore[valid-type,misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": role_headers}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            _SENT["steps"] += 1
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path}: {response.status_code}\n"
                f"{response.text[:2000]}"
            )

    return RoleMachine


def test_sequences_following_the_links_never_fail_and_never_cross_the_scope(
    world: World,  # noqa: F811
    api_schema: Any,  # noqa: F811
    headers: dict[str, dict[str, str]],  # noqa: F811
) -> None:
    # Given the links the schema's operations have between them
    api_schema.as_state_machine()  # infers the links into the schema, then counts them
    _SENT["links"] = api_schema.statistic.transitions.total
    assert _SENT["links"] > 20, "the schema's operations lost their links"
    before = snapshot(world)

    # When each role runs sequences of calls that follow them
    for role, role_headers in headers.items():
        _machine(api_schema, role_headers).run(
            settings=settings(
                max_examples=SEQUENCES,
                stateful_step_count=STEPS,
                derandomize=True,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
        )
        # Then nothing of the other commune changed, whoever of Thanh Hóa called
        if role != "system administrator":
            assert snapshot(world) == before, f"{role} changed the other commune's objects"

    assert _SENT["steps"] > len(headers) * SEQUENCES, "the sequences made no calls"
