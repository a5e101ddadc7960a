"""Directive pages: the list and inbox, drafting, the letter, its recipients and its chain.

Every view fetches its directive, receipt or file through ``directives.selectors`` (which
asks ``users.scope``): anything outside the user's reach is a 404, never data. Writes go
through ``directives.services``; their ``ValidationError``s are shown on the form fields
they name, or as messages.
"""

from __future__ import annotations

from directives.views.common import (
    letter_date,
)
from directives.views.files import (
    attachment_download,
    directive_docx,
    directive_pdf,
    letter_filename,
    paper_scan_download,
)
from directives.views.letters import (
    directive_archive,
    directive_chain,
    directive_create,
    directive_detail,
    directive_edit,
    directive_issue,
    directive_list,
    directive_remind,
    inbox,
    outbox,
)
from directives.views.receipts import (
    receipt_acknowledge,
    receipt_detail,
    report_create,
)

__all__ = [
    "attachment_download",
    "directive_archive",
    "directive_chain",
    "directive_create",
    "directive_detail",
    "directive_docx",
    "directive_edit",
    "directive_issue",
    "directive_list",
    "directive_pdf",
    "directive_remind",
    "inbox",
    "letter_date",
    "letter_filename",
    "outbox",
    "paper_scan_download",
    "receipt_acknowledge",
    "receipt_detail",
    "report_create",
]
