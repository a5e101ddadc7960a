"""Serializers of the directives API: what a directive, a receipt and a report look like, and
what a caller may send. They validate shapes only; the services decide what is allowed, and
every choice of an object (issuer, recipients, the directive implemented) is looked up
within the caller's scope, so an object outside it is simply "not found".

One module per side: ``letters`` (a directive as read), ``receipts`` (a receipt, a report,
the sender's table, the chain), ``inputs`` (what a caller may send). All are importable
from here (``from directives.serializers import DirectiveSerializer``).
"""

from __future__ import annotations

from directives.serializers.inputs import (
    AskedFigureInputSerializer,
    AskedValuesField,
    DirectiveCreateSerializer,
    DirectiveUpdateSerializer,
    FigureInputSerializer,
    FiguresField,
    FileListInputSerializer,
    NamedGroupInputSerializer,
    PaperLetterInputSerializer,
    RecipientGroupInputSerializer,
    RecipientsInputSerializer,
    RemindInputSerializer,
    ReportInputSerializer,
)
from directives.serializers.letters import (
    AskedFigureSerializer,
    AttachmentSerializer,
    CitedNodeSerializer,
    DirectiveRefSerializer,
    DirectiveSerializer,
    NamedGroupSerializer,
    PaperLetterSerializer,
    RecipientsSummarySerializer,
)
from directives.serializers.receipts import (
    ChainNodeSerializer,
    ChainSerializer,
    FigureSerializer,
    FigureTotalSerializer,
    ImplementationRefSerializer,
    LateReceiptSerializer,
    ReceiptDetailSerializer,
    ReceiptRowSerializer,
    ReceiptSerializer,
    ReceiptTableSerializer,
    RemindedSerializer,
    ReportSerializer,
    TallySerializer,
)

__all__ = [
    "AskedFigureInputSerializer",
    "AskedFigureSerializer",
    "AskedValuesField",
    "AttachmentSerializer",
    "ChainNodeSerializer",
    "ChainSerializer",
    "CitedNodeSerializer",
    "DirectiveCreateSerializer",
    "DirectiveRefSerializer",
    "DirectiveSerializer",
    "DirectiveUpdateSerializer",
    "FigureInputSerializer",
    "FigureSerializer",
    "FigureTotalSerializer",
    "FiguresField",
    "FileListInputSerializer",
    "ImplementationRefSerializer",
    "LateReceiptSerializer",
    "NamedGroupInputSerializer",
    "NamedGroupSerializer",
    "PaperLetterInputSerializer",
    "PaperLetterSerializer",
    "ReceiptDetailSerializer",
    "ReceiptRowSerializer",
    "ReceiptSerializer",
    "ReceiptTableSerializer",
    "RecipientGroupInputSerializer",
    "RecipientsInputSerializer",
    "RecipientsSummarySerializer",
    "RemindInputSerializer",
    "RemindedSerializer",
    "ReportInputSerializer",
    "ReportSerializer",
    "TallySerializer",
]
