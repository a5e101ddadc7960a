from __future__ import annotations

from typing import Any

from django import template

from directives import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def directive_inbox_count(context: dict[str, Any]) -> int:
    """Letters the user owes an answer on: addressed to what they answer for by someone
    else, not reported on yet, their recipient not ceased (0 when logged out; one query)."""
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return selectors.inbox_counts(user)["owed"]
