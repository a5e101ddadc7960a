"""The incidents API: scoped list, detail, report and workflow; and the public report.

Scoping is the selectors' (``users.scope``): an incident outside the caller's scope for
the action is a 404. The workflow goes through the same services as the web pages.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts_registry.models import SocialPage
from incidents import selectors, services
from incidents.models import Evidence, Incident, IncidentKind, IncidentState, IncidentStep
from incidents.reporters import may_see_reporter
from incidents.throttling import PublicReportThrottle
from units.models import Body
from users import scope
from users.requests import AuthenticatedRequest
from users.scope import Action

_TAGS = ["incidents"]


class StepSerializer(serializers.ModelSerializer[IncidentStep]):
    by = serializers.CharField(source="by.get_full_name", allow_null=True, default=None)

    class Meta:
        model = IncidentStep
        fields = ["from_state", "to_state", "note", "by", "at"]


class EvidenceSerializer(serializers.ModelSerializer[Evidence]):
    class Meta:
        model = Evidence
        fields = ["id", "link", "original_filename", "content_type", "size", "note", "added_at"]


class IncidentSerializer(serializers.ModelSerializer[Incident]):
    body_name = serializers.CharField(source="body.name", read_only=True)
    allowed_transitions = serializers.SerializerMethodField()
    # Blank when the incident was not reported by a citizen: "" is no email address, so the
    # schema must not promise one (schemathesis caught it).
    reporter_email = serializers.CharField(read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "kind",
            "body",
            "body_name",
            "page",
            "url",
            "canonical_url",
            "description",
            "discovered_at",
            "reported_to_platform_at",
            "closed_at",
            "state",
            "source",
            "reporter_name",
            "reporter_email",
            "reporter_phone",
            "created_at",
            "allowed_transitions",
        ]
        read_only_fields = fields

    def get_allowed_transitions(self, obj: Incident) -> list[str]:
        return list(services.allowed_transitions(obj.state))

    def to_representation(self, instance: Incident) -> dict[str, Any]:
        data = super().to_representation(instance)
        # A citizen reporter's details: the officers above the body only (privacy/).
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not may_see_reporter(user, instance.body.unit.path):
            for name in ("reporter_name", "reporter_email", "reporter_phone"):
                data[name] = ""
        return data


class IncidentDetailSerializer(IncidentSerializer):
    steps = StepSerializer(many=True, read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta(IncidentSerializer.Meta):
        fields = [*IncidentSerializer.Meta.fields, "steps", "evidence"]
        read_only_fields = fields


class IncidentCreateSerializer(serializers.Serializer[Any]):
    body = serializers.IntegerField(help_text="A body the caller works for.")
    kind = serializers.ChoiceField(choices=IncidentKind.choices)
    page = serializers.IntegerField(
        required=False, allow_null=True, help_text="The body's page (loss of control)."
    )
    url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    description = serializers.CharField(max_length=5000)
    discovered_at = serializers.DateTimeField(required=False, allow_null=True)


class TransitionSerializer(serializers.Serializer[Any]):
    to_state = serializers.ChoiceField(choices=IncidentState.choices)
    note = serializers.CharField(max_length=5000)


class EvidenceInputSerializer(serializers.Serializer[Any]):
    link = serializers.URLField(required=False, allow_blank=True, max_length=500)
    image = serializers.FileField(required=False, help_text="PNG, JPEG or WebP screenshot.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class PublicReportSerializer(serializers.Serializer[Any]):
    url = serializers.URLField(max_length=500, help_text="The suspect page's address.")
    body = serializers.IntegerField(help_text="The body the page pretends to be.")
    description = serializers.CharField(min_length=10, max_length=2000)
    image = serializers.FileField(required=False, help_text="PNG, JPEG or WebP screenshot.")
    reporter_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    reporter_email = serializers.EmailField(required=False, allow_blank=True)
    reporter_phone = serializers.RegexField(
        r"^\+?[0-9 .-]{8,20}$", required=False, allow_blank=True
    )
    website = serializers.CharField(
        required=False, allow_blank=True, help_text="Leave empty (a trap for robots)."
    )


_ACCEPTED = inline_serializer(
    name="PublicReportAccepted", fields={"detail": serializers.CharField()}
)


class IncidentFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=IncidentState.choices)
    kind = django_filters.ChoiceFilter(choices=IncidentKind.choices)
    unit = django_filters.NumberFilter(method="filter_unit", label="Unit id (with its subtree)")

    class Meta:
        model = Incident
        fields = ["state", "kind", "unit"]

    def filter_unit(
        self, queryset: QuerySet[Incident], name: str, value: Any
    ) -> QuerySet[Incident]:
        if self.request is None:
            # Used outside a request: no caller, so no unit is in scope.
            return queryset.none()
        unit = scope.units(self.request.user).filter(pk=int(value)).first()
        if unit is None:
            # A unit outside the caller's scope is as good as absent: nothing is below it.
            return queryset.none()
        return selectors.filter_incidents(queryset, unit=unit)


def _service_call(function: Any, **kwargs: Any) -> Any:
    """Call a service, turning its Django validation errors into a 400 answer."""
    try:
        return function(**kwargs)
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
        raise ValidationError(detail) from error


_ACTION_SCOPE = {"transition": Action.REVIEW}


@extend_schema_view(
    list=extend_schema(summary="List the incidents in scope", tags=_TAGS),
    retrieve=extend_schema(
        summary="One incident in scope, with its steps and evidence",
        tags=_TAGS,
        responses=IncidentDetailSerializer,
    ),
    create=extend_schema(
        summary="Report an incident for a body the caller works for",
        tags=_TAGS,
        request=IncidentCreateSerializer,
        responses={201: IncidentDetailSerializer},
    ),
)
class IncidentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Incident],
):
    """Incidents of the bodies the caller may see."""

    request: AuthenticatedRequest

    serializer_class = IncidentSerializer
    filterset_class = IncidentFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Incident]:
        incidents = selectors.incidents_for(
            self.request.user, _ACTION_SCOPE.get(self.action, Action.VIEW)
        )
        if self.action in ("list",):
            return selectors.incident_rows(incidents)
        return incidents.select_related("body__unit").prefetch_related("steps__by", "evidence")

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return IncidentSerializer if self.action == "list" else IncidentDetailSerializer

    def _answer(self, incident: Incident, code: int = status.HTTP_200_OK) -> Response:
        fresh = (
            Incident.objects.select_related("body__unit")
            .prefetch_related("steps__by", "evidence")
            .get(pk=incident.pk)
        )
        context = self.get_serializer_context()
        return Response(IncidentDetailSerializer(fresh, context=context).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = IncidentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        body = scope.bodies(self.request.user, Action.EDIT).filter(pk=data["body"]).first()
        if body is None:
            raise ValidationError({"body": ["Choose a body you work for."]})
        page = None
        if data.get("page") is not None:
            page = SocialPage.objects.filter(body=body, pk=data["page"]).first()
            if page is None:
                raise ValidationError({"page": ["This page is not one of the body's pages."]})
        incident = _service_call(
            services.incident_report,
            body=body,
            kind=data["kind"],
            page=page,
            url=data.get("url") or "",
            description=data["description"],
            discovered_at=data.get("discovered_at"),
            by=request.user,
        )
        return self._answer(incident, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Move an incident along its workflow (officers above the body)",
        tags=_TAGS,
        request=TransitionSerializer,
        responses=IncidentDetailSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def transition(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        incident = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        incident = _service_call(
            services.incident_transition,
            incident=incident,
            by=request.user,
            **serializer.validated_data,
        )
        return self._answer(incident)

    @extend_schema(
        summary="Add a link or a screenshot to an open incident",
        tags=_TAGS,
        request={"multipart/form-data": EvidenceInputSerializer},
        responses={201: EvidenceSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        filter_backends=[],
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def evidence(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        incident = self.get_object()
        user = request.user
        if not (
            selectors.incidents_for(user, Action.EDIT).filter(pk=incident.pk).exists()
            or selectors.incidents_for(user, Action.REVIEW).filter(pk=incident.pk).exists()
        ):
            raise PermissionDenied
        serializer = EvidenceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        item = _service_call(
            services.evidence_add,
            incident=incident,
            by=user,
            link=data.get("link") or "",
            image=data.get("image"),
            note=data.get("note") or "",
        )
        return Response(EvidenceSerializer(item).data, status=status.HTTP_201_CREATED)


class PublicReportView(APIView):
    """Report a suspected fake page: no login, rate limited; the answer reveals nothing."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [PublicReportThrottle]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        summary="Report a page impersonating a state body (public, rate limited)",
        tags=["public"],
        request={
            "multipart/form-data": PublicReportSerializer,
            "application/json": PublicReportSerializer,
        },
        responses={202: _ACCEPTED},
    )
    def post(self, request: Request) -> Response:
        serializer = PublicReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        accepted = Response(
            {"detail": "Thank you: the report was received."}, status=status.HTTP_202_ACCEPTED
        )
        if data.get("website"):
            # Answer a robot like a person, so it learns nothing; store nothing.
            return accepted
        body = Body.objects.filter(pk=data["body"], archived_at__isnull=True).first()
        if body is None:
            raise ValidationError({"body": ["Choose a body from the list."]})
        _service_call(
            services.incident_report_public,
            body=body,
            url=data["url"],
            description=data["description"],
            reporter_name=data.get("reporter_name") or "",
            reporter_email=data.get("reporter_email") or "",
            reporter_phone=data.get("reporter_phone") or "",
            image=data.get("image"),
        )
        return accepted
