"""What the public forms say about the personal data they collect."""

from __future__ import annotations

from django import template

from privacy import services

register = template.Library()


@register.simple_tag
def reporter_retention_days() -> int:
    """Days after a report is closed before the reporter's details are erased."""
    return services.reporter_retention_days()
