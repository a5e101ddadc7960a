"""The portal's plain site facts: its public address and its name.

A bottom utility: it reads settings and one translated name, and imports no app, so any app
(``users`` for the password reset link, ``notifications`` for every email, ``reports`` for
its reminders) may use it.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _


def base_url() -> str:
    """The portal's public address (``PORTAL_BASE_URL``), without a trailing slash.

    Every link in an email is built from it, never from a request's host: an email is often
    written by a worker with no request, and a forged Host header must not reach anyone.
    """
    return str(settings.PORTAL_BASE_URL).rstrip("/")


def absolute_url(path: str) -> str:
    """A portal path as a link that works from an email."""
    return f"{base_url()}{path}"


# How every email names the portal in its signature.
PORTAL_NAME = _("Official social media pages portal")
