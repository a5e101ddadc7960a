"""The request types of views that only a signed-in user reaches.

Views behind ``login_required`` (or DRF's ``IsAuthenticated``) annotate their request with
these, so ``request.user`` is a ``users.models.User`` for the type checker and the scope
functions (``users.scope``) take it as it is, without ``Any`` or ``# type: ignore``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from rest_framework.request import Request

if TYPE_CHECKING:
    from users.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """An ``HttpRequest`` whose user has signed in."""

    user: User


class AuthenticatedRequest(Request):
    """A Django REST framework ``Request`` whose user has signed in."""

    user: User
