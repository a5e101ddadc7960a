"""Who the client is: one answer for every throttle, the login lockout, the audit trail and
the logs.

Behind the reverse proxy the deployment prescribes, ``REMOTE_ADDR`` is the proxy's address:
read alone, it puts every citizen in one rate-limit allowance and lets five wrong passwords
from anyone lock an officer out. ``X-Forwarded-For`` alone is worse: the client writes it,
and could claim a fresh address per request. So the header is read only as far as the
proxies we trust (``PORTAL_TRUSTED_PROXIES``, networks in CIDR form) vouch for it: walking
from the right, the first address that is not one of our proxies is the client.
"""

from __future__ import annotations

import ipaddress
import logging
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

from portal.request_context import current_request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def trusted_proxies() -> tuple[Network, ...]:
    """The networks of our own reverse proxies (read at each call: tests change the setting)."""
    return _networks(tuple(getattr(settings, "PORTAL_TRUSTED_PROXIES", ())))


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return any(address in network for network in trusted_proxies())


def client_address(request: HttpRequest) -> str | None:
    """The client's address as far as our own proxies can vouch for it (None if unknown)."""
    peer = _address(str(request.META.get("REMOTE_ADDR") or ""))
    if peer is None:
        return None
    if not _trusted(peer):
        # Not through our proxy: whatever X-Forwarded-For says was written by the client.
        return str(peer)
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    hops = [_address(part) for part in forwarded.split(",") if part.strip()]
    for hop in reversed(hops):
        if hop is None:
            # A malformed entry: nothing to its left can be trusted.
            break
        if not _trusted(hop):
            return str(hop)
    # Every hop is one of ours, or the header is missing or broken: the proxy is all we know.
    return str(peer)


class ClientAddressFilter(logging.Filter):
    """Give every log record the client address of the request being served ("-" outside)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = current_request.get()
        record.client = (client_address(request) if request is not None else None) or "-"
        return True
