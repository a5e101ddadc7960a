"""Reads of directives for a user, all through ``users.scope``.

Who sees what:
- the issuing side (staff of the issuing body, officers over its unit) sees the directive,
  drafts included, and every receipt of it;
- a recipient sees the issued directive and its own receipt; an officer also sees the
  receipts of the units below them, so a province follows the whole chain;
- the directive is managed (edited while a draft, issued, reminders sent) by those who may
  issue for its issuing body (``scope.issuing_bodies``);
- a receipt is answered (acknowledged, reported on) by those it is addressed to
  (``scope.addressed_to``), while its recipient has not ceased (``receipt_open_q``).

Dates: only units in force and bodies open on a letter's date may be addressed, and only
those whose role assignments are in force are told or may act (``users.scope``).

The reads live in one module per sub-domain and are all importable from here
(``from directives import selectors``; ``selectors.inbox_for(user)``):

- ``reach``: who may read, manage and answer what; the inbox and the letters out;
- ``table``: the sender's table of recipients and its tally;
- ``recipients``: whom a sender may address, who answers for a receipt, what a user owes;
- ``groups``: named groups, the tasks per recipient, the figures asked;
- ``chain``: the chain of implementing letters, its figures, the letter on paper at its top.
"""

from __future__ import annotations

from directives.selectors.chain import (
    MAX_CHAIN_DEPTH,
    ChainNode,
    FigureTotal,
    ancestors_of,
    chain_below,
    figure_totals,
    get_paper_scan_or_404,
    paper_root,
)
from directives.selectors.groups import (
    GroupView,
    ReceiptTasks,
    named_groups,
    named_groups_of,
    task_numbers_for,
    tasks_by_receipt,
    tasks_of,
)
from directives.selectors.reach import (
    answerable,
    can_manage,
    directives_for,
    filter_directives,
    get_answerable_or_404,
    get_attachment_or_404,
    get_directive_or_404,
    get_managed_or_404,
    get_receipt_or_404,
    inbox_for,
    manageable,
    outgoing_for,
    receipt_open_q,
    receipts_for,
    receipts_in_reach,
    recipient_ceased,
)
from directives.selectors.recipients import (
    ceased_recipients,
    handlers_of,
    implementable,
    inbox_counts,
    issuer_people,
    recipient_bodies,
    recipient_units,
    unanswered,
)
from directives.selectors.table import (
    ReceiptRow,
    Tally,
    ceased_on,
    implementations_by_issuer,
    receipt_rows,
    reports_of,
    tally,
)

__all__ = [
    "MAX_CHAIN_DEPTH",
    "ChainNode",
    "FigureTotal",
    "GroupView",
    "ReceiptRow",
    "ReceiptTasks",
    "Tally",
    "ancestors_of",
    "answerable",
    "can_manage",
    "ceased_on",
    "ceased_recipients",
    "chain_below",
    "directives_for",
    "figure_totals",
    "filter_directives",
    "get_answerable_or_404",
    "get_attachment_or_404",
    "get_directive_or_404",
    "get_managed_or_404",
    "get_paper_scan_or_404",
    "get_receipt_or_404",
    "handlers_of",
    "implementable",
    "implementations_by_issuer",
    "inbox_counts",
    "inbox_for",
    "issuer_people",
    "manageable",
    "named_groups",
    "named_groups_of",
    "outgoing_for",
    "paper_root",
    "receipt_open_q",
    "receipt_rows",
    "receipts_for",
    "receipts_in_reach",
    "recipient_bodies",
    "recipient_ceased",
    "recipient_units",
    "reports_of",
    "tally",
    "task_numbers_for",
    "tasks_by_receipt",
    "tasks_of",
    "unanswered",
]
