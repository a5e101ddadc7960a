"""The house's shape, read from the source: module sizes, the imports between apps, and the
demo kept out of production.

Issue 11 ("a house the next team can carry on"): a module past about 600 lines is split into
a package along its seams; nothing outside the ``demo`` app imports it, so the portal runs
the same with the demo app left out; and the imports between apps are the ones drawn in
docs/architecture.md ("Imports between apps"): a new one fails here until it is drawn there.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "accounts_registry",
    "audit",
    "demo",
    "directives",
    "incidents",
    "legal",
    "notifications",
    "portal",
    "privacy",
    "reports",
    "units",
    "users",
)
MAX_LINES = 600


def _modules() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    )


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


# Who imports whom (function-level imports included), as drawn in docs/architecture.md. The
# edges that point upwards, and why they are there, are listed in that section.
APP_IMPORTS: dict[str, set[str]] = {
    "accounts_registry": {"incidents", "notifications", "portal", "privacy", "units", "users"},
    "audit": {
        "accounts_registry",
        "directives",
        "incidents",
        "portal",
        "reports",
        "units",
        "users",
    },
    "demo": {"accounts_registry", "directives", "legal", "portal", "reports", "units", "users"},
    "directives": {
        "accounts_registry",
        "incidents",
        "legal",
        "notifications",
        "portal",
        "units",
        "users",
    },
    "incidents": {"accounts_registry", "notifications", "portal", "privacy", "units", "users"},
    "legal": {"portal", "users"},
    "notifications": {"users"},
    "portal": {"accounts_registry", "audit", "directives", "incidents", "units", "users"},
    "privacy": {"accounts_registry", "audit", "incidents", "users"},
    "reports": {
        "accounts_registry",
        "incidents",
        "legal",
        "notifications",
        "portal",
        "units",
        "users",
    },
    "units": {"accounts_registry", "directives", "portal", "reports", "users"},
    "users": {"audit", "notifications", "portal", "units"},
}


def _app_of(path: Path) -> str:
    return path.parts[len(ROOT.parts)]


def _app_imports() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {app: set() for app in APPS}
    for path in _modules():
        app = _app_of(path)
        for name in _imported(path):
            top = name.split(".")[0]
            if top in APPS and top != app:
                found[app].add(top)
    return found


def test_the_apps_import_only_what_the_architecture_draws():
    found = _app_imports()
    new = {app: sorted(found[app] - APP_IMPORTS.get(app, set())) for app in APPS}
    assert {app: names for app, names in new.items() if names} == {}, (
        "an app imports one it did not before: draw it in docs/architecture.md and here, "
        "or import the other way round"
    )


def test_letters_and_reports_stand_side_by_side():
    # Both build on the registry; neither reaches into the other (the official-document
    # layout they share lives below both, in units.documents).
    found = _app_imports()
    assert "reports" not in found["directives"]
    assert "directives" not in found["reports"]
    # Delivery knows only the people it delivers to.
    assert found["notifications"] <= {"users"}


def test_the_apps_hold_modules():
    assert len(_modules()) > 200


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_past_the_size_limit(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it"


def test_nothing_outside_the_demo_imports_it():
    offenders = [
        str(path.relative_to(ROOT))
        for path in _modules()
        if _app_of(path) != "demo"
        and any(name == "demo" or name.startswith("demo.") for name in _imported(path))
    ]
    assert offenders == []
