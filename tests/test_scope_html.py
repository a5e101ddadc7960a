"""No page of the portal lets a user reach another commune's data, whatever the role.

The URL patterns are enumerated from the URLconf, so a page added tomorrow is probed without
anyone remembering: every pattern is either excluded below, with the reason, or probed. A
pattern with parameters is probed only if each parameter is mapped (by its name, in its
namespace) to a kind of object of ``tests/scope_world.py``; one that is neither mapped nor
excluded fails ``test_every_page_is_classified``.

Four roles of Thanh Hóa (commune staff, commune officer, district officer, provincial
officer) send GET and POST to every page naming an object of UBND Xã Mường Khoa (Lai Châu)
or of the units above it: details, edits, transitions, downloads, files, reports and their
exports. The answer must be 403, 404 or 405 (or a redirect to the login page; 400 for a POST
refused before the lookup), never a page with the other commune's data, and nothing of the
other commune may change. Pages without parameters (lists, forms, dashboards) are probed
with query strings and form fields naming the other commune's objects: they may answer, but
never with its data, and never by changing it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse

from tests.scope_world import World, ids, leaks, module_world, record, snapshot

# Route prefixes (without the leading slash) not probed, and why.
EXCLUDED: dict[str, str] = {
    "admin/": "the Django admin: is_staff only (tests/test_admin.py)",
    "api/": "the REST API: probed through its schema by tests/test_scope_isolation.py",
    "static/": "static files",
    "media/": "never served by Django in production; files go through scoped views",
    "i18n/": "the language switch: no object",
    "jsi18n/": "the translation catalogue: no object",
    "healthz": "the health check: no object",
    "accounts/": "the user's own login, logout and password: nobody else's object",
    "legal/": "public by design: the text of the law, not scoped to any unit",
    "verify/": "public by design: verification of a page",
    "directory/": "public by design: the directory of approved pages",
    "incidents/report/": "public by design: a citizen reports a fake page",
}

# A parameter -> the kind of object of the world it names. Looked up as
# "namespace:name.kwarg", then "namespace.kwarg", then "kwarg": "pk" is only ever mapped
# within a namespace, a self-describing name (``report_id``) everywhere.
KWARG_KINDS: dict[str, str] = {
    "units:unit_detail.pk": "unit",
    "units:body_detail.pk": "body",
    "incidents.pk": "incident",
    "directives.pk": "directive",
    "directives:receipt.pk": "receipt",
    "directives:acknowledge.pk": "receipt",
    "directives:report.pk": "receipt",
    "directives:attachment.pk": "attachment",
    "directives:paper_scan.pk": "paper",
    "incidents:finding_detail.pk": "finding",
    "incidents:finding_remediate.pk": "finding",
    "incidents:finding_close.pk": "finding",
    "incidents:finding_reopen.pk": "finding",
    "registry.pk": "page",
    "registry:rules_download.pk": "rules",
    "reports.pk": "report",
    "unit_id": "unit",
    "body_id": "body",
    "page_id": "page",
    "contact_id": "contact",
    "rules_id": "rules",
    "incident_id": "incident",
    "evidence_id": "evidence",
    "directive_id": "directive",
    "receipt_id": "receipt",
    "attachment_id": "attachment",
    "report_id": "report",
    "period_id": "period",
    "run_id": "run",
    "build_id": "run",
    "export_id": "export",
}
# Parameters that name no object: the values tried.
KWARG_VALUES: dict[str, list[str]] = {
    "fmt": ["xlsx", "csv", "docx", "pdf"],
    "format": ["xlsx", "csv", "docx", "pdf"],
}
# Kinds that are the same for everyone (see tests/test_scope_isolation.py): a page naming
# only these may answer, but with nothing of the other commune, and changing nothing of it.
GLOBAL_KINDS = frozenset({"period", "run"})

# In a page naming two objects (a body and its rules), the parent is also tried as one every
# role may see: Cẩm Ngọc's People's Committee, Xã Cẩm Ngọc.
OWN: dict[str, Callable[[World], int]] = {
    "body": lambda world: world.tree.ubnd_cam_ngoc.pk,
    "unit": lambda world: world.tree.cam_ngoc.pk,
}

# Query parameters tried on pages without parameters, with the kind of object they name.
QUERY_KINDS: dict[str, str] = {
    "unit": "unit",
    "within": "unit",
    "body": "body",
    "page": "page",
    "incident": "incident",
    "issuer": "body",
    "directive": "directive",
    "period": "period",
    "report": "report",
}

# A form that would pass validation, so that only the lookup can refuse it.
FORM = {
    "note": "Kiểm tra phạm vi",
    "to_state": "under_review",
    "link": "https://example.com/bang-chung",
    "display_name": "Tên đã bị đổi",
    "text": "Báo cáo của người lạ",
    "name": "Người Lạ",
    "phone": "0987654321",
    "achievements": "Đã bị sửa",
    "info_consistent": "true",
    "security_measures": "true",
    "impersonation_scans": "1",
    "fake_pages_found": "0",
    "dissemination_sessions": "1",
    "participants": "1",
    "positive_posts": "1",
    "comments_answered": "1",
    "confirm": "1",
}

_KWARG = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    route: str  # "reports/<int:report_id>/export/<str:fmt>/"
    name: str  # "reports:export"
    kwargs: tuple[str, ...]

    @property
    def group(self) -> str:
        return self.route.split("/", 1)[0] or "home"


def _walk(
    entries: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    for entry in entries:
        if isinstance(entry, URLResolver):
            inner = ":".join(n for n in (namespace, entry.namespace) if n)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        else:
            name = f"{namespace}:{entry.name}" if namespace else entry.name or ""
            yield prefix + str(entry.pattern), name


def kind_of(name: str, kwarg: str) -> str | None:
    """The kind of object a parameter of a named page names, or None if it is not mapped."""
    namespace = name.split(":", 1)[0] if ":" in name else ""
    for key in (f"{name}.{kwarg}", f"{namespace}.{kwarg}", kwarg):
        if key in KWARG_KINDS:
            return KWARG_KINDS[key]
    return None


def excluded(route: str) -> str | None:
    return next((why for prefix, why in EXCLUDED.items() if route.startswith(prefix)), None)


def classify(entries: list[URLPattern | URLResolver]) -> tuple[list[Route], list[str]]:
    """The routes to probe, and the routes neither excluded nor fully mapped."""
    routes: list[Route] = []
    unclassified: list[str] = []
    for route, name in _walk(entries):
        if excluded(route) is not None:
            continue
        if "(?P<" in route or "^" in route:
            unclassified.append(f"{route} ({name}): a regex route; map it or exclude it")
            continue
        kwargs = tuple(m["name"] for m in _KWARG.finditer(route))
        unmapped = [k for k in kwargs if k not in KWARG_VALUES and kind_of(name, k) is None]
        if unmapped:
            unclassified.append(f"{route} ({name}): parameters {unmapped} not mapped")
            continue
        routes.append(Route(route, name, kwargs))
    return routes, unclassified


def _routes() -> list[Route]:
    return classify(get_resolver().url_patterns)[0]


def _groups() -> list[str]:
    return sorted({route.group for route in _routes()})


def _urls(world: World, route: Route) -> list[tuple[str, set[str]]]:
    """Every URL of a route filled with the world's objects, and the kinds each names."""
    choices: list[list[tuple[str, str | None]]] = []
    for kwarg in route.kwargs:
        if kwarg in KWARG_VALUES:
            choices.append([(value, None) for value in KWARG_VALUES[kwarg]])
        else:
            kind = kind_of(route.name, kwarg)
            assert kind is not None
            options: list[tuple[str, str | None]] = [(str(pk), kind) for pk in ids(world, kind)]
            if len(route.kwargs) > 1 and kind in OWN:
                # The prober's own body or unit with the other's object below it: the
                # object must be looked up through the scope, not only through its parent.
                options.append((str(OWN[kind](world)), None))
            choices.append(options)
    urls = []
    for combination in itertools.product(*choices):
        values = iter(combination)
        url = "/" + _KWARG.sub(lambda _m: next(values)[0], route.route)
        urls.append((url, {kind for _value, kind in combination if kind}))
    return urls


