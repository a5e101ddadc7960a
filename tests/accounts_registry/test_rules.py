"""Posting rules: content checks on upload, generated storage names, versions."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts_registry.models import PostingRules
from accounts_registry.services.rules import rules_upload
from tests import factories
from tests.accounts_registry.factories_bodies import (
    CONTENT_TYPES,
    DOCUMENT,
    EXE_BYTES,
    OLE_DOC_BYTES,
    PNG_BYTES,
    TINY_PDF,
    docx_bytes,
    pdf_upload,
    upload,
)
from tests.conftest import Tree


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _upload(tree: Tree, file: Any, **overrides: Any) -> PostingRules:
    values: dict[str, Any] = {
        "body": tree.ubnd_cam_ngoc,
        "document_number": "12/QĐ-UBND",
        "issued_on": date(2024, 5, 2),
        "signed_by": "Chủ tịch UBND xã",
        "file": file,
        "by": None,
    }
    values.update(overrides)
    return rules_upload(**values)


def _refusal(tree: Tree, file: Any) -> str:
    with pytest.raises(ValidationError) as error:
        _upload(tree, file)
    assert not PostingRules.objects.exists()
    (only,) = error.value.error_dict["file"]
    return str(only.code)


def test_a_real_pdf_is_accepted_and_stored_under_a_generated_name(
    tree: Tree, media_root: Path
) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)

    rules = _upload(tree, pdf_upload("../../etc/Nội quy đăng tin.pdf"), by=staff)

    assert rules.version == 1
    assert rules.is_current
    assert rules.content_type == "application/pdf"
    assert rules.size == len(TINY_PDF)
    assert rules.sha256 == hashlib.sha256(TINY_PDF).hexdigest()
    assert rules.original_filename == "Nội quy đăng tin.pdf"
    assert rules.file.name.startswith(f"posting-rules/{tree.ubnd_cam_ngoc.pk}/")
    assert rules.file.name.endswith(".pdf")
    assert "Nội" not in rules.file.name
    assert "etc" not in rules.file.name
    assert (media_root / rules.file.name).read_bytes() == TINY_PDF
    assert rules.uploaded_by == staff


def test_an_nfd_file_name_is_kept_in_nfc(tree: Tree) -> None:
    import unicodedata

    name = unicodedata.normalize("NFD", "Nội quy.pdf")

    rules = _upload(tree, pdf_upload(name))

    assert rules.original_filename == unicodedata.normalize("NFC", name)


def test_a_docx_built_in_memory_is_accepted(tree: Tree) -> None:
    rules = _upload(tree, upload("noi-quy.docx", docx_bytes(), "application/octet-stream"))

    assert rules.content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert rules.file.name.endswith(".docx")


def test_a_renamed_exe_is_refused(tree: Tree) -> None:
    assert _refusal(tree, upload("noi-quy.pdf", EXE_BYTES)) == "not_accepted"


def test_a_png_named_docx_is_refused(tree: Tree) -> None:
    assert _refusal(tree, upload("noi-quy.docx", PNG_BYTES, "image/png")) == "not_accepted"


def test_an_old_word_doc_is_refused(tree: Tree) -> None:
    assert _refusal(tree, upload("noi-quy.doc", OLE_DOC_BYTES)) == "not_accepted"


def test_a_pdf_without_an_end_marker_is_refused(tree: Tree) -> None:
    broken = TINY_PDF.replace(b"%%EOF", b"")

    assert _refusal(tree, upload("noi-quy.pdf", broken)) == "broken_pdf"


def test_an_empty_file_is_refused(tree: Tree) -> None:
    assert _refusal(tree, upload("noi-quy.pdf", b"")) == "empty"


def test_an_oversized_file_is_refused(tree: Tree, settings: Any) -> None:
    settings.PORTAL_RULES_MAX_BYTES = 100
    padded = b"%PDF-1.4\n" + b"0" * 200 + b"\n%%EOF\n"

    assert _refusal(tree, upload("noi-quy.pdf", padded)) == "too_large"


def test_a_zip_bomb_disguised_as_docx_is_refused(tree: Tree) -> None:
    # 200 MiB of zeros compress to about 200 KiB: small upload, huge when unpacked.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("word/document.xml", DOCUMENT)
        with package.open("word/media/bomb.bin", "w", force_zip64=True) as entry:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(200):
                entry.write(chunk)
    bomb = buffer.getvalue()
    assert len(bomb) < 1024 * 1024

    assert _refusal(tree, upload("noi-quy.docx", bomb)) == "zip_bomb"


def test_a_docx_with_too_many_entries_is_refused(tree: Tree) -> None:
    many = docx_bytes({f"word/media/{n}.xml": b"x" for n in range(1001)})

    assert _refusal(tree, upload("noi-quy.docx", many)) == "zip_bomb"


@pytest.mark.parametrize(
    "entry", ["../../evil.sh", "word/../../evil.sh", "/etc/passwd", "C:/evil.bat", "..\\evil"]
)
def test_a_docx_with_path_traversal_entries_is_refused(tree: Tree, entry: str) -> None:
    crafted = docx_bytes({entry: b"owned"})

    assert _refusal(tree, upload("noi-quy.docx", crafted)) == "unsafe_entry"


def test_a_zip_that_is_not_a_word_document_is_refused(tree: Tree) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("hello.txt", b"hi")

    assert _refusal(tree, upload("noi-quy.docx", buffer.getvalue())) == "not_accepted"


def test_a_spreadsheet_renamed_docx_is_refused(tree: Tree) -> None:
    xlsx_types = CONTENT_TYPES.replace(
        b"wordprocessingml.document.main", b"spreadsheetml.sheet.main"
    )

    assert _refusal(tree, upload("noi-quy.docx", docx_bytes(content_types=xlsx_types))) == (
        "not_accepted"
    )


def test_a_truncated_zip_is_refused(tree: Tree) -> None:
    assert _refusal(tree, upload("noi-quy.docx", docx_bytes()[:60])) == "not_accepted"


def test_an_issue_date_in_the_future_is_refused(tree: Tree) -> None:
    with pytest.raises(ValidationError) as error:
        _upload(tree, pdf_upload(), issued_on=timezone.localdate() + timedelta(days=3))

    assert "issued_on" in error.value.message_dict


def test_a_new_version_supersedes_the_current_one_which_stays_readable(
    tree: Tree, media_root: Path
) -> None:
    first = _upload(tree, pdf_upload("v1.pdf"))

    second = _upload(tree, upload("v2.docx", docx_bytes()), document_number="20/QĐ-UBND")

    first.refresh_from_db()
    assert second.version == 2
    assert second.is_current
    assert first.superseded_at is not None
    assert (media_root / first.file.name).exists()
    assert list(
        PostingRules.objects.filter(body=tree.ubnd_cam_ngoc).values_list("version", flat=True)
    ) == [2, 1]


def test_versions_are_counted_per_body(tree: Tree) -> None:
    _upload(tree, pdf_upload())
    _upload(tree, pdf_upload())

    other = _upload(tree, pdf_upload(), body=tree.ubnd_cam_thanh)

    assert other.version == 1


def test_the_database_refuses_two_current_versions(tree: Tree) -> None:
    first = _upload(tree, pdf_upload())

    with pytest.raises(IntegrityError), transaction.atomic():
        PostingRules.objects.create(
            body=tree.ubnd_cam_ngoc,
            version=first.version + 1,
            document_number="x",
            issued_on=date(2024, 1, 1),
            signed_by="x",
            file="posting-rules/x.pdf",
            original_filename="x.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
        )


def test_a_refused_upload_leaves_no_file_behind(tree: Tree, media_root: Path) -> None:
    with pytest.raises(ValidationError):
        _upload(tree, pdf_upload(), signed_by="")

    assert not any(path.is_file() for path in media_root.rglob("*"))


def test_uploads_record_who_changed_what(tree: Tree) -> None:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    first = _upload(tree, pdf_upload(), by=staff)
    _upload(tree, pdf_upload(), by=staff)

    latest = first.history.first()
    assert latest.history_user == staff
    assert latest.superseded_at is not None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_uploads_for_one_body_get_distinct_versions(tree: Tree) -> None:
    import threading

    from django.db import connection

    barrier = threading.Barrier(3)
    failures: list[BaseException] = []

    def upload_one() -> None:
        try:
            barrier.wait()
            _upload(tree, pdf_upload())
        except BaseException as exc:  # reported to the main thread, which asserts on it
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload_one) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    rows = PostingRules.objects.filter(body=tree.ubnd_cam_ngoc)
    assert sorted(rows.values_list("version", flat=True)) == [1, 2, 3]
    assert rows.filter(superseded_at__isnull=True).count() == 1
