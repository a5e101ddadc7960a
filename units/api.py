"""REST API for units and bodies: read-only, and always within the caller's scope."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from portal.text import fold
from units.models import AdministrativeUnit, Body, BodyKind, UnitLevel
from users import scope


class UnitSerializer(serializers.ModelSerializer[AdministrativeUnit]):
    level: serializers.SlugRelatedField[UnitLevel] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

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
            "succeeded_by",
        ]
        read_only_fields = fields


class BodySerializer(serializers.ModelSerializer[Body]):
    class Meta:
        model = Body
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "unit",
            "supervising_body",
            "email",
            "phone",
            "address",
            "archived_at",
        ]
        read_only_fields = fields


def _search(queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
    return queryset.filter(search_name__contains=fold(value)) if value.strip() else queryset


class UnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method=_search, label="Name, ignoring case and diacritics")
    level = django_filters.CharFilter(field_name="level__code")
    parent = django_filters.NumberFilter(field_name="parent")

    class Meta:
        model = AdministrativeUnit
        fields = ["q", "level", "parent", "code"]


class BodyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method=_search, label="Name, ignoring case and diacritics")
    kind = django_filters.ChoiceFilter(choices=BodyKind.choices)
    unit = django_filters.NumberFilter(field_name="unit")

    class Meta:
        model = Body
        fields = ["q", "kind", "unit"]


class UnitViewSet(viewsets.ReadOnlyModelViewSet[AdministrativeUnit]):
    """Administrative units the caller may see."""

    serializer_class = UnitSerializer
    filterset_class = UnitFilter

    def get_queryset(self) -> QuerySet[AdministrativeUnit]:
        return scope.units(self.request.user).order_by("path")


class BodyViewSet(viewsets.ReadOnlyModelViewSet[Body]):
    """State bodies the caller may see."""

    serializer_class = BodySerializer
    filterset_class = BodyFilter

    def get_queryset(self) -> QuerySet[Body]:
        return scope.bodies(self.request.user).order_by("unit__path", "name")
