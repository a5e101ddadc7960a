"""Attachments of directives and of implementation reports, accepted by their content."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from accounts_registry.files import check_document, clean_filename
from incidents.files import sniff_image

NOT_ACCEPTED = _(
    "Only PDF, Word (.docx) or image (PNG, JPEG, WebP) files can be attached (the file's "
    "content was checked, not its name)."
)

# A directive or a report carries a handful of files, never a folder of them.
MAX_FILES = 10


@dataclass(frozen=True)
class CheckedAttachment:
    kind: str  # "pdf", "docx", "png", "jpeg", "webp"
    size: int
    original_filename: str


def max_attachment_bytes() -> int:
    return int(getattr(settings, "PORTAL_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def check_attachment(upload: UploadedFile) -> CheckedAttachment:
    """Accept a PDF, DOCX or image by content and size, or raise ``ValidationError``."""
    limit = max_attachment_bytes()
    size = upload.size or 0
    if size > limit:
        raise ValidationError(
            _("%(name)s is too large (%(size)s); the limit is %(limit)s."),
            code="too_large",
            params={
                "name": clean_filename(upload.name),
                "size": filesizeformat(size),
                "limit": filesizeformat(limit),
            },
        )
    upload.seek(0)
    head = upload.read(32)
    upload.seek(0)
    image_type = sniff_image(head)
    if image_type is not None:
        return CheckedAttachment(
            image_type.removeprefix("image/"), size, clean_filename(upload.name)
        )
    try:
        document = check_document(upload, max_bytes=limit)
    except ValidationError as exc:
        if getattr(exc, "code", None) == "not_accepted":
            raise ValidationError(NOT_ACCEPTED, code="not_accepted") from exc
        raise
    return CheckedAttachment(document.kind.value, document.size, document.original_filename)


def check_attachments(uploads: list[UploadedFile]) -> list[CheckedAttachment]:
    """Check every file, naming each bad one; refuse more than ``MAX_FILES``."""
    if len(uploads) > MAX_FILES:
        raise ValidationError(
            _("Attach at most %(count)d files."), code="too_many", params={"count": MAX_FILES}
        )
    errors: list[ValidationError] = []
    checked: list[CheckedAttachment] = []
    for upload in uploads:
        try:
            checked.append(check_attachment(upload))
        except ValidationError as exc:
            errors.append(exc)
    if errors:
        raise ValidationError(errors)
    return checked


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
}
