"""Loading the legal library and the criteria: validation, versions, retirement, history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from legal.importers import LegalImportError
from legal.models import (
    ComplianceCriterion,
    LegalLibrary,
    LegalLibraryVersion,
    LegalNode,
    NodeKind,
    TextStatus,
)
from legal.services import LoadResult, load_file
from tests.legal.conftest import LibraryWriter, node

pytestmark = pytest.mark.django_db

ARTICLE_4_CLAUSE_2 = (
    "Nên sử dụng họ, tên thật cá nhân, tên hiệu thật của tổ chức, cơ quan và đăng ký với nhà "
    "cung cấp dịch vụ để xác thực tên hiệu, địa chỉ trang mạng, đầu mối liên lạc khi tham gia, "
    "sử dụng mạng xã hội."
)


def test_loading_the_shipped_files_gives_the_whole_tree(loaded: list[LoadResult]) -> None:
    library = LegalLibrary.objects.get(library_id="qd874")

    assert library.version == "2026-12-04"
    assert library.issued_on is not None
    assert library.issued_on.isoformat() == "2021-06-17"
    assert LegalNode.objects.filter(library=library).count() == 33
    assert LegalNode.objects.filter(kind=NodeKind.ARTICLE).count() == 8
    assert LegalNode.objects.filter(kind=NodeKind.CLAUSE).count() == 23
    root = LegalNode.objects.get(ref="qd874")
    assert root.parent is None
    assert root.depth == 0
    clause = LegalNode.objects.select_related("parent__parent").get(ref="qd874.code.d4.k2")
    assert clause.parent is not None
    assert clause.parent.ref == "qd874.code.d4"
    assert clause.parent.parent is not None
    assert clause.parent.parent.ref == "qd874.code"
    assert clause.depth == 3
    assert ComplianceCriterion.objects.count() == 13
    assert [result.created for result in loaded] == [33, 13]


def test_article_4_clause_2_is_verbatim_with_its_exact_text(loaded: list[LoadResult]) -> None:
    clause = LegalNode.objects.get(ref="qd874.code.d4.k2")

    assert clause.text_status == TextStatus.VERBATIM
    assert clause.text == ARTICLE_4_CLAUSE_2
    assert clause.search_text.count("ten hieu that") == 1


def test_article_5_is_a_summary(loaded: list[LoadResult]) -> None:
    statuses = set(
        LegalNode.objects.filter(ref__startswith="qd874.code.d5").values_list(
            "text_status", flat=True
        )
    )

    assert statuses == {TextStatus.SUMMARY}


def test_criteria_cite_their_clauses(loaded: list[LoadResult]) -> None:
    real_name = ComplianceCriterion.objects.get(ref="real_name")

    assert sorted(real_name.cites.values_list("ref", flat=True)) == [
        "qd874.code.d4.k2",
        "qd874.code.d6.k1",
    ]
    assert not ComplianceCriterion.objects.get(ref="recertified").cites.exists()


def test_reloading_the_same_version_changes_nothing(loaded: list[LoadResult]) -> None:
    history_before = LegalNode.history.count() + ComplianceCriterion.history.count()
    library = LegalLibrary.objects.get(library_id="qd874")

    results = [
        load_file(path=Path("legal/data/decision-874.json")),
        load_file(path=Path("legal/data/criteria-874.json")),
    ]

    assert all(result.already_loaded for result in results)
    assert LegalNode.history.count() + ComplianceCriterion.history.count() == history_before
    assert LegalLibraryVersion.objects.count() == 2
    library.refresh_from_db()
    assert LegalLibrary.objects.get(library_id="qd874").loaded_at == library.loaded_at


def test_an_older_version_is_refused(
    loaded: list[LoadResult], shipped_library: dict[str, Any], write_file: LibraryWriter
) -> None:
    shipped_library["version"] = "2025-01-01"
    node(shipped_library, "qd874.code.d4.k2")["text"] = "Older text."

    with pytest.raises(LegalImportError, match="older than the loaded version 2026-12-04"):
        load_file(path=write_file(shipped_library))

    assert LegalNode.objects.get(ref="qd874.code.d4.k2").text == ARTICLE_4_CLAUSE_2


def test_the_same_version_with_other_content_is_refused(
    loaded: list[LoadResult], shipped_library: dict[str, Any], write_file: LibraryWriter
) -> None:
    node(shipped_library, "qd874.code.d4.k2")["text"] = "Edited without a new version."

    with pytest.raises(LegalImportError, match="already loaded with different content"):
        load_file(path=write_file(shipped_library))


def test_a_newer_version_updates_by_id_retires_vanished_nodes_and_keeps_citations(
    loaded: list[LoadResult],
    shipped_library: dict[str, Any],
    write_file: LibraryWriter,
) -> None:
    clause_pk = LegalNode.objects.get(ref="qd874.code.d6.k1").pk
    shipped_library["version"] = "2027-01-15"
    official = "Thực hiện các nội dung quy định tại Điều 4 của Bộ Quy tắc (nguyên văn)."
    changed = node(shipped_library, "qd874.code.d6.k1")
    changed.update(text=official, text_status="verbatim")
    shipped_library["nodes"] = [
        item for item in shipped_library["nodes"] if item["id"] != "qd874.code.d4.k2"
    ]

    result = load_file(path=write_file(shipped_library))

    assert (result.created, result.updated, result.retired) == (0, 1, 1)
    assert result.unchanged == 31
    updated = LegalNode.objects.get(ref="qd874.code.d6.k1")
    assert updated.pk == clause_pk
    assert (updated.text, updated.text_status) == (official, TextStatus.VERBATIM)
    assert updated.history.count() == 2
    vanished = LegalNode.objects.get(ref="qd874.code.d4.k2")
    assert vanished.retired_in_version == "2027-01-15"
    assert vanished.text == ARTICLE_4_CLAUSE_2
    assert sorted(
        ComplianceCriterion.objects.get(ref="real_name").cites.values_list("ref", flat=True)
    ) == ["qd874.code.d4.k2", "qd874.code.d6.k1"]
    assert LegalLibrary.objects.get(library_id="qd874").version == "2027-01-15"
    assert list(
        LegalLibraryVersion.objects.filter(library__library_id="qd874")
        .order_by("loaded_at")
        .values_list("version", "item_count")
    ) == [("2026-12-04", 33), ("2027-01-15", 32)]


def test_a_retired_node_that_comes_back_is_in_force_again(
    loaded: list[LoadResult], shipped_library: dict[str, Any], write_file: LibraryWriter
) -> None:
    without = dict(shipped_library, version="2027-01-01")
    without["nodes"] = [
        item for item in shipped_library["nodes"] if item["id"] != "qd874.code.d8.k2"
    ]
    load_file(path=write_file(without))

    load_file(path=write_file(dict(shipped_library, version="2027-02-01")))

    assert LegalNode.objects.get(ref="qd874.code.d8.k2").retired_in_version == ""


def test_newer_criteria_update_citations_and_retire_vanished_criteria(
    loaded: list[LoadResult], shipped_criteria: dict[str, Any], write_file: LibraryWriter
) -> None:
    shipped_criteria["version"] = "2027-01-15"
    real_name = next(item for item in shipped_criteria["criteria"] if item["id"] == "real_name")
    real_name["cites"] = ["qd874.code.d4.k2"]
    shipped_criteria["criteria"] = [
        item for item in shipped_criteria["criteria"] if item["id"] != "recertified"
    ]

    result = load_file(path=write_file(shipped_criteria))

    assert (result.updated, result.retired) == (1, 1)
    criterion = ComplianceCriterion.objects.get(ref="real_name")
    assert list(criterion.cites.values_list("ref", flat=True)) == ["qd874.code.d4.k2"]
    assert criterion.version == "2027-01-15"
    assert ComplianceCriterion.objects.get(ref="contact_registered").version == "2026-12-04"
    assert ComplianceCriterion.objects.get(ref="recertified").retired_in_version == "2027-01-15"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda c: node(c, "qd874.code.d4.k2").update(parent="qd874.code.d99"),
            "node 'qd874.code.d4.k2': parent 'qd874.code.d99' is not in the file",
        ),
        (
            lambda c: c["nodes"].append(dict(node(c, "qd874.code.d4.k2"))),
            "node 'qd874.code.d4.k2': duplicate id",
        ),
        (
            lambda c: node(c, "qd874.code.d4.k3").update(kind="paragraph"),
            "node 'qd874.code.d4.k3': kind 'paragraph' is not one of",
        ),
        (
            lambda c: node(c, "qd874.code.d5.k1").update(text_status="official"),
            "node 'qd874.code.d5.k1': text_status 'official' is not one of",
        ),
        (
            lambda c: node(c, "qd874.code.d4.k1").pop("text_status"),
            "node 'qd874.code.d4.k1': missing key(s) text_status",
        ),
        (lambda c: node(c, "qd874.code").update(parent="qd874.code.d1"), "parents form a cycle"),
        (lambda c: c.update(version="latest"), "header: 'version' 'latest'"),
    ],
    ids=["unknown parent", "duplicate", "kind", "text_status", "missing key", "cycle", "version"],
)
def test_a_malformed_library_is_refused_naming_the_node_and_nothing_is_loaded(
    shipped_library: dict[str, Any], write_file: LibraryWriter, edit: Any, message: str
) -> None:
    # A valid change that would be loaded if the file were accepted as a whole.
    node(shipped_library, "qd874.code.d1.k1")["text"] = "Loaded only if the file is valid."
    edit(shipped_library)

    with pytest.raises(LegalImportError) as error:
        load_file(path=write_file(shipped_library))

    assert message in str(error.value)
    assert not LegalNode.objects.exists()
    assert not LegalLibrary.objects.exists()


def test_a_malformed_newer_version_leaves_the_loaded_one_untouched(
    loaded: list[LoadResult], shipped_library: dict[str, Any], write_file: LibraryWriter
) -> None:
    shipped_library["version"] = "2027-01-15"
    node(shipped_library, "qd874.code.d1.k1")["text"] = "Half-loaded?"
    node(shipped_library, "qd874.code.d8.k2")["kind"] = "annex"

    with pytest.raises(LegalImportError, match=r"node 'qd874\.code\.d8\.k2'"):
        load_file(path=write_file(shipped_library))

    assert LegalLibrary.objects.get(library_id="qd874").version == "2026-12-04"
    assert LegalNode.objects.get(ref="qd874.code.d1.k1").text.startswith("Tạo điều kiện")


def test_criteria_citing_an_unknown_node_are_refused_naming_the_criterion(
    loaded: list[LoadResult], shipped_criteria: dict[str, Any], write_file: LibraryWriter
) -> None:
    shipped_criteria["version"] = "2027-01-15"
    shipped_criteria["criteria"][0]["title"] = "Loaded only if the file is valid."
    shipped_criteria["criteria"][1]["cites"] = ["qd874.code.d4.k99"]

    with pytest.raises(LegalImportError) as error:
        load_file(path=write_file(shipped_criteria))

    assert "criterion 'platform_verified': cites 'qd874.code.d4.k99'" in str(error.value)
    assert LegalLibrary.objects.get(library_id="criteria-874").version == "2026-12-04"
    assert ComplianceCriterion.objects.get(ref="real_name").title.startswith("Trang mang")


def test_criteria_before_their_library_are_refused(
    db: None, shipped_criteria: dict[str, Any], write_file: LibraryWriter
) -> None:
    with pytest.raises(LegalImportError, match="load its library first"):
        load_file(path=write_file(shipped_criteria))

    assert not LegalLibrary.objects.exists()


def test_a_file_that_is_not_json_is_refused(db: None, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", "utf-8")

    with pytest.raises(LegalImportError, match="cannot be read as JSON"):
        load_file(path=broken)


def test_text_is_stored_nfc_and_searchable_folded(
    db: None, shipped_library: dict[str, Any], write_file: LibraryWriter
) -> None:
    import unicodedata

    node(shipped_library, "qd874.code.d4.k2")["text"] = unicodedata.normalize(
        "NFD", ARTICLE_4_CLAUSE_2
    )

    load_file(path=write_file(shipped_library))

    clause = LegalNode.objects.get(ref="qd874.code.d4.k2")
    assert clause.text == ARTICLE_4_CLAUSE_2
    assert json.dumps(clause.text) == json.dumps(unicodedata.normalize("NFC", clause.text))
