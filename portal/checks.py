"""System checks of the portal's own settings (``manage.py check``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

# The development default of PORTAL_BASE_URL (portal/settings.py): fine on a laptop, wrong
# in every email a production server sends.
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "0.0.0.0", "::1"}  # noqa: S104 - names, not a bind


@checks.register(checks.Tags.compatibility)
def check_base_url(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Warn when a production portal would send emails linking to a local or default address."""
    if getattr(settings, "PORTAL_ENV", "") != "production":
        return []
    base = str(getattr(settings, "PORTAL_BASE_URL", "") or "").strip()
    host = (urlsplit(base).hostname or "").lower()
    if not base or base.rstrip("/") == DEFAULT_BASE_URL or host in _LOCAL_HOSTS:
        return [
            checks.Warning(
                f"PORTAL_BASE_URL is {base or 'empty'!r}: every link in the emails would point "
                "there.",
                hint="Set PORTAL_BASE_URL to the portal's public address, e.g. "
                "https://mxh.thanhhoa.gov.vn.",
                id="portal.W001",
            )
        ]
    if urlsplit(base).scheme != "https":
        return [
            checks.Warning(
                f"PORTAL_BASE_URL {base!r} is not https: links in emails would send users to a "
                "page that redirects, or to a man in the middle.",
                hint="Use the https:// address the reverse proxy serves.",
                id="portal.W002",
            )
        ]
    return []
