"""The house's shape, read from the source: module sizes and the demo kept out of production.

Issue 11 ("a house the next team can carry on"): a module past about 600 lines is split into
a package along its seams, and nothing outside the ``demo`` app imports it, so the portal
runs the same with the demo app left out.
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
        if path.parts[len(ROOT.parts)] != "demo"
        and any(name == "demo" or name.startswith("demo.") for name in _imported(path))
    ]
    assert offenders == []
