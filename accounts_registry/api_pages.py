"""REST API of the official pages and platforms, scoped exactly like the pages of the site.

Each action reads its page through ``selectors.pages.pages_for`` with the scope it needs
(view, edit or review): a page outside that scope is not found (404). Writes and workflow
steps go through ``services.pages``, so the API can do nothing the UI could not.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts_registry.models import PageState, Platform, SocialPage
from accounts_registry.selectors import pages as selectors
from accounts_registry.services import pages as services
from units.models import Body
from users import scope
from users.requests import AuthenticatedRequest
from users.scope import Action


class PlatformSerializer(serializers.ModelSerializer[Platform]):
    # Blank for some platforms: the schema must not promise a URI for "".
    example_url = serializers.CharField(read_only=True)

    class Meta:
        model = Platform
        fields = ["code", "name", "name_en", "hosts", "example_url", "is_active"]
        read_only_fields = fields


class PageSerializer(serializers.ModelSerializer[SocialPage]):
    body_name = serializers.CharField(source="body.name", read_only=True)
    unit = serializers.IntegerField(source="body.unit_id", read_only=True)
    unit_name = serializers.CharField(source="body.unit.name", read_only=True)
    platform: serializers.SlugRelatedField[Platform] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    has_contact = serializers.BooleanField(read_only=True)
    has_rules = serializers.BooleanField(read_only=True)
    needs_review = serializers.BooleanField(read_only=True)

    class Meta:
        model = SocialPage
        fields = [
            "id",
            "body",
            "body_name",
            "unit",
            "unit_name",
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
            "has_contact",
            "has_rules",
            "needs_review",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class _PageInputSerializer(serializers.Serializer[Any]):
    """The page's own fields, as the services take them."""

    platform = serializers.SlugRelatedField(
        slug_field="code", queryset=Platform.objects.filter(is_active=True)
    )
    display_name = serializers.CharField(max_length=255)
    url = serializers.CharField(max_length=500, help_text="Any form of the page's address.")
    permanent_id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    is_platform_verified = serializers.BooleanField(required=False)
    platform_verified_on = serializers.DateField(required=False, allow_null=True)
    responsible_unit = serializers.CharField(max_length=255, required=False, allow_blank=True)
    set_up_on = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)


