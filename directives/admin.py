"""Admin for directives: read what was sent and answered; nothing is added or deleted here.

An issued directive is a sent letter and is shown read-only; a draft's text may be corrected,
through ``services.directive_update`` like any other edit. Receipts, reports and reminders
are records of what people did: they are read, never changed, in the admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from directives import services
from directives.models import (
    AskedFigure,
    Attachment,
    Directive,
    ImplementationReport,
    Instruction,
    NamedGroup,
    PaperLetter,
    Receipt,
    Reminder,
    ReportFigure,
)


class ReadOnlyInline(admin.TabularInline):
    """An inline that lists rows without adding, changing or deleting any."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class InstructionInline(ReadOnlyInline):
    model = Instruction
    fields = readonly_fields = ("position", "text")


class ReceiptInline(ReadOnlyInline):
    model = Receipt
    fields = readonly_fields = (
        "unit",
        "body",
        "delivered_at",
        "read_at",
        "acknowledged_at",
        "acknowledged_by",
        "reported_at",
    )
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> Any:
        return (
            super()
            .get_queryset(request)
            .select_related("unit", "body", "acknowledged_by", "directive")
        )


class DirectiveAttachmentInline(ReadOnlyInline):
    model = Attachment
    fk_name = "directive"
    fields = readonly_fields = ("original_filename", "kind", "size", "uploaded_by", "uploaded_at")


class ReportAttachmentInline(DirectiveAttachmentInline):
    fk_name = "report"


class FigureInline(ReadOnlyInline):
    model = ReportFigure
    fields = readonly_fields = ("position", "key", "label", "value")


class NamedGroupInline(ReadOnlyInline):
    """Named recipient groups: written on the letter; delivered to members in the portal."""

    model = NamedGroup
    fields = readonly_fields = ("position", "name", "kind", "placement", "task_numbers")


class AskedFigureInline(ReadOnlyInline):
    model = AskedFigure
    fields = readonly_fields = ("position", "key", "label", "unit", "task_number")


# Fields that belong to the sender's workflow, changed only by the services.
WORKFLOW_FIELDS = (
    "issuer",
    "implements",
    "implements_paper",
    "cited_nodes",
    "state",
    "created_by",
    "issued_by",
    "issued_at",
    "created_at",
    "updated_at",
)


@admin.register(Directive)
class DirectiveAdmin(SimpleHistoryAdmin):
    list_display = ["reference_display", "subject", "issuer", "issued_on", "state"]
    list_filter = ["state", "issued_on"]
    list_select_related = ["issuer"]
    search_fields = ["number", "symbol", "subject", "issuer__name"]
    date_hierarchy = "issued_on"
    fields = ("issuer", *services.DRAFT_FIELDS, *(f for f in WORKFLOW_FIELDS if f != "issuer"))
    readonly_fields = WORKFLOW_FIELDS
    inlines = [
        InstructionInline,
        NamedGroupInline,
        AskedFigureInline,
        ReceiptInline,
        DirectiveAttachmentInline,
    ]

    @admin.display(description=_("number and symbol"), ordering="number")
    def reference_display(self, obj: Directive) -> str:
        return obj.reference

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Directive | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Directive | None = None) -> bool:
        # A sent letter never changes: an issued (or archived) directive is only viewed.
        if obj is not None and not obj.is_draft:
            return False
        allowed: bool = super().has_change_permission(request, obj)
        return allowed

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        # History is read here; a draft is corrected on its own page, through the service.
        return True

    def save_model(
        self, request: HttpRequest, obj: Directive, form: ModelForm, change: bool
    ) -> None:
        changed = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in services.DRAFT_FIELDS
        }
        try:
            services.directive_update(obj, by=request.user, fields=changed)  # type: ignore[arg-type]
        except ValidationError as exc:
            # Issued meanwhile by someone else: the draft is no longer a draft.
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)


class RecordAdmin(admin.ModelAdmin):
    """A record of what someone did: listed and read, never added, changed or deleted."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Receipt)
class ReceiptAdmin(RecordAdmin):
    list_display = ["directive", "unit", "body", "delivered_at", "acknowledged_at", "reported_at"]
    list_filter = ["acknowledged_at", "reported_at"]
    list_select_related = ["directive", "directive__issuer", "unit", "body"]
    search_fields = ["directive__number", "directive__subject", "unit__name", "body__name"]
    fields = readonly_fields = (
        "directive",
        "unit",
        "body",
        "delivered_at",
        "read_at",
        "read_by",
        "acknowledged_at",
        "acknowledged_by",
        "reported_at",
    )


@admin.register(ImplementationReport)
class ImplementationReportAdmin(RecordAdmin):
    list_display = ["receipt", "submitted_by", "submitted_at"]
    list_select_related = [
        "receipt",
        "receipt__unit",
        "receipt__body",
        "receipt__directive",
        "submitted_by",
    ]
    search_fields = ["text", "receipt__directive__subject", "receipt__body__name"]
    date_hierarchy = "submitted_at"
    fields = readonly_fields = ("receipt", "text", "submitted_by", "submitted_at")
    inlines = [FigureInline, ReportAttachmentInline]


@admin.register(Reminder)
class ReminderAdmin(RecordAdmin):
    list_display = ["receipt", "step", "kind", "sent_by", "sent_at"]
    list_filter = ["kind", "sent_at"]
    list_select_related = ["receipt", "receipt__unit", "receipt__body", "sent_by"]
    search_fields = ["step", "receipt__directive__subject", "receipt__body__name"]
    fields = readonly_fields = ("receipt", "step", "kind", "sent_by", "sent_at", "batch")


@admin.register(PaperLetter)
class PaperLetterAdmin(RecordAdmin):
    """Letters from above that exist only on paper, as the letters implementing them cite
    them; recorded through those letters, read here."""

    list_display = ["reference", "issued_on", "issuer_name", "subject", "recorded_by_body"]
    list_select_related = ["recorded_by_body"]
    search_fields = ["reference", "issuer_name", "subject"]
    date_hierarchy = "issued_on"
    fields = readonly_fields = (
        "reference",
        "issued_on",
        "issuer_name",
        "subject",
        "recorded_by_body",
        "scan_filename",
        "created_by",
        "created_at",
    )
