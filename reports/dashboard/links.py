"""The addresses the dashboard links to: itself for a unit and a period, and a report's page."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from reports.models import ReportingPeriod
from units.models import AdministrativeUnit


def dashboard_url(unit: AdministrativeUnit | int | None, period: ReportingPeriod | None) -> str:
    """The dashboard's address for a unit (None: the whole scope) and a period."""
    params = []
    if unit is not None:
        params.append(f"unit={unit if isinstance(unit, int) else unit.pk}")
    if period is not None:
        params.append(f"period={period.pk}")
    return reverse("reports:dashboard") + ("?" + "&".join(params) if params else "")


def _report_url(report_id: int) -> str | None:
    # The report's page is another part of the reports app; until it exists, no link.
    try:
        return reverse("reports:detail", kwargs={"report_id": report_id})
    except NoReverseMatch:
        return None
