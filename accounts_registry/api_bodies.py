"""REST API for contact persons and posting rules, always within the caller's scope.

Reads start from ``accounts_registry.selectors.bodies`` (VIEW scope); writes go through the
services, and the body (and page) named in a write must be in the caller's EDIT scope, or
the request fails as if the body did not exist.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts_registry.files import DocumentKind
from accounts_registry.models import ContactPerson, PostingRules, SocialPage, Spokesperson
from accounts_registry.selectors import bodies as selectors
from accounts_registry.services.contacts import contact_set
from accounts_registry.services.rules import rules_upload
from accounts_registry.services.spokespersons import spokesperson_set
from accounts_registry.views_bodies import rules_file_response
from units.models import Body
from users import scope
from users.requests import AuthenticatedRequest
from users.scope import Action


@extend_schema_field(OpenApiTypes.INT)
class _EditableBodyField(serializers.PrimaryKeyRelatedField[Body]):
    """A body the caller may edit; any other id is "not found", whether it exists or not."""

    def get_queryset(self) -> QuerySet[Body]:
        return scope.bodies(self.context["request"].user, Action.EDIT)


@extend_schema_field(OpenApiTypes.INT)
class _EditablePageField(serializers.PrimaryKeyRelatedField[SocialPage]):
    def get_queryset(self) -> QuerySet[SocialPage]:
        return selectors.body_pages_for(self.context["request"].user, Action.EDIT)


def _raise_as_api_error(exc: DjangoValidationError) -> None:
    raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc


class ContactPersonSerializer(serializers.ModelSerializer[ContactPerson]):
    is_notified = serializers.BooleanField(read_only=True)
    # Blank when not given: the schema must not promise an email format for "".
    email = serializers.CharField(read_only=True)

    class Meta:
        model = ContactPerson
        fields = [
            "id",
            "body",
            "page",
            "name",
            "position",
            "phone",
            "email",
            "notice_number",
            "notice_date",
            "is_notified",
            "archived_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ContactPersonWriteSerializer(serializers.Serializer[ContactPerson]):
    """Set a body's default contact (no page) or a page's own contact."""

    body = _EditableBodyField()
    page = _EditablePageField(required=False, allow_null=True, default=None)
    name = serializers.CharField(max_length=150)
    position = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    phone = serializers.CharField(max_length=30)
    email = serializers.EmailField(required=False, default="", allow_blank=True)
    notice_number = serializers.CharField(
        max_length=60, required=False, default="", allow_blank=True
    )
    notice_date = serializers.DateField(required=False, allow_null=True, default=None)

    def create(self, validated_data: dict[str, Any]) -> ContactPerson:
        try:
            return contact_set(by=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            _raise_as_api_error(exc)
            raise  # unreachable: keeps type checkers content


class ContactFilter(django_filters.FilterSet):
    body = django_filters.NumberFilter(field_name="body", label="Body")
    # Not "page": that name is the pagination's page number.
    page_id = django_filters.NumberFilter(field_name="page", label="Official page")
    default = django_filters.BooleanFilter(
        field_name="page", lookup_expr="isnull", label="Only body defaults (true) or overrides"
    )
    archived = django_filters.BooleanFilter(
        field_name="archived_at",
        lookup_expr="isnull",
        exclude=True,
        label="Archived (true) or current (false) contacts; both when absent",
    )

    class Meta:
        model = ContactPerson
        fields = ["body", "page_id", "default", "archived"]


@extend_schema_view(
    list=extend_schema(summary="List contact persons in scope", tags=["registry: contacts"]),
    retrieve=extend_schema(summary="One contact person in scope", tags=["registry: contacts"]),
    create=extend_schema(
        summary="Set a body's default contact, or a page's own contact",
        description=(
            "The same person (same full name, ignoring case and diacritics) is updated in "
            "place; another person archives the current contact and creates a new one."
        ),
        tags=["registry: contacts"],
        request=ContactPersonWriteSerializer,
        responses={201: ContactPersonSerializer},
    ),
)
class ContactPersonViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[ContactPerson],
):
    """Contact persons of the bodies the caller may see."""

    request: AuthenticatedRequest

    filterset_class = ContactFilter

    def get_queryset(self) -> QuerySet[ContactPerson]:
        return selectors.contacts_for(self.request.user).order_by("body_id", "page_id", "-pk")

    def get_serializer_class(self) -> type[serializers.BaseSerializer[ContactPerson]]:
        if self.action == "create":
            return ContactPersonWriteSerializer
        return ContactPersonSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contact = serializer.save()
        return Response(ContactPersonSerializer(contact).data, status=status.HTTP_201_CREATED)


class PostingRulesSerializer(serializers.ModelSerializer[PostingRules]):
    is_current = serializers.BooleanField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = PostingRules
        fields = [
            "id",
            "body",
            "version",
            "document_number",
            "issued_on",
            "signed_by",
            "original_filename",
            "content_type",
            "size",
            "sha256",
            "is_current",
            "superseded_at",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, rules: PostingRules) -> str:
        from django.urls import reverse

        path = reverse("registry-posting-rules-download", kwargs={"pk": rules.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class PostingRulesUploadSerializer(serializers.Serializer[PostingRules]):
    """A new version of a body's rules: a PDF or DOCX, checked by content."""

    body = _EditableBodyField()
    document_number = serializers.CharField(max_length=60)
    issued_on = serializers.DateField()
    signed_by = serializers.CharField(max_length=150)
    file = serializers.FileField()

    def create(self, validated_data: dict[str, Any]) -> PostingRules:
        try:
            return rules_upload(by=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            _raise_as_api_error(exc)
            raise


class PostingRulesFilter(django_filters.FilterSet):
    body = django_filters.NumberFilter(field_name="body", label="Body")
    current = django_filters.BooleanFilter(
        field_name="superseded_at", lookup_expr="isnull", label="Only current versions (true)"
    )

    class Meta:
        model = PostingRules
        fields = ["body", "current"]


@extend_schema_view(
    list=extend_schema(
        summary="List posting rules (every version) in scope", tags=["registry: posting rules"]
    ),
    retrieve=extend_schema(
        summary="One version of a body's posting rules", tags=["registry: posting rules"]
    ),
    create=extend_schema(
        summary="Upload a new version of a body's posting rules",
        description=(
            "Multipart upload. The file must be a PDF or a DOCX by content (its name and "
            "declared type are ignored); the previous version is superseded and stays "
            "readable."
        ),
        tags=["registry: posting rules"],
        request={"multipart/form-data": PostingRulesUploadSerializer},
        responses={201: PostingRulesSerializer},
    ),
)
class PostingRulesViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[PostingRules],
):
    """Posting rules of the bodies the caller may see."""

    request: AuthenticatedRequest

    filterset_class = PostingRulesFilter
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[PostingRules]:
        return selectors.rules_for(self.request.user).order_by("body_id", "-version")

    def get_serializer_class(self) -> type[serializers.BaseSerializer[PostingRules]]:
        if self.action == "create":
            return PostingRulesUploadSerializer
        return PostingRulesSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rules = serializer.save()
        data = PostingRulesSerializer(rules, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download the file of this version",
        tags=["registry: posting rules"],
        filters=False,
        responses={
            (200, DocumentKind.PDF.content_type): OpenApiTypes.BINARY,
            (200, DocumentKind.DOCX.content_type): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="Not found, or outside the caller's scope."),
        },
    )
    @action(detail=True, filter_backends=[])
    def download(self, request: AuthenticatedRequest, pk: str | None = None) -> Any:
        return rules_file_response(self.get_object())


