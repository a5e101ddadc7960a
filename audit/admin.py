"""The audit trail in the admin: searchable, filterable, and read-only for everyone."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """No one adds, changes or deletes an event here, superusers included."""

    list_display = ["at", "action", "actor_username", "object_repr", "ip_address"]
    list_filter = ["action", ("at", admin.DateFieldListFilter)]
    search_fields = ["actor_username", "object_repr", "ip_address", "note"]
    date_hierarchy = "at"
    list_select_related = ["actor"]
    readonly_fields = [
        "at",
        "action",
        "actor",
        "actor_username",
        "object_type",
        "object_id",
        "object_repr",
        "unit_path",
        "ip_address",
        "user_agent",
        "note",
    ]
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The trail is for system administrators (superusers), not every staff account.
        return bool(request.user.is_active and request.user.is_superuser)