def _queries(world: World) -> list[dict[str, Any]]:
    """Query strings naming the other commune's objects in every usual parameter at once.

    All name the same commune (or the units above it), so a page that reads two of them
    still finds the other commune's data if it leaks; one query per unit of the world.
    """
    named = {name: ids(world, kind)[0] for name, kind in QUERY_KINDS.items()}
    return [{}] + [
        {**named, "q": "Khoa", "unit": unit, "within": unit, "parent": unit}
        for unit in ids(world, "unit")
    ]


def _collection_form(world: World) -> dict[str, Any]:
    """A create form naming the other commune's objects in every usual field."""
    tree = world.tree
    return {
        **FORM,
        "body": tree.ubnd_muong_khoa.pk,
        "unit": tree.muong_khoa.pk,
        "page": world.pages["approved"].pk,
        "issuer": world.directives["issued"].issuer_id,
        "implements": world.directives["issued"].pk,
        "recipient_units": tree.muong_khoa.pk,
        "period": world.period.pk,
        "report": world.reports["accepted"].pk,
        "platform": "facebook",
        "url": "https://www.facebook.com/ubnd.muongkhoa.moi",
        "kind": "impersonation",
        "description": "Trang giả mạo mới",
        "subject": "Văn bản lạ",
        "symbol": "UBND-VHTT",
        "place": "Cẩm Thủy",
        "body_text": "Nội dung",
    }


def _refused(response: Any, method: str) -> bool:
    """403/404/405, a redirect to the login page, or a POST refused as a bad request."""
    if response.status_code in (403, 404, 405):
        return True
    if response.status_code == 302:
        return response["Location"].startswith(reverse("login"))
    return method == "post" and response.status_code == 400


