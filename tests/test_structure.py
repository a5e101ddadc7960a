"""The house's shape, read from the source: module sizes, the imports between apps, and the
demo kept out of production.

Issue 11 ("a house the next team can carry on"): a module past about 600 lines is split into
a package along its seams; nothing outside the ``demo`` app imports it, so the portal runs
the same with the demo app left out; and the apps stand in the layers drawn in
docs/architecture.md ("Imports between apps"): no app imports one above it or beside it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 600

# The apps in layers, bottom to top, as drawn in docs/architecture.md ("Imports between
# apps"). A module imports its own app and the apps of the layers below it, never one above;
# the apps of one layer stand side by side and do not import each other. ``portal`` is two
# things: its utilities (text, history, cache, search, the site's address...) at the bottom,
# and the project's modules that put the apps together (``PROJECT_MODULES``) at the top.
PROJECT = "portal (project)"
LAYERS: tuple[tuple[str, ...], ...] = (
    ("portal",),
    ("units",),
    ("audit",),
    ("users",),
    ("notifications", "legal"),
    ("accounts_registry",),
    ("incidents",),
    ("directives", "reports", "privacy"),
    ("reorganisation",),
    ("demo",),
    (PROJECT,),
)
PROJECT_MODULES = ("api_urls", "request_size", "urls", "views")
APPS = tuple(sorted(app for layer in LAYERS for app in layer if app != PROJECT))
LAYER_OF = {app: height for height, layer in enumerate(LAYERS) for app in layer}


def _modules() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    )


def _imported(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top, in a function or for type checking only."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # ``from portal import urls`` imports the module ``portal.urls``.
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _app_of(path: Path) -> str:
    return path.parts[len(ROOT.parts)]


def _part_of(path: Path) -> str:
    """The app a module belongs to, with portal's project modules apart from its utilities."""
    relative = path.relative_to(ROOT).with_suffix("").parts
    if relative[0] == "portal" and len(relative) == 2 and relative[1] in PROJECT_MODULES:
        return PROJECT
    return relative[0]


def _target_of(name: str) -> str | None:
    parts = name.split(".")
    if parts[0] == "portal" and len(parts) > 1 and parts[1] in PROJECT_MODULES:
        return PROJECT
    return parts[0] if parts[0] in LAYER_OF else None


def _edges() -> dict[tuple[str, str], set[str]]:
    """(importer, imported) -> the modules through which the importer imports it."""
    found: dict[tuple[str, str], set[str]] = {}
    for path in _modules():
        part = _part_of(path)
        for name in _imported(path):
            target = _target_of(name)
            if target is not None and target != part:
                found.setdefault((part, target), set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_app_has_its_layer():
    on_disk = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert on_disk == set(APPS), "place a new app in LAYERS here and in docs/architecture.md"


def test_no_app_imports_one_above_it_or_beside_it():
    wrong = sorted(
        f"{part} imports {target} ({', '.join(sorted(where))})"
        for (part, target), where in _edges().items()
        if LAYER_OF[target] >= LAYER_OF[part]
    )
    assert wrong == [], (
        "an import that points up or sideways: import the other way round, or move the code "
        "to the layer where it belongs (docs/architecture.md, 'Imports between apps')"
    )


def test_letters_and_reports_stand_side_by_side():
    # Both build on the registry; neither reaches into the other (the official-document
    # layout they share lives below both, in units.documents).
    edges = _edges()
    assert ("directives", "reports") not in edges
    assert ("reports", "directives") not in edges
    # Delivery knows only the people it delivers to (and portal's utilities).
    assert {target for part, target in edges if part == "notifications"} <= {"users", "portal"}


def test_the_layering_is_read_from_real_imports():
    # The reading finds the edges the portal is built on, so an empty list above means
    # something: the registry stands on units and users, the letters on the registry.
    edges = _edges()
    for edge in [
        ("users", "units"),
        ("accounts_registry", "users"),
        ("directives", "accounts_registry"),
        ("reorganisation", "accounts_registry"),
        (PROJECT, "accounts_registry"),
    ]:
        assert edge in edges


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
