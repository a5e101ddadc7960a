"""Template tags of notifications: the unread count for the header."""

from __future__ import annotations

from typing import Any

from django import template

from notifications import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: dict[str, Any]) -> int:
    """How many notices the current user has not read (0 when logged out; one query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return selectors.unread_count(user)
