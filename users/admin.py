"""Admin for users and their roles, for system administrators."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from users.models import RoleAssignment, User


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