class PageCreateSerializer(_PageInputSerializer):
    body = serializers.PrimaryKeyRelatedField(
        queryset=Body.objects.none(), help_text="A body the caller edits."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Only bodies the caller may edit exist for this field: others are "not found".
            self.fields["body"].queryset = scope.bodies(request.user, Action.EDIT).filter(  # type: ignore[attr-defined]
                archived_at__isnull=True
            )


class PageUpdateSerializer(_PageInputSerializer):
    pass


class NoteSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnNoteSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(help_text="What the body must correct.")


class PageFilter(django_filters.FilterSet):
    """The filters of the page list in the UI, for the API."""

    q = django_filters.CharFilter(method="filter_noop", label="Name, address or body")
    unit = django_filters.NumberFilter(
        method="filter_noop", label="In the subtree of this unit (itself included)"
    )
    body = django_filters.NumberFilter(method="filter_noop", label="Body")
    platform = django_filters.CharFilter(method="filter_noop", label="Platform code")
    state = django_filters.ChoiceFilter(
        method="filter_noop",
        choices=PageState.choices,
        label="State (without it, archived pages are left out)",
    )
    gap = django_filters.ChoiceFilter(
        method="filter_noop", choices=list(selectors.GAPS.items()), label="Compliance gap"
    )

    class Meta:
        model = SocialPage
        fields = ["q", "unit", "body", "platform", "state", "gap"]

    def filter_noop(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        # The filters are applied together by ``filter_queryset`` below, through the selector.
        return queryset

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        data = self.form.cleaned_data
        unit = None
        if data.get("unit") is not None:
            # Used outside a request, there is no caller and no unit in scope.
            if self.request is not None:
                unit = scope.units(self.request.user).filter(pk=int(data["unit"])).first()
            if unit is None:
                # A unit outside the caller's scope is as good as absent: nothing is below it.
                return queryset.none()
        return selectors.filter_pages(
            queryset,
            unit=unit,
            body=int(data["body"]) if data.get("body") is not None else None,
            platform=data.get("platform") or None,
            state=data.get("state") or None,
            gap=data.get("gap") or None,
            q=data.get("q") or "",
        )


def _service_call(function: Any, **kwargs: Any) -> SocialPage:
    """Call a service, turning its Django validation errors into a 400 answer."""
    try:
        page: SocialPage = function(**kwargs)
        return page
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
        raise ValidationError(detail) from error


_ACTION_SCOPE = {
    "list": Action.VIEW,
    "retrieve": Action.VIEW,
    "partial_update": Action.EDIT,
    "submit": Action.EDIT,
    "confirm": Action.EDIT,
    "archive": Action.EDIT,
    "approve": Action.REVIEW,
    "return_": Action.REVIEW,
}

_TAGS = ["registry pages"]


@extend_schema_view(
    list=extend_schema(summary="List the official pages in scope", tags=_TAGS),
    retrieve=extend_schema(summary="One page in scope", tags=_TAGS),
    create=extend_schema(
        summary="Register a page (as a draft) for a body the caller edits",
        tags=_TAGS,
        request=PageCreateSerializer,
        responses={201: PageSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a draft, returned or approved page (approved goes back to review)",
        tags=_TAGS,
        request=PageUpdateSerializer,
        responses=PageSerializer,
    ),
)
class PageViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[SocialPage],
):
    """Official pages of the bodies the caller may see."""

    request: AuthenticatedRequest

    serializer_class = PageSerializer
    filterset_class = PageFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[SocialPage]:
        pages = selectors.pages_for(self.request.user, _ACTION_SCOPE.get(self.action, Action.VIEW))
        return selectors.page_rows(selectors.with_gaps(pages))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Pages through bare ids and reads whole rows only for the page answered
        # (``selectors.rows_of``): a far page does not work out the gaps of every row it skips.
        ordered = self.filter_queryset(self.get_queryset())
        ids = self.paginate_queryset(ordered.values_list("pk", flat=True)) or []
        rows = selectors.rows_of(ordered, ids)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def _answer(self, page: SocialPage, code: int = status.HTTP_200_OK) -> Response:
        # Read back with the same annotations as the list, whatever scope the step needed.
        page = selectors.page_rows(selectors.with_gaps(SocialPage.objects.filter(pk=page.pk))).get()
        return Response(
            PageSerializer(page, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = PageCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        page = _service_call(services.page_register, by=request.user, **serializer.validated_data)
        return self._answer(page, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.get_object()
        serializer = PageUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        page = _service_call(
            services.page_update, page=page, by=request.user, **serializer.validated_data
        )
        return self._answer(page)

    def _step(self, request: AuthenticatedRequest, function: Any, note_serializer: Any) -> Response:
        page = self.get_object()
        serializer = note_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kwargs = (
            {} if function is services.page_submit else {"note": serializer.validated_data["note"]}
        )
        page = _service_call(function, page=page, by=request.user, **kwargs)
        return self._answer(page)

    @extend_schema(
        summary="Submit a draft or returned page for review",
        tags=_TAGS,
        request=None,
        responses=PageSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def submit(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._step(request, services.page_submit, NoteSerializer)

    @extend_schema(
        summary="Approve a submitted page (reviewers)",
        tags=_TAGS,
        request=NoteSerializer,
        responses=PageSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def approve(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._step(request, services.page_approve, NoteSerializer)

    @extend_schema(
        summary="Return a submitted page to its body with a note (reviewers)",
        tags=_TAGS,
        request=ReturnNoteSerializer,
        responses=PageSerializer,
    )
    @action(detail=True, methods=["post"], url_path="return", filter_backends=[])
    def return_(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._step(request, services.page_return, ReturnNoteSerializer)

    @extend_schema(
        summary="Re-confirm an approved page as still the body's and in use",
        tags=_TAGS,
        request=NoteSerializer,
        responses=PageSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def confirm(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._step(request, services.page_confirm, NoteSerializer)

    @extend_schema(
        summary="Archive a page (kept, no longer official)",
        tags=_TAGS,
        request=NoteSerializer,
        responses=PageSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def archive(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._step(request, services.page_archive, NoteSerializer)


@extend_schema_view(
    list=extend_schema(summary="List the platforms", tags=["registry platforms"]),
    retrieve=extend_schema(summary="One platform", tags=["registry platforms"]),
)
class PlatformViewSet(viewsets.ReadOnlyModelViewSet[Platform]):
    """Social networks a page can be registered on."""

    serializer_class = PlatformSerializer
    queryset = Platform.objects.all()
    lookup_field = "code"
    pagination_class = None
    filter_backends: list[Any] = []
