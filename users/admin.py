"""Admin for users and their roles, for system administrators."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from users import tokens
from users.models import ApiToken, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    """A user's roles. The form runs ``RoleAssignment.clean()``: a role needs its own anchor."""

    model = RoleAssignment
    fields = ["role", "unit", "body", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["unit", "body"]
    extra = 0


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    # Vietnamese names are kept whole (full_name); first and last name are left unused.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("full_name", "position", "email", "phone")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "email",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = ["username", "full_name", "email", "position", "is_active", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "role_assignments__role"]
    search_fields = ["username", "full_name", "email", "phone"]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [RoleAssignmentInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    """Every role ever granted or withdrawn, with its history; edited on the user's page."""

    list_display = ["user", "role", "unit", "body", "created_at"]
    list_filter = ["role"]
    list_select_related = ["user", "unit", "body"]
    search_fields = ["user__username", "user__full_name"]
    autocomplete_fields = ["user", "unit", "body"]
    readonly_fields = ["created_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators see every API token (never its secret: only a hash is kept) and may
    revoke one, e.g. when a script's server is lost; the revocation is audited."""

    list_display = ("name", "user", "created", "expiry", "last_used")
    list_filter = ("expiry",)
    search_fields = ("name", "user__username")
    list_select_related = ("user",)
    readonly_fields = ("name", "user", "created", "expiry", "last_used", "token_key")
    exclude = ("digest",)
    actions = ["revoke_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Revocation goes through the action below, which records it.
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Revoke the selected API tokens"))
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for token in queryset.select_related("user"):
            tokens.revoke(token, note="revoked by an administrator", request=request)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d API token was revoked.", "%(count)d API tokens were revoked.", count
            )
            % {"count": count},
        )