@pytest.fixture(scope="module")
def world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    with module_world(django_db_blocker, tmp_path_factory.mktemp("media")) as built:
        yield built


def test_every_page_is_classified() -> None:
    # Given every pattern of the URLconf
    routes, unclassified = classify(get_resolver().url_patterns)

    # Then each is probed or excluded with a reason: a new page must say what it names
    assert not unclassified, (
        "Pages neither excluded nor mapped: "
        + "; ".join(unclassified)
        + ". Map their parameters in KWARG_KINDS or exclude them in tests/test_scope_html.py"
    )
    names = {route.name for route in routes}
    assert {"units:unit_detail", "registry:page_detail", "directives:attachment"} <= names
    assert {"incidents:evidence", "registry:rules_download"} <= names


def test_a_new_unmapped_page_fails_the_classification() -> None:
    # Given a URLconf with a page whose parameter nobody mapped, and one mapped by its name
    def view(*_args: Any, **_kwargs: Any) -> HttpResponse:
        return HttpResponse()

    entries: list[URLPattern | URLResolver] = [
        path("reports/widgets/<int:widget_id>/", view, name="widget"),
        path("reports/<int:report_id>/print/", view, name="print"),
        path("units/<int:pk>/map/", view, name="map"),
        path("legal/<slug:whatever>/", view, name="law"),
    ]

    # When it is classified
    routes, unclassified = classify(entries)

    # Then the unmapped page is reported, the mapped one probed, the public one left alone
    assert [u.split(" ")[0] for u in unclassified] == [
        "reports/widgets/<int:widget_id>/",
        "units/<int:pk>/map/",
    ]
    assert [route.route for route in routes] == ["reports/<int:report_id>/print/"]


@pytest.mark.parametrize("group", _groups())
def test_no_role_reaches_the_other_communes_objects_through_the_pages(
    world: World, db: None, group: str, request: pytest.FixtureRequest
) -> None:
    # Given the other commune's objects, one of every kind, and four roles of Thanh Hóa
    before = snapshot(world)
    clients = {role: Client() for role in world.roles}
    for role, client in clients.items():
        client.force_login(world.roles[role])
    failures: list[str] = []
    combinations: set[tuple[str, str, str]] = set()
    sent = 0

    def probe(route: Route, role: str, method: str, url: str, data: Any, scoped: bool) -> None:
        nonlocal sent
        response = getattr(clients[role], method)(url, data)
        sent += 1
        combinations.add((route.name, role, method))
        found = leaks(world, response)
        if response.status_code >= 500 or (scoped and not _refused(response, method)) or found:
            query = data if method == "get" and data else ""
            failures.append(
                f"{role} {route.name}: {method.upper()} {url} {query} -> {response.status_code} "
                f"{response.get('Location', '')}, leaked {found}"
            )

    # When every role sends GET and POST to every page of the group naming its objects
    for route in (r for r in _routes() if r.group == group):
        for role in world.roles:
            if route.kwargs:
                for url, kinds in _urls(world, route):
                    scoped = not kinds <= GLOBAL_KINDS
                    probe(route, role, "get", url, None, scoped)
                    probe(route, role, "post", url, FORM, scoped)
            else:
                url = "/" + route.route
                for query in _queries(world):
                    probe(route, role, "get", url, query, False)
                probe(route, role, "post", url, _collection_form(world), False)
        if snapshot(world) != before:
            failures.append(f"{route.name}: a POST changed the other commune")
    record(request.config, "scope isolation, pages: page x role x method", len(combinations))
    record(request.config, "scope isolation, pages: requests (with every object)", sent)

    # Then nothing of the other commune was shown, served or changed
    assert not failures, "\n".join(failures)
    assert snapshot(world) == before
    assert sent > 0


def test_a_system_admin_reaches_every_probed_object_page(world: World, db: None) -> None:
    # Given the same world, and a system administrator
    client = Client()
    client.force_login(world.admin)
    unreached = []

    # When the administrator reads every page naming an object the roles were refused
    for route in _routes():
        if not route.kwargs:
            continue
        statuses = []
        for url, kinds in _urls(world, route):
            if kinds <= GLOBAL_KINDS:
                continue
            statuses.append(client.get(url).status_code)
            if statuses[-1] in (200, 302, 405):
                break
        # Then some URL of each answers (the ids are real, the probes could have failed)
        if statuses and not any(s in (200, 302, 405) for s in statuses):
            unreached.append(f"{route.name}: {statuses}")
    assert not unreached, unreached

    # And the markers do identify the other commune's page and its files
    detail = client.get(f"/registry/pages/{world.pages['approved'].pk}/")
    assert detail.status_code == 200
    assert leaks(world, detail)
    attachment = client.get(f"/directives/files/{world.attachment.pk}/")
    assert attachment.status_code == 200
    assert "the rules PDF" in leaks(world, attachment)
