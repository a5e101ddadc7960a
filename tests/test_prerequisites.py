"""Every program a test or a harness starts is one the set-up installs.

A tool installed by hand on one machine made CI green there and red on a fresh one (pdftotext).
This reads the code that starts processes (``subprocess``, ``shutil.which``, Playwright's
``executable_path``) and checks each program against ``scripts/prerequisites.py``, the list
``make test`` installs, or the virtualenv filled from the lock file.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from scripts import prerequisites

ROOT = Path(settings.BASE_DIR)
# Where processes are started: the tests and the harnesses beside them. (The portal's own
# children, in run_embedded, are all the virtualenv's interpreter: sys.executable.)
SCANNED = ("tests", "loadtest", "benchmarks")
SPAWNING = {
    ("subprocess", "run"),
    ("subprocess", "Popen"),
    ("subprocess", "call"),
    ("subprocess", "check_call"),
    ("subprocess", "check_output"),
    ("shutil", "which"),
    ("os", "system"),
    ("os", "execv"),
    ("os", "execvp"),
}


@dataclass(frozen=True)
class Started:
    where: str
    program: str | None  # None: the program could not be read from the code


def _assignments(tree: ast.AST) -> dict[str, ast.expr]:
    """The last value assigned to each plain name (module constants and function locals)."""
    values: dict[str, ast.expr] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    values[target.id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            values[node.target.id] = node.value
    return values


def _program(node: ast.expr, names: dict[str, ast.expr], depth: int = 0) -> str | None:
    """The program an argv (or the first part of one) names, as far as the code says."""
    if depth > 5:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return Path(node.value.split()[0]).name if node.value.strip() else None
    if isinstance(node, ast.List | ast.Tuple) and node.elts:
        return _program(node.elts[0], names, depth + 1)
    if isinstance(node, ast.Name):
        if node.id in names:
            return _program(names[node.id], names, depth + 1)
        return None
    if isinstance(node, ast.Attribute) and node.attr == "executable":
        return "python"  # sys.executable: the virtualenv's interpreter
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _program(node.right, names, depth + 1)  # some_dir / "initdb"
    if isinstance(node, ast.BoolOp):
        found = [_program(value, names, depth + 1) for value in node.values]
        return next((name for name in found if name), None)
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id in {"str", "Path"} and node.args:
            return _program(node.args[0], names, depth + 1)
        if isinstance(func, ast.Attribute) and func.attr == "which" and node.args:
            return _program(node.args[0], names, depth + 1)
    return None


def started_programs() -> Iterator[Started]:
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            names = _assignments(tree)
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                func = node.func
                if (
                    isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Name)
                    and (func.value.id, func.attr) in SPAWNING
                    and node.args
                ):
                    yield Started(where, _program(node.args[0], names))
                for keyword in node.keywords:
                    if keyword.arg == "executable_path":
                        yield Started(where, _program(keyword.value, names))


def test_every_started_program_is_installed_by_the_set_up() -> None:
    declared = prerequisites.declared_programs()

    started = list(started_programs())

    unreadable = [s.where for s in started if s.program is None]
    undeclared = [
        f"{s.program} ({s.where})" for s in started if s.program and s.program not in declared
    ]
    assert not unreadable, (
        "Name the program literally (or through a constant) where it is started, so that this "
        f"check can read it: {unreadable}"
    )
    assert not undeclared, (
        "These programs are started but scripts/prerequisites.py does not install them "
        f"(add a Tool with its Debian package, or use a Python package from the lock file): "
        f"{undeclared}"
    )
    # The scan sees the programs this suite is known to start: it is not reading nothing.
    assert {"chromium", "redis-server", "runuser", "python"} <= {s.program for s in started}


def test_the_check_catches_a_program_nothing_installs(tmp_path: Path) -> None:
    source = (
        "import subprocess\n"
        "TOOL = ['pdftotext', '-enc', 'UTF-8', '-', '-']\n"
        "def text(pdf):\n"
        "    return subprocess.run(TOOL, input=pdf, capture_output=True).stdout\n"
    )
    tree = ast.parse(source)
    call = next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "run"
    )

    program = _program(call.args[0], _assignments(tree))

    assert program == "pdftotext"
    assert program not in prerequisites.declared_programs()


def test_a_missing_tool_stops_with_the_exact_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    absent = prerequisites.Tool("no-such-tool-874", "no-such-package-874", "a check of the check")
    monkeypatch.setattr(prerequisites, "TOOLS", (*prerequisites.TOOLS, absent))

    code = prerequisites.main(["--check"])

    out = capsys.readouterr().out
    assert code == 1
    assert "missing no-such-tool-874 (Debian package no-such-package-874)" in out
    assert "apt-get install -y no-such-package-874" in out
