"""Rate limits of the public pages and API: per client address, counted in the cache.

The same limiter guards the JSON API and the HTML pages, so a client gets one allowance
whichever door it uses. Counts live in the default cache (Redis in production and tests),
shared by every web process.

On Redis a request costs one round trip: a Lua script trims the client's window, counts it
and records the request atomically (DRF's own throttle reads the whole history, then writes
it back: two round trips, and concurrent requests could overwrite each other's count). The
window is DRF's: sliding, and only allowed requests count. Other caches (the embedded
default) use DRF's implementation.
"""

from __future__ import annotations

import math
import uuid
import weakref
from typing import Any, cast

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from portal.cache import UNAVAILABLE
from portal.client_address import client_address

DEFAULT_VERIFY_RATE = "60/min"
DEFAULT_DIRECTORY_RATE = "120/min"


# KEYS[1]: the client's sorted set of request times. ARGV: now, window (s), allowance, member.
# Returns {1, 0} when allowed (the request is recorded), else {0, seconds until a slot frees}.
_SLIDING_WINDOW = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
local duration = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - duration)
if redis.call('ZCARD', key) < tonumber(ARGV[3]) then
    redis.call('ZADD', key, now, ARGV[4])
    redis.call('EXPIRE', key, math.ceil(duration))
    return {1, '0'}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {0, tostring(tonumber(oldest[2]) + duration - now)}
"""


# The script bound to one client of each cache's connection pool: Django's Redis cache
# builds a new client object (and its table of response callbacks) at every call, a cost
# per request the limiter need not pay. Registered once: later calls send EVALSHA.
_SCRIPTS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def _script(store: RedisCache, key: str) -> Any:
    backend = cast(Any, store)._cache
    script = _SCRIPTS.get(backend)
    if script is None:
        script = _SCRIPTS[backend] = backend.get_client(key, write=True).register_script(
            _SLIDING_WINDOW
        )
    return script


class _PublicThrottle(SimpleRateThrottle):
    """A per-address throttle whose rate is read from a setting at each request."""

    rate_setting = ""
    default_rate = ""
    # Set by SimpleRateThrottle.__init__ from the rate.
    num_requests: int
    duration: int

    def allow_request(self, request: Any, view: Any) -> bool:
        store = caches[DEFAULT_CACHE_ALIAS]
        if self.rate is None or not isinstance(store, RedisCache):
            return bool(super().allow_request(request, view))
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        full_key = store.make_and_validate_key(key)
        try:
            allowed, wait = _script(store, full_key)(
                keys=[full_key],
                args=[self.now, self.duration, self.num_requests, uuid.uuid4().hex],
            )
        except UNAVAILABLE:
            # Redis down: the limits are not enforced until it is back (docs/operations.md).
            return True
        self._wait = max(float(wait), 0.0)
        return bool(allowed)

    def wait(self) -> float | None:
        if hasattr(self, "_wait"):
            return self._wait
        return super().wait()

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
    if throttle.allow_request(cast(Request, request), None):
        return None
    wait = throttle.wait()
    return max(1, math.ceil(wait)) if wait is not None else 60
