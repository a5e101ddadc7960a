"""Compliance by criterion of Decision 874: each criterion's rate and counts, from the figures."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from legal.models import ComplianceCriterion
from reports.dashboard.model import CriterionRate

# Rates: criterion → (numerator, denominator, what is counted). The numerator may be a
# callable of the figures (re-confirmed pages are the approved ones not needing review).
RATES: dict[str, tuple[Any, str, Any]] = {
    "real_name": ("pages_approved", "pages_registered", _("pages approved of pages registered")),
    "platform_verified": (
        "pages_verified",
        "pages_approved",
        _("approved pages verified by the platform"),
    ),
    "responsible_unit": (
        "pages_with_responsible_unit",
        "pages_approved",
        _("approved pages naming a unit responsible for posting"),
    ),
    "contact_registered": ("bodies_with_contact", "bodies", _("bodies with a contact person")),
    "contact_notified": (
        "bodies_contact_notified",
        "bodies",
        _("bodies whose contact was notified in writing"),
    ),
    "posting_rules": ("bodies_with_rules", "bodies", _("bodies with posting rules")),
    "consistent_information": (
        "units_info_consistent",
        "units_reporting",
        _("reporting units declaring consistent information"),
    ),
    "account_security": (
        "units_security_measures",
        "units_reporting",
        _("reporting units declaring account security measures"),
    ),
    "impersonation_scan": (None, "", _("searches for impersonating pages")),
    "public_feedback": (None, "", _("public comments answered")),
    "dissemination": (None, "", _("sessions disseminating the Code")),
    "positive_content": (None, "", _("positive posts and shares")),
    "recertified": (
        lambda figures: _int(figures, "pages_approved") - _int(figures, "pages_needing_review"),
        "pages_approved",
        _("approved pages re-confirmed in time"),
    ),
}
# Counts shown beside (or instead of) a rate.
COUNTS: dict[str, list[tuple[str, Any]]] = {
    "account_security": [
        ("incidents_opened", _("incidents discovered")),
        ("incidents_reported", _("reported to the platform")),
        ("incidents_resolved", _("resolved")),
    ],
    "impersonation_scan": [
        ("impersonation_scans", _("searches")),
        ("fake_pages_found", _("impersonating pages found")),
        ("fake_pages_reported", _("impersonating pages reported to the platform")),
        ("fake_pages_taken_down", _("impersonating pages taken down")),
    ],
    "public_feedback": [("comments_answered", _("comments answered"))],
    "dissemination": [
        ("dissemination_sessions", _("sessions")),
        ("participants", _("participants")),
    ],
    "positive_content": [("positive_posts", _("posts and shares"))],
}


def _int(figures: dict[str, Any], name: str) -> int:
    return int(figures.get(name) or 0)


def rate_of(ref: str, figures: dict[str, Any]) -> tuple[int | None, int | None]:
    """The numerator and denominator of a criterion's rate (None for counted criteria)."""
    numerator, denominator, _measure = RATES[ref]
    if numerator is None:
        return None, None
    value = numerator(figures) if callable(numerator) else _int(figures, numerator)
    return max(value, 0), _int(figures, denominator)


def _criteria(figures: dict[str, Any]) -> list[CriterionRate]:
    """One row per criterion in force, in the legal library's order (one query)."""
    loaded = list(
        ComplianceCriterion.objects.filter(retired_in_version="", ref__in=list(RATES)).order_by(
            "order", "ref"
        )
    )
    known = {criterion.ref for criterion in loaded}
    base = reverse("legal:criteria_list")
    rows = []
    for ref, title, level in [
        *((c.ref, c.label, c.level) for c in loaded),
        # Before the legal library is loaded the page still measures every criterion.
        *((ref, ref, "") for ref in RATES if ref not in known),
    ]:
        numerator, denominator = rate_of(ref, figures)
        counts: list[tuple[Any, Any]] = [
            (label, _int(figures, name)) for name, label in COUNTS.get(ref, [])
        ]
        if ref == "account_security" and _int(figures, "hours_to_report_count"):
            mean = float(figures.get("hours_to_report_total") or 0) / _int(
                figures, "hours_to_report_count"
            )
            counts.append((_("mean hours to report"), f"{mean:.1f}"))
        rows.append(
            CriterionRate(
                ref=ref,
                title=title,
                level=level,
                url=f"{base}#criterion-{ref}",
                measure=RATES[ref][2],
                numerator=numerator,
                denominator=denominator,
                counts=counts,
            )
        )
    return rows
