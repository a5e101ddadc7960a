"""Admin for outbound email: read-only, with a way to queue failed messages again."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications import services
from notifications.models import Notification, OutboundEmail

_EMAIL_FIELDS = (
    "to",
    "subject",
    "status",
    "attempts",
    "created_at",
    "sent_at",
    "last_error",
    "dedupe_key",
    "text_body",
    "html_body",
)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["to", "subject", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["to", "subject", "dedupe_key"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    fields = _EMAIL_FIELDS
    readonly_fields = _EMAIL_FIELDS

    # The log of what was sent is a record: it is read, never edited or deleted by hand.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboundEmail | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutboundEmail | None = None) -> bool:
        return False

    def has_send_again_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.change_outboundemail")

    @admin.action(
        description=_("Send the selected failed emails again"), permissions=["send_again"]
    )
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboundEmail]) -> None:
        count = services.requeue(email_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d email queued again.", "%(count)d emails queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "text", "created_at", "read_at"]
    list_filter = ["created_at"]
    search_fields = ["user__username", "text"]
    raw_id_fields = ["user"]
    readonly_fields = ["user", "text", "link", "dedupe_key", "created_at", "read_at"]

    # Notices are written by the portal, not by hand.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False
