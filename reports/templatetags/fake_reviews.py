"""The fake-page reviews of a unit, for the unit's page (scoped to the viewer)."""

from __future__ import annotations

from typing import Any

from django import template

from reports.selectors_reviews import fake_page_reviews_for

register = template.Library()


@register.inclusion_tag("reports/partials/unit_fake_reviews.html", takes_context=True)
def unit_fake_page_reviews(context: dict[str, Any], unit: Any, limit: int = 8) -> dict[str, Any]:
    """The latest reviews recorded by ``unit`` itself that the viewer may see (one query)."""
    request = context["request"]
    reviews = list(
        fake_page_reviews_for(request.user)
        .filter(unit=unit)
        .select_related("unit", "period", "recorded_by")
        .order_by("-period__starts_on")[:limit]
    )
    return {"reviews": reviews, "unit": unit}
