"""Rate limits of the public pages and API: per client address, counted in the cache.

The same limiter guards the JSON API and the HTML pages, so a client gets one allowance
whichever door it uses. Counts live in the default cache (Redis in production and tests),
shared by every web process.
"""

from __future__ import annotations

import math
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from portal.client_address import client_address

DEFAULT_VERIFY_RATE = "60/min"
DEFAULT_DIRECTORY_RATE = "120/min"


class _PublicThrottle(SimpleRateThrottle):
    """A per-address throttle whose rate is read from a setting at each request."""

    rate_setting = ""
    default_rate = ""

    def get_rate(self) -> str | None:
        # Read at each request rather than at import, so a deployment (or a test) can change it.
        return cast(str | None, getattr(settings, self.rate_setting, self.default_rate))

    def get_ident(self, request: Any) -> str:
        # The one client-address rule of the portal: X-Forwarded-For only as far as our own
        # proxies vouch for it, so nobody picks a fresh allowance per request.
        return client_address(request) or "unknown"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PublicVerifyThrottle(_PublicThrottle):
    """Verifications ("is this page real?"), from the page and the API alike."""

    scope = "public_verify"
    rate_setting = "PORTAL_PUBLIC_VERIFY_RATE"
    default_rate = DEFAULT_VERIFY_RATE


class PublicDirectoryThrottle(_PublicThrottle):
    """Reads of the public directory, from the page and the API alike."""

    scope = "public_directory"
    rate_setting = "PORTAL_PUBLIC_DIRECTORY_RATE"
    default_rate = DEFAULT_DIRECTORY_RATE


def retry_after(request: HttpRequest, throttle_class: type[_PublicThrottle]) -> int | None:
    """Count one request of a plain Django view; None when allowed, else seconds to wait."""
    throttle = throttle_class()
    # The throttle reads only ``request.META``: a Django request serves as well as DRF's.
    if throttle.allow_request(cast(Request, request), None):  # type: ignore[arg-type]
        return None
    wait = throttle.wait()
    return max(1, math.ceil(wait)) if wait is not None else 60
