"""API for monitoring findings (under ``/api/v1/incidents/``).

Reads come from ``selectors_findings`` (scoped through ``users.scope``); writes go through
``services_findings``, like the web pages. A body or unit outside the caller's scope for the
action is "not found".
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts_registry.models import SocialPage
from incidents import selectors_findings as selectors
from incidents import services_findings as services
from incidents.models import (
    FindingCategory,
    FindingSeverity,
    FindingSource,
    FindingState,
    MonitoringFinding,
)
from users import scope
from users.requests import AuthenticatedRequest
from users.scope import Action

_TAGS = ["incidents: monitoring findings"]
# Ids are PostgreSQL integers: a larger number is refused as invalid, not sent to the database.
_MAX_ID = 2**31 - 1


def _as_api_error(error: DjangoValidationError) -> ValidationError:
    detail = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
    return ValidationError(detail)


class FindingSerializer(serializers.ModelSerializer[MonitoringFinding]):
    body_name = serializers.CharField(source="body.name", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = MonitoringFinding
        fields = [
            "id",
            "body",
            "body_name",
            "page",
            "source",
            "reference",
            "found_on",
            "category",
            "severity",
            "description",
            "remediation_required",
            "deadline",
            "state",
            "is_overdue",
            "remediation_note",
            "remediated_at",
            "closing_note",
            "closed_at",
            "finder_unit",
            "created_at",
        ]
        read_only_fields = fields


class FindingCreateSerializer(serializers.Serializer[Any]):
    body = serializers.IntegerField(
        min_value=1, max_value=_MAX_ID, help_text="A body below the caller's unit (REVIEW)."
    )
    page = serializers.IntegerField(
        min_value=1, max_value=_MAX_ID, required=False, allow_null=True, default=None
    )
    source = serializers.ChoiceField(choices=FindingSource.choices)  # type: ignore[assignment]
    reference = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    found_on = serializers.DateField()
    category = serializers.ChoiceField(choices=FindingCategory.choices)
    severity = serializers.ChoiceField(choices=FindingSeverity.choices)
    description = serializers.CharField(max_length=5000)
    remediation_required = serializers.CharField(max_length=5000)
    deadline = serializers.DateField()


class FindingNoteSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)


class FindingFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=FindingState.choices)
    body = django_filters.NumberFilter(field_name="body")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Only overdue (true)")

    class Meta:
        model = MonitoringFinding
        fields = ["state", "body", "overdue"]

    def filter_overdue(
        self, queryset: QuerySet[MonitoringFinding], name: str, value: Any
    ) -> QuerySet[MonitoringFinding]:
        if not value:
            return queryset
        return queryset.filter(state=FindingState.OPEN, deadline__lt=timezone.localdate())


@extend_schema_view(
    list=extend_schema(summary="Monitoring findings in scope", tags=_TAGS),
    retrieve=extend_schema(summary="One monitoring finding in scope", tags=_TAGS),
    create=extend_schema(
        summary="Record a finding about a body below the caller (the body is told)",
        tags=_TAGS,
        request=FindingCreateSerializer,
        responses={201: FindingSerializer},
    ),
)
class FindingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[MonitoringFinding],
):
    request: AuthenticatedRequest

    filterset_class = FindingFilter
    serializer_class = FindingSerializer

    def get_queryset(self) -> QuerySet[MonitoringFinding]:
        action_scope = Action.EDIT if self.action == "remediate" else Action.VIEW
        return selectors.finding_rows(selectors.findings_for(self.request.user, action_scope))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = FindingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        body = scope.bodies(self.request.user, Action.REVIEW).filter(pk=data.pop("body")).first()
        if body is None:
            raise ValidationError({"body": ["Not found, or outside your scope."]})
        page_id = data.pop("page")
        page = None
        if page_id is not None:
            page = SocialPage.objects.filter(pk=page_id, body=body).first()
            if page is None:
                raise ValidationError({"page": ["Not one of the body's pages."]})
        try:
            finding = services.finding_record(body=body, page=page, by=request.user, **data)
        except DjangoValidationError as error:
            raise _as_api_error(error) from error
        return Response(FindingSerializer(finding).data, status=status.HTTP_201_CREATED)

    def _run(self, request: AuthenticatedRequest, function: Any, **kwargs: Any) -> Response:
        serializer = FindingNoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            finding = function(
                finding=self.get_object(),
                by=request.user,
                note=serializer.validated_data["note"],
                **kwargs,
            )
        except DjangoValidationError as error:
            raise _as_api_error(error) from error
        return Response(FindingSerializer(finding).data)

    @extend_schema(
        summary="The body reports what it did (staff of the body)",
        tags=_TAGS,
        request=FindingNoteSerializer,
        responses=FindingSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def remediate(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._run(request, services.finding_remediate)

    def _decide(self, request: AuthenticatedRequest, function: Any) -> Response:
        if not services.may_close(self.get_object(), request.user):
            raise PermissionDenied("Only the office that recorded the finding can do this.")
        return self._run(request, function)

    @extend_schema(
        summary="The finder closes the finding",
        tags=_TAGS,
        request=FindingNoteSerializer,
        responses=FindingSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def close(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._decide(request, services.finding_close)

    @extend_schema(
        summary="The finder reopens the finding (note required)",
        tags=_TAGS,
        request=FindingNoteSerializer,
        responses=FindingSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reopen(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._decide(request, services.finding_reopen)
