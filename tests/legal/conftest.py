"""Fixtures of the legal library tests: the shipped files, and edited copies of them."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from legal.importers import DEFAULT_CRITERIA_FILE, DEFAULT_LIBRARY_FILE
from legal.services import LoadResult, load_defaults

LibraryWriter = Callable[..., Path]


@pytest.fixture
def shipped_library() -> dict[str, Any]:
    return json.loads(DEFAULT_LIBRARY_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def shipped_criteria() -> dict[str, Any]:
    return json.loads(DEFAULT_CRITERIA_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def write_file(tmp_path: Path) -> LibraryWriter:
    """Write a (deep-copied) file content to a temporary JSON file and return its path."""
    counter = iter(range(1000))

    def write(content: dict[str, Any]) -> Path:
        target = tmp_path / f"library-{next(counter)}.json"
        target.write_text(json.dumps(copy.deepcopy(content), ensure_ascii=False), "utf-8")
        return target

    return write


@pytest.fixture
def loaded(db: None) -> list[LoadResult]:
    """The shipped Decision 874 library and criteria, loaded."""
    return load_defaults()


def node(content: dict[str, Any], ref: str) -> dict[str, Any]:
    """The node of a library file's content with this id."""
    return next(item for item in content["nodes"] if item["id"] == ref)
