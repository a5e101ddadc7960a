"""The public JSON API, no authentication: verification and the directory of official pages.

Answers carry only public facts (the selector's dataclasses hold nothing else): never a
contact person, an email or phone, a note, a review note, or a page that is not approved
or archived. Every endpoint is rate limited per client address.
"""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts_registry import verify_cache
from accounts_registry.selectors import public
from accounts_registry.throttling import PublicDirectoryThrottle, PublicVerifyThrottle

_THROTTLED = inline_serializer(name="PublicThrottled", fields={"detail": serializers.CharField()})


class PublicVerifyQuerySerializer(serializers.Serializer[Any]):
    url = serializers.CharField(
        max_length=public.MAX_URL_LENGTH,
        trim_whitespace=True,
        help_text="The page's address, in any of its shapes.",
    )


class PublicVerdictPageSerializer(serializers.Serializer[Any]):
    display_name = serializers.CharField()
    is_platform_verified = serializers.BooleanField()
    platform_verified_on = serializers.DateField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    archived_at = serializers.DateTimeField(allow_null=True)
    lost_control_since = serializers.DateTimeField(
        allow_null=True,
        help_text=(
            "When the body lost control of the page, while that incident is open (status "
            "lost_control); null otherwise."
        ),
    )


class PublicOtherPageSerializer(serializers.Serializer[Any]):
    display_name = serializers.CharField()
    url = serializers.CharField()
    platform = serializers.CharField(help_text="The platform's code.")
    platform_name = serializers.CharField()


class PublicBodySerializer(serializers.Serializer[Any]):
    name = serializers.CharField()


class PublicUnitSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    chain = serializers.CharField(
        help_text="The unit's name followed by the names of the units above it."
    )


class PublicVerdictSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=[status.value for status in public.VerdictStatus])
    url = serializers.CharField(
        allow_null=True, help_text="The canonical address; null when the input is not valid."
    )
    platform = serializers.CharField(allow_null=True, help_text="The platform's code.")
    platform_name = serializers.CharField(allow_null=True)
    page = PublicVerdictPageSerializer(allow_null=True)
    body = PublicBodySerializer(allow_null=True)
    unit = PublicUnitSerializer(allow_null=True)
    message = serializers.CharField(help_text="The verdict in words, in the request's language.")
    other_pages = PublicOtherPageSerializer(
        many=True,
        help_text=(
            "For lost_control: the body's other official pages, still in its hands, to "
            "follow instead. Empty for every other status."
        ),
    )


class PublicDirectoryPageSerializer(serializers.Serializer[Any]):
    display_name = serializers.CharField()
    url = serializers.CharField()
    platform = serializers.CharField(help_text="The platform's code.")
    platform_name = serializers.CharField()
    is_platform_verified = serializers.BooleanField()
    platform_verified_on = serializers.DateField(allow_null=True)
    lost_control_since = serializers.DateTimeField(
        allow_null=True,
        help_text=(
            "Set while the body has lost control of the page (an open incident): do not "
            "trust its posts until it is null again."
        ),
    )
    body = PublicBodySerializer()
    unit = PublicUnitSerializer()


def verdict_payload(verdict: public.Verdict) -> dict[str, Any]:
    """The verdict as the API's JSON object."""
    page = verdict.page
    return {
        "status": verdict.status.value,
        "url": verdict.url,
        "platform": verdict.platform_code or None,
        "platform_name": verdict.platform_name or None,
        "page": None
        if page is None
        else {
            "display_name": page.display_name,
            "is_platform_verified": page.is_platform_verified,
            "platform_verified_on": page.platform_verified_on,
            "approved_at": page.approved_at,
            "archived_at": page.archived_at,
            "lost_control_since": page.lost_control_since,
        },
        "body": None if page is None else {"name": page.body_name},
        "unit": None if page is None else {"name": page.unit_name, "chain": page.unit_chain},
        "message": verdict.message,
        "other_pages": [
            {
                "display_name": other.display_name,
                "url": other.url,
                "platform": other.platform_code,
                "platform_name": other.platform_name,
            }
            for other in verdict.other_pages
        ],
    }


