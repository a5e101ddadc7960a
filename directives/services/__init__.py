"""Writes to directives: drafting, issuing, answering, reminding.

Every write goes through here, from the UI, the API, the admin, the demo and the tasks.
Who may call what is decided by the callers through ``directives.selectors`` (which asks
``users.scope``); the services check what the data must satisfy whoever calls: recipients
in the issuer's jurisdiction, a draft edited only while a draft, a receipt answered only
once issued, a reminder sent at most once per receipt and step.

Dates: nothing that has ceased may act. A letter's date falls within its issuer's life (its
unit in force, the body not archived); it goes only to units and bodies in force on that
date; and a receipt whose recipient has ceased is no longer answered or reminded.

The package, along its seams: ``drafting``, ``addressees`` (Kính gửi, Nơi nhận), ``issuing``,
``answering``, ``notices`` and ``reminders``; callers import from here.
"""

from directives.services.addressees import (
    LONG_ADDRESSEE_LIST,
    default_addressees,
    default_distribution,
    letter_addressees,
    letter_distribution,
)
from directives.services.answering import (
    receipt_acknowledge,
    receipt_open,
    report_submit,
)
from directives.services.drafting import (
    DRAFT_FIELDS,
    FigureSpec,
    NamedGroupSpec,
    PaperSpec,
    RecipientGroup,
    Recipients,
    default_place,
    directive_create,
    directive_update,
)
from directives.services.issuing import (
    directive_issue,
    implements_receipt_q,
    paper_basis,
)
from directives.services.reminders import (
    ReminderOutcome,
    due_steps,
    remind_now,
    reminder_days,
    send_due_reminders,
)
from directives.services.workflow import directive_archive

__all__ = [
    "DRAFT_FIELDS",
    "LONG_ADDRESSEE_LIST",
    "FigureSpec",
    "NamedGroupSpec",
    "PaperSpec",
    "RecipientGroup",
    "Recipients",
    "ReminderOutcome",
    "default_addressees",
    "default_distribution",
    "default_place",
    "directive_archive",
    "directive_create",
    "directive_issue",
    "directive_update",
    "due_steps",
    "implements_receipt_q",
    "letter_addressees",
    "letter_distribution",
    "paper_basis",
    "receipt_acknowledge",
    "receipt_open",
    "remind_now",
    "reminder_days",
    "report_submit",
    "send_due_reminders",
]
