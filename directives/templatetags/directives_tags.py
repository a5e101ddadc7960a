from __future__ import annotations

from typing import Any

from django import template

from directives import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def directive_inbox_count(context: dict[str, Any]) -> int:
    """Letters in the user's inbox not acknowledged yet (0 when logged out; one query)."""
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return selectors.inbox_counts(user)["unacknowledged"]
