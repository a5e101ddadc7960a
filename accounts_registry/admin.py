"""Admin of the register, for system administrators.

Platforms are data an administrator extends here. Pages are registered, edited and moved
through their workflow in the portal itself (where the services check every step): the
admin shows them read-only and can only archive them, through the same service. Nothing
in the register is ever hard-deleted, and every change keeps a history.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from accounts_registry.models import (
    ContactPerson,
    PageReview,
    PageState,
    Platform,
    PostingRules,
    SocialPage,
    Spokesperson,
)
from accounts_registry.services.pages import page_approve, page_archive
from portal.text import fold
from users.requests import AuthenticatedHttpRequest


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "rules", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["code", "name", "name_en"]
    ordering = ["order", "name"]
    # Pasted addresses without a scheme are web addresses, as everywhere else in the portal.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Pages point at their platform; a platform no longer used is set "not in use".
        return False


class _NoDelete:
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PageReviewInline(admin.TabularInline):
    model = PageReview
    extra = 0
    can_delete = False
    fields = readonly_fields = ("at", "from_state", "to_state", "by", "note")
    ordering = ["at", "pk"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SocialPage)
class SocialPageAdmin(_NoDelete, SimpleHistoryAdmin):
    list_display = ["display_name", "platform", "body", "state", "is_platform_verified"]
    list_filter = ["state", "platform", "is_platform_verified"]
    list_select_related = ["platform", "body"]
    search_fields = ["search_name", "canonical_key", "permanent_id"]
    inlines = [PageReviewInline]
    actions = ["approve_pages", "archive_pages"]
    fields = readonly_fields = (
        "body",
        "platform",
        "display_name",
        "url",
        "canonical_key",
        "permanent_id",
        "is_platform_verified",
        "platform_verified_on",
        "responsible_unit",
        "set_up_on",
        "notes",
        "state",
        "review_note",
        "submitted_at",
        "approved_at",
        "confirmed_at",
        "archived_at",
        "created_by",
        "created_at",
        "updated_at",
    )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # search_name is folded: fold the term too, so "cam ngoc" finds "Cẩm Ngọc".
        results: tuple[QuerySet[Any], bool] = super().get_search_results(
            request, queryset, fold(search_term)
        )
        return results

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Registration canonicalises the address and refuses duplicates: the portal does it.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Read-only: every change of a page goes through the portal's services.
        return False

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts_registry.change_socialpage")

    def has_archive_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts_registry.change_socialpage")

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        # Reverting to an old version would set the state without the workflow's checks.
        if request.method == "POST":
            raise PermissionDenied
        response: HttpResponse = super().history_form_view(
            request, object_id, version_id, extra_context
        )
        return response

    @admin.action(description=_("Approve the selected submitted pages"), permissions=["approve"])
    def approve_pages(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet[SocialPage]
    ) -> None:
        """Approve through the service, so the four-eyes rule holds here too: an
        administrator who registered or submitted a page is refused for that page."""
        approved = 0
        for page in queryset.filter(state=PageState.SUBMITTED):
            try:
                page_approve(page=page, by=request.user, note=str(_("Approved in the admin.")))
            except ValidationError as error:
                self.message_user(request, f"{page}: {'; '.join(error.messages)}", messages.ERROR)
            else:
                approved += 1
        self.message_user(
            request,
            ngettext("%(count)d page approved.", "%(count)d pages approved.", approved)
            % {"count": approved},
            messages.SUCCESS,
        )

    @admin.action(description=_("Archive the selected pages"), permissions=["archive"])
    def archive_pages(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet[SocialPage]
    ) -> None:
        archived = 0
        for page in queryset.exclude(state=PageState.ARCHIVED):
            try:
                page_archive(page=page, by=request.user, note=str(_("Archived in the admin.")))
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)
            else:
                archived += 1
        self.message_user(
            request,
            ngettext("%(count)d page archived.", "%(count)d pages archived.", archived)
            % {"count": archived},
            messages.SUCCESS,
        )


@admin.register(PageReview)
class PageReviewAdmin(admin.ModelAdmin):
    list_display = ["page", "from_state", "to_state", "by", "at"]
    list_filter = ["to_state"]
    list_select_related = ["page", "page__platform", "by"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ContactPerson)
class ContactPersonAdmin(_NoDelete, SimpleHistoryAdmin):
    list_display = ["name", "body", "page", "phone", "email", "notice_number", "archived_at"]
    list_filter = ["archived_at"]
    list_select_related = ["body", "page", "page__platform"]
    search_fields = ["name", "phone", "email"]
    autocomplete_fields = ["body", "page"]


@admin.register(Spokesperson)
class SpokespersonAdmin(_NoDelete, SimpleHistoryAdmin):
    list_display = ["name", "body", "position", "phone", "decision_number", "archived_at"]
    list_filter = ["archived_at"]
    list_select_related = ["body"]
    search_fields = ["name", "phone", "email", "decision_number"]
    autocomplete_fields = ["body"]


@admin.register(PostingRules)
class PostingRulesAdmin(_NoDelete, SimpleHistoryAdmin):
    list_display = ["document_number", "body", "version", "issued_on", "superseded_at"]
    list_select_related = ["body"]
    search_fields = ["document_number", "signed_by"]
    readonly_fields = [
        "body",
        "version",
        "file",
        "original_filename",
        "content_type",
        "size",
        "sha256",
        "superseded_at",
        "uploaded_by",
        "uploaded_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # An upload is checked by content and numbered as a version: the portal does it.
        return False
