"""The settings, `.env.example` and the README's table name the same variables."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Read by docker-compose.yml, not by the portal.
COMPOSE_ONLY = {
    "POSTGRES_USER",
    "POSTGRES_PASSWORD",
    "POSTGRES_DB",
    "PORTAL_PORT",
    "WEB_CONCURRENCY",
    "CELERY_CONCURRENCY",
}


def read_by_settings() -> set[str]:
    """Every variable portal/settings.py reads through django-environ (``env.<cast>("NAME")``)."""
    tree = ast.parse((ROOT / "portal" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "env"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(str(node.args[0].value))
    return names


def listed_in_env_example() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def listed_in_readme() -> set[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def test_every_variable_the_settings_read_is_in_env_example_and_the_readme() -> None:
    read = read_by_settings()

    assert len(read) > 30, "the scan of the settings found too little to be trusted"
    assert read - listed_in_env_example() == set()
    assert read - listed_in_readme() == set()


def test_env_example_and_the_readme_name_nothing_the_settings_do_not_read() -> None:
    read = read_by_settings()

    assert listed_in_env_example() - read - COMPOSE_ONLY == set()
    assert listed_in_readme() - read == set()
