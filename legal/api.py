"""REST API of the legal library: read-only and public, since the Code is public law."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny

from legal.models import (
    ComplianceCriterion,
    LegalLibrary,
    LegalNode,
    NodeKind,
    TextStatus,
)
from portal.text import fold


class LegalLibrarySerializer(serializers.ModelSerializer[LegalLibrary]):
    class Meta:
        model = LegalLibrary
        fields = [
            "library_id",
            "content",
            "version",
            "title",
            "issuer",
            "issued_on",
            "in_force_from",
            "locale",
            "notes",
            "checksum",
            "loaded_at",
        ]
        read_only_fields = fields


class LegalNodeSerializer(serializers.ModelSerializer[LegalNode]):
    library: serializers.SlugRelatedField[LegalLibrary] = serializers.SlugRelatedField(
        slug_field="library_id", read_only=True
    )
    # DRF's metaclass moves declared fields off the class, so "parent" does not shadow
    # Field.parent at run time; the stubs cannot know that.
    parent: serializers.SlugRelatedField[LegalNode] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="ref", read_only=True
    )
    text_status_label = serializers.CharField(source="get_text_status_display", read_only=True)
    cited_by: serializers.SlugRelatedField[ComplianceCriterion] = serializers.SlugRelatedField(
        source="criteria", slug_field="ref", many=True, read_only=True
    )

    class Meta:
        model = LegalNode
        fields = [
            "ref",
            "library",
            "parent",
            "kind",
            "number",
            "title",
            "text",
            "text_status",
            "text_status_label",
            "source",
            "origin",
            "origin_en",
            "order",
            "retired_in_version",
            "cited_by",
        ]
        read_only_fields = fields


class ComplianceCriterionSerializer(serializers.ModelSerializer[ComplianceCriterion]):
    cites: serializers.SlugRelatedField[LegalNode] = serializers.SlugRelatedField(
        slug_field="ref", many=True, read_only=True
    )

    class Meta:
        model = ComplianceCriterion
        fields = [
            "ref",
            "title",
            "title_en",
            "measure",
            "level",
            "notes",
            "rationale",
            "rationale_en",
            "order",
            "cites",
            "version",
            "retired_in_version",
        ]
        read_only_fields = fields


def _search(queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
    # Folded on both sides: "ten hieu that" finds "tên hiệu thật", NFD input included.
    return queryset.filter(search_text__contains=fold(value)) if fold(value) else queryset


def _include_retired(queryset: QuerySet[Any], name: str, value: bool) -> QuerySet[Any]:
    # Applied in LegalNodeViewSet.get_queryset, which must also act when it is absent.
    return queryset


class LegalNodeFilter(django_filters.FilterSet):
    library = django_filters.CharFilter(field_name="library__library_id", label="Library id")
    q = django_filters.CharFilter(
        method=_search, label="Title or text, ignoring case and diacritics"
    )
    kind = django_filters.ChoiceFilter(choices=NodeKind.choices)
    text_status = django_filters.ChoiceFilter(choices=TextStatus.choices)
    parent = django_filters.CharFilter(field_name="parent__ref", label="Parent node id")
    include_retired = django_filters.BooleanFilter(
        method=_include_retired, label="Also list nodes retired by a newer version"
    )

    class Meta:
        model = LegalNode
        fields = ["library", "q", "kind", "text_status", "parent", "include_retired"]


@extend_schema_view(
    list=extend_schema(summary="List the legal libraries loaded", tags=["legal"]),
    retrieve=extend_schema(summary="One legal library, at its current version", tags=["legal"]),
)
class LegalLibraryViewSet(viewsets.ReadOnlyModelViewSet[LegalLibrary]):
    """Legal texts and criteria sets, with the version loaded."""

    permission_classes = [AllowAny]
    serializer_class = LegalLibrarySerializer
    lookup_field = "library_id"
    queryset = LegalLibrary.objects.order_by("library_id")


@extend_schema_view(
    list=extend_schema(
        summary="List the nodes of the legal texts (articles, clauses…)",
        description="text_status says whether the text is the official wording (verbatim) "
        "or a summary that must not be quoted as the official wording.",
        tags=["legal"],
    ),
    retrieve=extend_schema(summary="One node by its stable id", tags=["legal"]),
)
class LegalNodeViewSet(viewsets.ReadOnlyModelViewSet[LegalNode]):
    """Articles, clauses and points, under their stable ids (qd874.code.d4.k2)."""

    permission_classes = [AllowAny]
    serializer_class = LegalNodeSerializer
    filterset_class = LegalNodeFilter
    lookup_field = "ref"
    # Ids contain dots: the router's default pattern stops at them.
    lookup_value_regex = r"[^/]+"

    def get_queryset(self) -> QuerySet[LegalNode]:
        nodes = (
            LegalNode.objects.select_related("library", "parent")
            .prefetch_related(
                Prefetch("criteria", queryset=ComplianceCriterion.objects.order_by("order"))
            )
            .order_by("library__library_id", "order")
        )
        # Retired nodes stay reachable by id (citations point at them) but are left out of
        # lists unless asked for.
        include_retired = self.request.query_params.get("include_retired", "")
        if self.action == "list" and include_retired.lower() not in {"1", "true", "yes"}:
            nodes = nodes.filter(retired_in_version="")
        return nodes


@extend_schema_view(
    list=extend_schema(summary="List the compliance criteria in force", tags=["legal"]),
    retrieve=extend_schema(summary="One compliance criterion by its id", tags=["legal"]),
)
class ComplianceCriterionViewSet(viewsets.ReadOnlyModelViewSet[ComplianceCriterion]):
    """What a state body is assessed on, with the node ids each criterion cites."""

    permission_classes = [AllowAny]
    serializer_class = ComplianceCriterionSerializer
    lookup_field = "ref"

    def get_queryset(self) -> QuerySet[ComplianceCriterion]:
        criteria = ComplianceCriterion.objects.prefetch_related(
            Prefetch("cites", queryset=LegalNode.objects.order_by("order"))
        ).order_by("order", "ref")
        if self.action == "list":
            criteria = criteria.filter(retired_in_version="")
        return criteria
