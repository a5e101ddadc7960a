"""REST API about the caller: who they are, what they may see, and how to get a token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from units import selectors
from units.models import AdministrativeUnit, Body
from users import scope
from users.models import RoleAssignment


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

    @extend_schema(summary="The caller and their scope", tags=["me"], responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user = request.user
        grants = scope.grants_for(user)
        level_counts = selectors.unit_counts_by_level(user) if not grants.is_empty else []
        me = _Me(
            username=user.get_username(),
            full_name=user.get_full_name(),  # type: ignore[union-attr]
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


class TokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")


class DetailSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()


class ObtainTokenView(APIView):
    """Exchange a username and password for the user's API token.

    Unlike DRF's ``obtain_auth_token``, this hands Django's own request to ``authenticate``:
    django-axes records each failure against it and refuses a locked-out user, exactly as
    on the login page.
    """

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Get an API token",
        tags=["auth"],
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(DetailSerializer, description="Wrong username or password."),
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
        if user is None:
            return Response(
                {"detail": _("Unable to log in with the username and password given.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
