"""REST API about the caller: who they are, what they may see, and how to get a token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from units.models import AdministrativeUnit, Body
from users import guessing, otp, scope, selectors, tokens
from users.models import ApiToken, RoleAssignment
from users.requests import AuthenticatedRequest


class _UnitRefSerializer(serializers.ModelSerializer[AdministrativeUnit]):
    level = serializers.CharField(source="level.code", read_only=True)

    class Meta:
        model = AdministrativeUnit
        fields = ["id", "code", "name", "level"]
        read_only_fields = fields


class _BodyRefSerializer(serializers.ModelSerializer[Body]):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Body
        fields = ["id", "name", "unit", "unit_name"]
        read_only_fields = fields


class RoleSerializer(serializers.ModelSerializer[RoleAssignment]):
    """One role and its anchor: a unit for officers, a body for staff, nothing for admins."""

    role_display = serializers.CharField(source="get_role_display", read_only=True)
    unit = _UnitRefSerializer(read_only=True, allow_null=True)
    body = _BodyRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = RoleAssignment
        fields = ["role", "role_display", "unit", "body"]
        read_only_fields = fields


class LevelCountSerializer(serializers.Serializer[Any]):
    level = serializers.CharField(source="level.code")
    name = serializers.CharField(source="level.label")
    count = serializers.IntegerField()


class CountsSerializer(serializers.Serializer[Any]):
    units = serializers.IntegerField(help_text="Units in scope, all levels.")
    bodies = serializers.IntegerField(help_text="Bodies in scope, archived ones left out.")
    units_by_level = LevelCountSerializer(many=True)


class MeSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.EmailField()
    is_admin = serializers.BooleanField(help_text="Sees and changes everything.")
    roles = RoleSerializer(many=True)
    counts = CountsSerializer()


@dataclass(frozen=True)
class _Counts:
    units: int
    bodies: int
    units_by_level: list[selectors.LevelCount]


@dataclass(frozen=True)
class _Me:
    username: str
    full_name: str
    email: str
    is_admin: bool
    roles: list[RoleAssignment]
    counts: _Counts


class MeView(APIView):
    """The caller, their roles with their anchors, and how much lies in their scope."""

    request: AuthenticatedRequest

    @extend_schema(summary="The caller and their scope", tags=["me"], responses=MeSerializer)
    def get(self, request: AuthenticatedRequest) -> Response:
        user = request.user
        grants = scope.grants_for(user)
        level_counts = selectors.unit_counts_by_level(user) if not grants.is_empty else []
        me = _Me(
            username=user.get_username(),
            full_name=user.get_full_name(),
            email=getattr(user, "email", ""),
            is_admin=grants.is_admin,
            roles=list(selectors.role_assignments(user)),
            counts=_Counts(
                units=sum(row.count for row in level_counts),
                bodies=selectors.body_count(user) if not grants.is_empty else 0,
                units_by_level=level_counts,
            ),
        )
        return Response(MeSerializer(me).data)


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    password = serializers.CharField(
        style={"input_type": "password"}, trim_whitespace=False, write_only=True
    )
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="What the token is for (a script, a machine); a dated default otherwise.",
    )


class TokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(
        help_text="Send as `Authorization: Token <token>`. Shown this once only."
    )
    id = serializers.UUIDField(help_text="The token's id, to revoke it.")
    name = serializers.CharField()
    expiry = serializers.DateTimeField(help_text="After this the token no longer works.")


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    """One of the caller's tokens, as listed: never the token itself, which is not kept."""

    expired = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["id", "name", "created", "expiry", "last_used", "expired"]
        read_only_fields = fields

    def get_expired(self, token: ApiToken) -> bool:
        return token.expiry is not None and token.expiry <= timezone.now()


class DetailSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()


class ObtainTokenView(APIView):
    """Exchange a username and password for a new API token, named, expiring.

    Unlike DRF's ``obtain_auth_token``, this hands Django's own request to ``authenticate``:
    django-axes records each failure against it and refuses a locked-out user, exactly as
    on the login page, and so does the per-account limit on guessing (``users.guessing``),
    for which a script is always an unknown client.
    """

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Get an API token",
        tags=["auth"],
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(
                DetailSerializer,
                description="Wrong username or password, or too many live tokens already.",
            ),
            403: OpenApiResponse(
                DetailSerializer,
                description="The account uses a second factor: create tokens on the portal's "
                "API tokens page instead.",
            ),
            429: OpenApiResponse(
                DetailSerializer, description="Locked out after too many failed attempts."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        http_request = request._request
        user = authenticate(
            request=http_request,
            username=form.validated_data["username"],
            password=form.validated_data["password"],
        )
        if getattr(http_request, "axes_locked_out", False):
            # Answer the lockout here, in JSON; otherwise AxesMiddleware would replace this
            # response with the HTML lockout page meant for browsers.
            http_request.axes_locked_out = False  # type: ignore[attr-defined]
            return Response(
                {"detail": _("Too many failed login attempts; try again later.")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if guessing.refused(http_request):
            return Response(
                {"detail": guessing.refused_message()}, status=status.HTTP_429_TOO_MANY_REQUESTS
            )
        if user is None:
            return Response(
                {"detail": _("Unable to log in with the username and password given.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if not otp.password_is_enough(user):
            # A password alone must not open a door the login page keeps behind a second
            # factor: such a user creates tokens on the API tokens page, once verified.
            return Response(
                {
                    "detail": _(
                        "This account uses two-step verification: log in to the portal and "
                        "create the token on the API tokens page."
                    )
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        try:
            token, clear = tokens.issue(
                user, name=form.validated_data.get("name", ""), request=http_request
            )
        except tokens.TooManyTokens:
            return Response(
                {"detail": tokens.too_many_message()}, status=status.HTTP_400_BAD_REQUEST
            )
        return Response(
            {"token": clear, "id": token.pk, "name": token.name, "expiry": token.expiry},
        )


class ApiTokenListView(ListAPIView[ApiToken]):
    """The caller's own API tokens, newest first (expired ones included, marked)."""

    request: AuthenticatedRequest

    serializer_class = ApiTokenSerializer
    # For the schema generator, which calls get_queryset() with no user.
    queryset = ApiToken.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return tokens.tokens_of(self.request.user)

    @extend_schema(summary="My API tokens", tags=["auth"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ApiTokenDetailView(APIView):
    """Revoke one of the caller's own tokens; another user's token is a 404."""

    request: AuthenticatedRequest

    @extend_schema(
        summary="Revoke one of my API tokens",
        tags=["auth"],
        request=None,
        responses={204: None, 404: OpenApiResponse(DetailSerializer, description="Not found.")},
    )
    def delete(self, request: AuthenticatedRequest, pk: uuid.UUID) -> Response:
        token = get_object_or_404(tokens.tokens_of(request.user), pk=pk)
        tokens.revoke(token, request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