def directory_payload(page: public.PublicPage) -> dict[str, Any]:
    """A directory row as the API's JSON object."""
    return {
        "display_name": page.display_name,
        "url": page.url,
        "platform": page.platform_code,
        "platform_name": page.platform_name,
        "is_platform_verified": page.is_platform_verified,
        "platform_verified_on": page.platform_verified_on,
        "lost_control_since": page.lost_control_since,
        "body": {"name": page.body_name},
        "unit": {"name": page.unit_name, "chain": page.unit_chain},
    }


class PublicVerifyView(APIView):
    """Is this page an official page of a state body?"""

    # No authentication: nothing here depends on who asks, and no session or CSRF work.
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicVerifyThrottle]

    @extend_schema(
        summary="Check whether a page is an official page",
        description=(
            "Canonicalises the address and looks it up among approved pages (official) and "
            "archived pages (no longer official). An approved page whose body has reported "
            "losing control of it, while that incident is open, answers lost_control with the "
            "body's other official pages: do not trust its posts. Pages not yet approved are "
            "not public: they answer not_registered. An address that is not a page answers invalid with "
            "a message. No authentication; rate limited per client address."
        ),
        tags=["public"],
        auth=[],
        parameters=[
            OpenApiParameter(
                "url",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=True,
                description="The page's address, in any of its shapes.",
            )
        ],
        responses={200: PublicVerdictSerializer, 400: OpenApiTypes.OBJECT, 429: _THROTTLED},
    )
    def get(self, request: Request) -> Response:
        url = request.query_params.get("url", "").strip()
        if not url or len(url) > public.MAX_URL_LENGTH:
            # Only a request the fast path cannot take pays for the serializer: it gives
            # the 400 answer its usual shape.
            query = PublicVerifyQuerySerializer(data=request.query_params)
            query.is_valid(raise_exception=True)
            url = query.validated_data["url"]
        # The JSON object itself is cached: a repeated question is one cache read, with no
        # query and no serializer (verify_cache invalidates it with the verdict).
        payload = verify_cache.cached_verdict(url, lambda: _verdict_json(url), kind="api")
        return Response(payload)


def _verdict_json(url: str) -> dict[str, Any]:
    """The API's answer on ``url`` as plain JSON values (what the cache stores)."""
    verdict = public.verify_url(url, use_cache=False)
    data = PublicVerdictSerializer(verdict_payload(verdict)).data
    # Through the renderer and back: plain dicts, lists and strings, with nothing of the
    # serializer attached to be pickled into the cache.
    plain: dict[str, Any] = json.loads(JSONRenderer().render(data))
    return plain


class PublicDirectoryView(APIView):
    """The directory of official (approved) pages."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicDirectoryThrottle]
    pagination_class = PageNumberPagination

    @extend_schema(
        summary="List the official pages",
        description=(
            "Approved pages, searchable by the page's, body's and unit's names (any case, with "
            "or without diacritics; a unit matches the pages of every body below it). "
            "No authentication; rate limited per client address."
        ),
        tags=["public"],
        auth=[],
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                description="Words to find in the page, body or unit names.",
            ),
            OpenApiParameter(
                "platform", OpenApiTypes.STR, OpenApiParameter.QUERY, description="Platform code."
            ),
            OpenApiParameter(
                "province",
                OpenApiTypes.INT,
                OpenApiParameter.QUERY,
                description="Id of a province (a top-level unit).",
            ),
        ],
        responses={200: PublicDirectoryPageSerializer(many=True), 429: _THROTTLED},
    )
    def get(self, request: Request) -> Response:
        province = request.query_params.get("province", "").strip()
        pages = public.directory_pages(
            query=request.query_params.get("q", ""),
            platform=request.query_params.get("platform", "").strip(),
            province=int(province) if province.isdigit() else None,
        )
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(pages, request, view=self) or []
        data = PublicDirectoryPageSerializer(
            [directory_payload(page) for page in public.public_pages(rows)], many=True
        ).data
        return paginator.get_paginated_response(data)
