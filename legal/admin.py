"""Read-only admin of the legal library: new versions are loaded with ``load_legal``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from legal.models import ComplianceCriterion, LegalLibrary, LegalLibraryVersion, LegalNode
from portal.text import fold


class ReadOnlyMixin:
    """The files are the source of truth: an edit here would be lost at the next load."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LegalLibraryVersionInline(ReadOnlyMixin, admin.TabularInline):
    model = LegalLibraryVersion
    fields = ["version", "item_count", "checksum", "loaded_at", "loaded_by"]
    readonly_fields = ["version", "item_count", "checksum", "loaded_at", "loaded_by"]
    extra = 0


@admin.register(LegalLibrary)
class LegalLibraryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["library_id", "content", "version", "title", "loaded_at", "loaded_by"]
    inlines = [LegalLibraryVersionInline]


@admin.register(LegalNode)
class LegalNodeAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["ref", "kind", "number", "title", "text_status", "retired_in_version"]
    list_filter = ["library", "kind", "text_status"]
    list_select_related = ["library"]
    search_fields = ["ref", "search_text"]
    ordering = ["library", "order"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # search_text is folded: fold the term so that "ten hieu that" finds "tên hiệu thật".
        results: tuple[QuerySet[Any], bool] = super().get_search_results(
            request, queryset, fold(search_term)
        )
        return results


@admin.register(ComplianceCriterion)
class ComplianceCriterionAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["ref", "title", "measure", "level", "version", "retired_in_version"]
    list_filter = ["measure", "level"]
    filter_horizontal = ["cites"]
    search_fields = ["ref", "title", "title_en"]