class SpokespersonSerializer(serializers.ModelSerializer[Spokesperson]):
    is_appointed = serializers.BooleanField(read_only=True)
    email = serializers.CharField(read_only=True)

    class Meta:
        model = Spokesperson
        fields = [
            "id",
            "body",
            "name",
            "position",
            "phone",
            "email",
            "decision_number",
            "decision_date",
            "is_appointed",
            "archived_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SpokespersonWriteSerializer(serializers.Serializer[Spokesperson]):
    """Set a body's spokesperson (Decree 09/2017/NĐ-CP)."""

    body = _EditableBodyField()
    name = serializers.CharField(max_length=150)
    position = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    phone = serializers.CharField(max_length=30)
    email = serializers.EmailField(required=False, default="", allow_blank=True)
    decision_number = serializers.CharField(
        max_length=60, required=False, default="", allow_blank=True
    )
    decision_date = serializers.DateField(required=False, allow_null=True, default=None)

    def create(self, validated_data: dict[str, Any]) -> Spokesperson:
        try:
            return spokesperson_set(by=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            _raise_as_api_error(exc)
            raise


class SpokespersonFilter(django_filters.FilterSet):
    body = django_filters.NumberFilter(field_name="body", label="Body")
    archived = django_filters.BooleanFilter(
        field_name="archived_at",
        lookup_expr="isnull",
        exclude=True,
        label="Archived (true) or current (false); both when absent",
    )

    class Meta:
        model = Spokesperson
        fields = ["body", "archived"]


@extend_schema_view(
    list=extend_schema(summary="List spokespersons in scope", tags=["registry: contacts"]),
    retrieve=extend_schema(summary="One spokesperson in scope", tags=["registry: contacts"]),
    create=extend_schema(
        summary="Set a body's spokesperson",
        description=(
            "The same person (same full name, ignoring case and diacritics) is updated in "
            "place; another person archives the current spokesperson and creates a new one."
        ),
        tags=["registry: contacts"],
        request=SpokespersonWriteSerializer,
        responses={201: SpokespersonSerializer},
    ),
)
class SpokespersonViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Spokesperson],
):
    """Spokespersons (current and archived) of the bodies the caller may see."""

    request: AuthenticatedRequest

    filterset_class = SpokespersonFilter

    def get_queryset(self) -> QuerySet[Spokesperson]:
        return selectors.spokespersons_for(self.request.user).order_by("body_id", "-pk")

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Spokesperson]]:
        if self.action == "create":
            return SpokespersonWriteSerializer
        return SpokespersonSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        spokesperson = serializer.save()
        return Response(SpokespersonSerializer(spokesperson).data, status=status.HTTP_201_CREATED)
