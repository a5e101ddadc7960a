"""Every URL of the portal refuses anonymous visitors, except the few meant for the public.

The URL patterns are enumerated from the URLconf, so a view added tomorrow is covered
without anyone remembering to add it here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# Pages and endpoints that are public by design: logging in, resetting a password, the
# language switch, the health check, the API schema, public law and public verification.
PUBLIC_NAMES = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "javascript-catalog",
    "healthz",
    "api-schema",
    "api-docs",
    "api-token",
}
# Public verification and the public directory, and the text of the law.
PUBLIC_PREFIXES = (
    "/verify/",
    "/directory/",
    "/legal/",
    "/api/v1/public/",
    "/api/v1/legal/",
    "/incidents/report/",
    "/api/v1/incidents/report/",
)

_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


def _patterns(
    resolvers: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, str]]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern), ns)
        else:
            yield prefix + str(entry.pattern), entry.name or "", namespace


def _example_path(route: str) -> str | None:
    """A concrete path for a route, or None for format-suffix variants and odd regexes."""
    if "<format>" in route or "drf_format_suffix" in route:
        return None  # the same view as the plain route, with ".json" appended
    route = route.replace("^", "").replace("$", "").replace("\\Z", "")
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    if any(ch in route for ch in "()[]*+?\\"):
        return None
    route = _PARAM.sub(lambda m: "1" if (m["conv"] or "str") == "int" else "x", route)
    return "/" + route


def _protected_routes() -> list[tuple[str, str]]:
    routes = []
    for route, name, namespace in _patterns(get_resolver().url_patterns):
        if route.startswith("admin/") or route.startswith("static/"):
            continue
        path = _example_path(route)
        if name in PUBLIC_NAMES or path is None or path.startswith(PUBLIC_PREFIXES):
            continue
        routes.append((path, name))
    return sorted(set(routes))


def test_the_enumeration_finds_the_portals_pages() -> None:
    paths = {path for path, _ in _protected_routes()}

    assert "/" in paths
    assert "/units/1/" in paths
    assert "/api/v1/units/" in paths


@pytest.mark.parametrize(("path", "name"), _protected_routes())
def test_anonymous_visitors_get_no_data(client: Client, db: None, path: str, name: str) -> None:
    response = client.get(path)

    if path.startswith("/api/"):
        assert response.status_code in (401, 403, 404, 405), (path, response.status_code)
    else:
        assert response.status_code in (302, 404, 405), (path, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), path
