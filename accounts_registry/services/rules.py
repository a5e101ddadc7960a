"""Internal rules on posting (nội quy; Code art. 5 cl. 2): versioned uploads per body."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts_registry.files import check_document
from accounts_registry.models import PostingRules
from accounts_registry.services.notices import tell_reviewers
from portal.history import record_by
from portal.text import nfc
from units.models import Body

RULES_UPLOADED = _("%(body)s uploaded new posting rules: %(number)s, version %(version)d")


def rules_upload(
    *,
    body: Body,
    document_number: str,
    issued_on: date,
    signed_by: str,
    file: UploadedFile,
    by: Any,
) -> PostingRules:
    """Store a new version of a body's rules; the current version becomes superseded."""
    errors: dict[str, Any] = {}
    try:
        checked = check_document(file)
    except ValidationError as exc:
        errors["file"] = exc.error_list
    if issued_on is not None and issued_on > timezone.localdate():
        errors["issued_on"] = ValidationError(
            _("The issue date cannot be in the future."), code="future_issue"
        )
    if errors:
        raise ValidationError(errors)

    rules = PostingRules(
        body=body,
        document_number=" ".join(nfc(document_number).split()),
        issued_on=issued_on,
        signed_by=" ".join(nfc(signed_by).split()),
        original_filename=checked.original_filename,
        content_type=checked.kind.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    # The stored name comes from ``upload_to`` (a UUID); only the sniffed type's extension
    # is passed on, never the user's file name.
    file.seek(0)
    rules.file = File(file, name=f"rules{checked.kind.extension}")
    try:
        with transaction.atomic():
            # Serialise uploads for one body: two at once would both read the same "max"
            # version and both try to be current.
            Body.objects.select_for_update().filter(pk=body.pk).values_list("pk").get()
            latest = PostingRules.objects.filter(body=body).aggregate(top=Max("version"))
            rules.version = (latest["top"] or 0) + 1
            current = PostingRules.objects.filter(body=body, superseded_at__isnull=True).first()
            if current is not None:
                current.superseded_at = timezone.now()
                record_by(current, by)
                current.save(update_fields=["superseded_at"])
            # The file is checked above by content; ``uploaded_by`` may be None for an
            # upload by the system (a command), which the model allows (null) but does
            # not mark blank.
            rules.full_clean(exclude=["file", *(["uploaded_by"] if by is None else [])])
            record_by(rules, by)
            rules.save()
            # No review applies to the rules; the body's reviewers are told of the new
            # version, in this transaction so that a refused upload tells nobody.
            tell_reviewers(
                body=body,
                text=RULES_UPLOADED,
                values={"number": rules.document_number, "version": rules.version},
                key=f"posting-rules:{rules.pk}",
                by=by,
            )
    except BaseException:
        # The file may already be on disk when the database refuses the row.
        if rules.file.name and rules.file.name.startswith("posting-rules/"):
            rules.file.storage.delete(rules.file.name)
        raise
    return rules
