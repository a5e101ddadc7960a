"""Checking uploaded documents by their content, never by their name or declared type.

A browser's ``Content-Type`` and a file's extension are whatever the sender says; an
``.exe`` renamed ``noi-quy.pdf`` must not reach other users' machines as a "PDF". So the
bytes decide: a PDF starts with ``%PDF-`` and ends with ``%%EOF``; a DOCX is a ZIP package
holding ``[Content_Types].xml`` and ``word/document.xml``. The ZIP directory is read, never
extracted, and bounded so that a small upload cannot claim gigabytes (a zip bomb).
"""

from __future__ import annotations

import enum
import hashlib
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# A DOCX is text and a few images: these bounds are far above any real rules document and
# far below what would hurt a server that later opens the file.
DOCX_MAX_ENTRIES = 1000
DOCX_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
# How far from the end ``%%EOF`` may sit: writers add a newline or a little padding.
PDF_EOF_WINDOW = 1024
_CONTENT_TYPES_MAX_BYTES = 1024 * 1024
_DOCX_MAIN_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main"

NOT_ACCEPTED = _(
    "Only PDF or DOCX files are accepted (the file's content was checked, not its name). "
    "Save the document as PDF or as a Word document (.docx) and upload it again."
)


class DocumentKind(enum.Enum):
    PDF = "pdf"
    DOCX = "docx"

    @property
    def content_type(self) -> str:
        return {
            DocumentKind.PDF: "application/pdf",
            DocumentKind.DOCX: (
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            ),
        }[self]

    @property
    def extension(self) -> str:
        return f".{self.value}"


@dataclass(frozen=True)
class CheckedDocument:
    """What the content check learnt about an accepted file."""

    kind: DocumentKind
    size: int
    sha256: str
    original_filename: str


def max_rules_bytes() -> int:
    return int(getattr(settings, "PORTAL_RULES_MAX_BYTES", 10 * 1024 * 1024))


def clean_filename(name: str | None) -> str:
    """The user's file name for display: NFC, without any directory part, never empty."""
    raw = unicodedata.normalize("NFC", name or "")
    # Browsers on Windows used to send "C:\\Users\\...\\file.pdf"; keep only the last part.
    base = PureWindowsPath(PurePosixPath(raw.replace("\x00", "")).name).name.strip()
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    return base[:255] or "document"


def check_document(file: UploadedFile, *, max_bytes: int | None = None) -> CheckedDocument:
    """Accept a PDF or DOCX by content, or raise ``ValidationError`` saying why not."""
    limit = max_rules_bytes() if max_bytes is None else max_bytes
    size = file.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
        )
    file.seek(0)
    head = file.read(8)
    if head.startswith(b"%PDF-"):
        _check_pdf(file, size)
        kind = DocumentKind.PDF
    elif head.startswith(b"PK\x03\x04"):
        _check_docx(file)
        kind = DocumentKind.DOCX
    else:
        raise ValidationError(NOT_ACCEPTED, code="not_accepted")
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return CheckedDocument(
        kind=kind,
        size=size,
        sha256=digest.hexdigest(),
        original_filename=clean_filename(file.name),
    )


def _check_pdf(file: IO[bytes], size: int) -> None:
    file.seek(max(0, size - PDF_EOF_WINDOW))
    if b"%%EOF" not in file.read(PDF_EOF_WINDOW):
        raise ValidationError(
            _("The PDF file is incomplete or damaged (it has no end marker). %(accepted)s"),
            code="broken_pdf",
            params={"accepted": NOT_ACCEPTED},
        )


def zip_entries(file: IO[bytes]) -> list[zipfile.ZipInfo] | None:
    """The entries of a ZIP package (DOCX, XLSX), or None when the bytes are no readable ZIP."""
    file.seek(0)
    try:
        if not zipfile.is_zipfile(file):
            return None
        file.seek(0)
        with zipfile.ZipFile(file) as package:
            return package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        return None
    finally:
        file.seek(0)


def inflates_too_much(
    entries: list[zipfile.ZipInfo], *, max_entries: int, max_uncompressed_bytes: int
) -> bool:
    """Whether a package has more entries, or unpacks to more bytes, than its kind would."""
    return len(entries) > max_entries or (
        sum(entry.file_size for entry in entries) > max_uncompressed_bytes
    )


def _check_docx(file: IO[bytes]) -> None:
    entries = zip_entries(file)
    if entries is None:
        raise ValidationError(NOT_ACCEPTED, code="not_accepted")
    if inflates_too_much(
        entries, max_entries=DOCX_MAX_ENTRIES, max_uncompressed_bytes=DOCX_MAX_UNCOMPRESSED_BYTES
    ):
        raise ValidationError(
            _("The DOCX file unpacks to far more than a document would; it was refused."),
            code="zip_bomb",
        )
    names = [entry.filename for entry in entries]
    if any(_unsafe_entry_name(name) for name in names):
        raise ValidationError(
            _("The DOCX file contains entries with unsafe paths; it was refused."),
            code="unsafe_entry",
        )
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        raise ValidationError(NOT_ACCEPTED, code="not_accepted")
    try:
        with zipfile.ZipFile(file) as package:
            types = package.getinfo("[Content_Types].xml")
            if types.file_size > _CONTENT_TYPES_MAX_BYTES:
                raise ValidationError(NOT_ACCEPTED, code="not_accepted")
            # An .xlsx or .pptx is also a ZIP package: only a Word document declares this type.
            with package.open(types) as stream:
                if _DOCX_MAIN_TYPE not in stream.read(_CONTENT_TYPES_MAX_BYTES):
                    raise ValidationError(NOT_ACCEPTED, code="not_accepted")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError) as exc:
        raise ValidationError(NOT_ACCEPTED, code="not_accepted") from exc


def _unsafe_entry_name(name: str) -> bool:
    """Whether a ZIP entry would land outside the folder it is unpacked into."""
    if not name or name.startswith(("/", "\\")) or "\x00" in name:
        return True
    if len(name) > 1 and name[1] == ":":  # a Windows drive, "C:..."
        return True
    return ".." in name.replace("\\", "/").split("/")
