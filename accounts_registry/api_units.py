"""REST API for units and bodies: read-only, and always within the caller's scope.

Every queryset starts from ``users.scope``: an object outside the caller's scope is not
found (404), in lists, details and actions alike.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.text import fold
from units.models import AdministrativeUnit, Body, BodyKind, UnitLevel
from users import scope
from users.requests import AuthenticatedRequest


class UnitSerializer(serializers.ModelSerializer[AdministrativeUnit]):
    level: serializers.SlugRelatedField[UnitLevel] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    is_in_force = serializers.BooleanField(read_only=True)

    class Meta:
        model = AdministrativeUnit
        fields = [
            "id",
            "code",
            "name",
            "unit_type",
            "level",
            "parent",
            "depth",
            "valid_from",
            "valid_until",
            "is_in_force",
            "succeeded_by",
        ]
        read_only_fields = fields


class BodySerializer(serializers.ModelSerializer[Body]):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Body
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "unit",
            "unit_name",
            "supervising_body",
            "email",
            "phone",
            "address",
            "archived_at",
        ]
        read_only_fields = fields


def _search(queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
    # Folded on both sides, so "cam ngoc", "CẨM NGỌC" and NFD input all match "Xã Cẩm Ngọc".
    return queryset.filter(search_name__contains=fold(value)) if value.strip() else queryset


class _ScopedFilterSet(django_filters.FilterSet):
    """A filter set whose ``within`` filter resolves its unit through the scoping module."""

    unit_path_lookup = "path"

    def filter_within(self, queryset: QuerySet[Any], name: str, value: int) -> QuerySet[Any]:
        if self.request is None:
            # Used outside a request: no caller, so no unit is in scope.
            return queryset.none()
        path = (
            scope.units(self.request.user).filter(pk=value).values_list("path", flat=True).first()
        )
        if path is None:
            # A unit outside the caller's scope is as good as absent: nothing is below it.
            return queryset.none()
        return queryset.filter(**{f"{self.unit_path_lookup}__startswith": path})


class UnitFilter(_ScopedFilterSet):
    q = django_filters.CharFilter(method=_search, label="Name, ignoring case and diacritics")
    level = django_filters.CharFilter(field_name="level__code", label="Level code")
    parent = django_filters.NumberFilter(field_name="parent", label="Parent unit")
    within = django_filters.NumberFilter(
        method="filter_within", label="In the subtree of this unit (itself included)"
    )

    class Meta:
        model = AdministrativeUnit
        fields = ["q", "level", "parent", "within", "code"]


class BodyFilter(_ScopedFilterSet):
    unit_path_lookup = "unit__path"

    q = django_filters.CharFilter(method=_search, label="Name, ignoring case and diacritics")
    kind = django_filters.ChoiceFilter(choices=BodyKind.choices)
    unit = django_filters.NumberFilter(field_name="unit", label="Unit")
    within = django_filters.NumberFilter(
        method="filter_within", label="In the subtree of this unit (itself included)"
    )

    class Meta:
        model = Body
        fields = ["q", "kind", "unit", "within"]


@extend_schema_view(
    list=extend_schema(summary="List the units in scope", tags=["units"]),
    retrieve=extend_schema(summary="One unit in scope", tags=["units"]),
)
class UnitViewSet(viewsets.ReadOnlyModelViewSet[AdministrativeUnit]):
    """Administrative units the caller may see."""

    request: AuthenticatedRequest

    serializer_class = UnitSerializer
    filterset_class = UnitFilter

    def get_queryset(self) -> QuerySet[AdministrativeUnit]:
        return scope.units(self.request.user).order_by("path")

    @extend_schema(
        summary="The unit's ancestors in scope, top first",
        tags=["units"],
        responses=UnitSerializer(many=True),
        filters=False,
    )
    @action(detail=True, pagination_class=None, filter_backends=[])
    def ancestors(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        unit = self.get_object()
        # Read from the materialized path in one query; ancestors outside the caller's scope
        # (a commune officer's province, say) are left out like everything else outside it.
        ancestors = self.get_queryset().filter(pk__in=unit.ancestor_ids()).order_by("depth")
        return Response(self.get_serializer(ancestors, many=True).data)

    @extend_schema(
        summary="The unit's direct children in scope",
        tags=["units"],
        responses=UnitSerializer(many=True),
        filters=False,
    )
    @action(detail=True, filter_backends=[])
    def children(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        unit = self.get_object()
        children = self.get_queryset().filter(parent=unit).order_by("name", "pk")
        page = self.paginate_queryset(children)
        if page is not None:
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        return Response(self.get_serializer(children, many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="List the bodies in scope",
        tags=["bodies"],
        parameters=[
            OpenApiParameter(
                "include_archived",
                OpenApiTypes.BOOL,
                description="Also list archived bodies (left out by default).",
            )
        ],
    ),
    retrieve=extend_schema(summary="One body in scope, archived or not", tags=["bodies"]),
)
class BodyViewSet(viewsets.ReadOnlyModelViewSet[Body]):
    """State bodies the caller may see."""

    request: AuthenticatedRequest

    serializer_class = BodySerializer
    filterset_class = BodyFilter

    def get_queryset(self) -> QuerySet[Body]:
        bodies = scope.bodies(self.request.user).order_by("unit__path", "name", "pk")
        # Lists show the current registry; an archived body is still reachable by its id.
        include_archived = self.request.query_params.get("include_archived", "")
        if self.action == "list" and include_archived.lower() not in {"1", "true", "yes"}:
            bodies = bodies.filter(archived_at__isnull=True)
        return bodies
