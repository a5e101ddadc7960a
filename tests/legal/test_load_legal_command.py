"""The load_legal command: thin over the services, with errors an administrator can act on."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from legal.models import LegalLibrary, LegalLibraryVersion, LegalNode
from legal.services import LoadResult
from tests import factories
from tests.legal.conftest import LibraryWriter, node

pytestmark = pytest.mark.django_db


def test_without_arguments_it_loads_the_shipped_library_and_criteria() -> None:
    out = io.StringIO()

    call_command("load_legal", stdout=out)

    assert "qd874 2026-12-04: 33 created" in out.getvalue()
    assert "criteria-874 2026-12-04: 13 created" in out.getvalue()


def test_running_it_twice_changes_nothing() -> None:
    call_command("load_legal", stdout=io.StringIO())
    out = io.StringIO()

    call_command("load_legal", stdout=out)

    assert out.getvalue().count("already loaded, nothing changed") == 2
    assert LegalLibraryVersion.objects.count() == 2


def test_the_shipped_files_are_skipped_once_a_newer_version_is_loaded(
    loaded: list[LoadResult], shipped_library: dict[str, Any], write_file: LibraryWriter
) -> None:
    call_command("load_legal", str(write_file(dict(shipped_library, version="2027-01-15"))))
    out = io.StringIO()

    call_command("load_legal", stdout=out)

    assert "older than the loaded version 2027-01-15, skipped" in out.getvalue()
    assert LegalLibrary.objects.get(library_id="qd874").version == "2027-01-15"


def test_an_older_file_named_explicitly_is_refused(
    loaded: list[LoadResult], shipped_library: dict[str, Any], write_file: LibraryWriter
) -> None:
    with pytest.raises(CommandError, match="older than the loaded version"):
        call_command("load_legal", str(write_file(dict(shipped_library, version="2020-01-01"))))


def test_errors_name_the_node_at_fault(
    db: None, shipped_library: dict[str, Any], write_file: LibraryWriter
) -> None:
    node(shipped_library, "qd874.code.d6.k3")["parent"] = "qd874.code.d66"

    with pytest.raises(CommandError) as error:
        call_command("load_legal", str(write_file(shipped_library)))

    assert "node 'qd874.code.d6.k3': parent 'qd874.code.d66' is not in the file" in str(error.value)
    assert "nothing changed" in str(error.value)
    assert not LegalNode.objects.exists()


def test_the_loading_user_is_recorded(db: None) -> None:
    admin = factories.admin_user(is_staff=True)

    call_command("load_legal", "--user", admin.username, stdout=io.StringIO())

    library = LegalLibrary.objects.get(library_id="qd874")
    assert library.loaded_by == admin
    assert LegalNode.history.filter(history_user=admin).count() == 33
