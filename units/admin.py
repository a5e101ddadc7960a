"""Admin for the hierarchy and the bodies in it, for system administrators.

Nothing here is hard-deleted: a unit ends with ``valid_until`` (or a reorganisation) and a
body is archived; every change keeps a history (django-simple-history).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from portal.text import fold
from units.models import (
    AdministrativeUnit,
    Body,
    BodyTransfer,
    Reorganisation,
    UnitLevel,
)


class FoldedSearchMixin:
    """Admin search on ``search_name`` that ignores case and diacritics, NFD input included."""

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # search_name holds the folded name, so folding the term is all it takes.
        results: tuple[QuerySet[Any], bool] = super().get_search_results(  # type: ignore[misc]
            request, queryset, fold(search_term)
        )
        return results


@admin.register(UnitLevel)
class UnitLevelAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "rank", "code_width"]
    ordering = ["rank"]


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(FoldedSearchMixin, SimpleHistoryAdmin):
    list_display = ["name", "code", "level", "unit_type", "parent", "valid_from", "valid_until"]
    list_filter = ["level", "unit_type"]
    list_select_related = ["level", "parent"]
    search_fields = ["search_name", "code"]
    autocomplete_fields = ["parent", "succeeded_by"]
    readonly_fields = ["path", "depth"]
    ordering = ["path"]
    fields = [
        "level",
        "parent",
        "code",
        "name",
        "unit_type",
        "codename",
        "valid_from",
        "valid_until",
        "succeeded_by",
        "path",
        "depth",
    ]

    def get_readonly_fields(
        self, request: HttpRequest, obj: AdministrativeUnit | None = None
    ) -> list[str]:
        # The materialized path of the unit and its whole subtree follows the parent; moving a
        # unit is a reorganisation, not an edit of one field.
        return [*self.readonly_fields, "parent"] if obj is not None else list(self.readonly_fields)

    def has_delete_permission(
        self, request: HttpRequest, obj: AdministrativeUnit | None = None
    ) -> bool:
        # A unit that stops existing is closed with "in force until"; reports made before keep
        # pointing at it.
        return False


@admin.register(Body)
class BodyAdmin(FoldedSearchMixin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "unit", "supervising_body", "archived_at"]
    list_filter = ["kind", "unit__level", ("archived_at", admin.EmptyFieldListFilter)]
    list_select_related = ["unit", "supervising_body"]
    search_fields = ["search_name", "email"]
    autocomplete_fields = ["unit", "supervising_body"]
    readonly_fields = ["created_at", "updated_at"]
    actions = ["archive_selected"]

    def has_delete_permission(self, request: HttpRequest, obj: Body | None = None) -> bool:
        # What was registered stays on record: bodies are archived, never deleted.
        return False

    @admin.action(description=_("Archive the selected bodies"), permissions=["change"])
    def archive_selected(self, request: HttpRequest, queryset: QuerySet[Body]) -> None:
        now = timezone.now()
        archived = 0
        # One save per body, not a bulk update, so that each archive is in the history.
        for body in queryset.filter(archived_at__isnull=True):
            body.archived_at = now
            body.save(update_fields=["archived_at", "updated_at"])
            archived += 1
        self.message_user(
            request,
            ngettext("%(count)d body archived.", "%(count)d bodies archived.", archived)
            % {"count": archived},
            messages.SUCCESS,
        )


class BodyTransferInline(admin.TabularInline):
    model = BodyTransfer
    fields = ("body", "from_unit", "to_unit")
    readonly_fields = ("body", "from_unit", "to_unit")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


_REORGANISATION_FIELDS = (
    "kind",
    "effective_on",
    "predecessors",
    "successor",
    "legal_basis",
    "note",
    "created_by",
    "created_at",
)


@admin.register(Reorganisation)
class ReorganisationAdmin(FoldedSearchMixin, admin.ModelAdmin):
    """Reorganisations are applied by their service; here they are only read."""

    list_display = ["effective_on", "kind", "successor", "legal_basis", "created_at"]
    list_filter = ["kind", "effective_on"]
    list_select_related = ["successor"]
    search_fields = ["successor__search_name", "legal_basis"]
    date_hierarchy = "effective_on"
    inlines = [BodyTransferInline]
    fields = _REORGANISATION_FIELDS
    readonly_fields = _REORGANISATION_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: Reorganisation | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: Reorganisation | None = None
    ) -> bool:
        return False
