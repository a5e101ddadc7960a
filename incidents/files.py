"""Checking uploaded screenshots by their bytes, never by their name or declared type.

Pillow is not a dependency, so the check reads the signatures of the three formats a
screenshot comes in (PNG, JPEG, WebP). A renamed executable or HTML page fails it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from accounts_registry.files import clean_filename

NOT_AN_IMAGE = _(
    "Only PNG, JPEG or WebP screenshots are accepted (the file's content was checked, "
    "not its name)."
)
_HEAD_BYTES = 32


@dataclass(frozen=True)
class CheckedImage:
    content_type: str
    size: int
    original_filename: str


def max_evidence_bytes() -> int:
    return int(getattr(settings, "PORTAL_EVIDENCE_MAX_BYTES", 5 * 1024 * 1024))


def sniff_image(head: bytes) -> str | None:
    """The content type the leading bytes announce, or None for anything else."""
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP" and head[12:15] == b"VP8":
        return "image/webp"
    return None


def check_image(upload: UploadedFile) -> CheckedImage:
    """Accept a screenshot by its content and size; ValidationError on field "image"."""
    size = upload.size or 0
    if size > max_evidence_bytes():
        raise ValidationError(
            {
                "image": _("The screenshot is too large (at most %(limit)s).")
                % {"limit": filesizeformat(max_evidence_bytes())}
            }
        )
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    content_type = sniff_image(head)
    if content_type is None or size == 0:
        raise ValidationError({"image": NOT_AN_IMAGE})
    return CheckedImage(content_type, size, clean_filename(upload.name))
