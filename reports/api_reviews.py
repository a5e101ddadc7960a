"""API of the standing fake-page review (under ``/api/v1/reports/fake-page-reviews/``).

Reads come from ``selectors_reviews`` (scoped through ``users.scope``); writes go through
``services_reviews``, like the web page. A unit the caller does not act for is refused.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from reports import selectors_reviews as selectors
from reports import services_reviews as services
from reports.models import FakePageReview, ReportingPeriod
from units.models import AdministrativeUnit
from users.requests import AuthenticatedRequest

_TAGS = ["reports: fake-page reviews"]
# Ids are PostgreSQL integers: a larger number is refused as invalid, not sent to the database.
_MAX_ID = 2**31 - 1


def _as_api_error(error: DjangoValidationError) -> ValidationError:
    detail = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
    return ValidationError(detail)


class FakePageReviewSerializer(serializers.ModelSerializer[FakePageReview]):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    period_label = serializers.CharField(source="period.label", read_only=True)

    class Meta:
        model = FakePageReview
        fields = [
            "id",
            "unit",
            "unit_name",
            "period",
            "period_label",
            "scans_done",
            "fake_pages_found",
            "reported_to_platform",
            "taken_down",
            "notes",
            "updated_at",
        ]
        read_only_fields = fields


class FakePageReviewWriteSerializer(serializers.Serializer[Any]):
    unit = serializers.IntegerField(
        min_value=1, max_value=_MAX_ID, help_text="A unit the caller acts for."
    )
    period = serializers.IntegerField(min_value=1, max_value=_MAX_ID)
    scans_done = serializers.IntegerField(min_value=0, max_value=100_000)
    fake_pages_found = serializers.IntegerField(min_value=0, max_value=100_000)
    reported_to_platform = serializers.IntegerField(min_value=0, max_value=100_000)
    taken_down = serializers.IntegerField(min_value=0, max_value=100_000)
    notes = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)


class FakePageReviewFilter(django_filters.FilterSet):
    unit = django_filters.NumberFilter(field_name="unit")
    period = django_filters.NumberFilter(field_name="period")

    class Meta:
        model = FakePageReview
        fields = ["unit", "period"]


@extend_schema_view(
    list=extend_schema(summary="Fake-page reviews in scope", tags=_TAGS),
    retrieve=extend_schema(summary="One fake-page review in scope", tags=_TAGS),
    create=extend_schema(
        summary="Record (or correct) a unit's fake-page review for a period",
        tags=_TAGS,
        request=FakePageReviewWriteSerializer,
        responses={201: FakePageReviewSerializer},
    ),
)
class FakePageReviewViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[FakePageReview],
):
    # Signed in (``IsAuthenticated``): the user is a ``User``.
    request: AuthenticatedRequest
    filterset_class = FakePageReviewFilter
    serializer_class = FakePageReviewSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[FakePageReview]:
        return (
            selectors.fake_page_reviews_for(self.request.user)
            .select_related("unit", "period")
            .order_by("-period__starts_on", "unit__path", "pk")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = FakePageReviewWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        unit: AdministrativeUnit | None = (
            selectors.recording_units(self.request.user).filter(pk=data.pop("unit")).first()
        )
        if unit is None:
            raise ValidationError({"unit": ["Not found, or not a unit you act for."]})
        chosen = ReportingPeriod.objects.filter(
            pk=data.pop("period"), starts_on__lte=timezone.localdate()
        ).first()
        if chosen is None:
            raise ValidationError({"period": ["Not found, or not started yet."]})
        try:
            review = services.fake_page_review_record(
                unit=unit, period=chosen, by=self.request.user, **data
            )
        except DjangoValidationError as error:
            raise _as_api_error(error) from error
        return Response(FakePageReviewSerializer(review).data, status=status.HTTP_201_CREATED)
