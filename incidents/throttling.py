"""The rate limit of public incident reports, counted like the other public limits."""

from __future__ import annotations

from accounts_registry.throttling import _PublicThrottle

DEFAULT_REPORT_RATE = "5/hour"


class PublicReportThrottle(_PublicThrottle):
    """Public reports of fake pages, from the form and the API alike."""

    scope = "public_incident_report"
    rate_setting = "PORTAL_PUBLIC_REPORT_RATE"
    default_rate = DEFAULT_REPORT_RATE
