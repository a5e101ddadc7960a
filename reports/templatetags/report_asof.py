"""``{{ report|registry_date }}``: the date a report's registry figures stand at."""

from __future__ import annotations

from datetime import date

from django import template

from reports.asof import registry_date as _registry_date
from reports.models import UnitReport

register = template.Library()


@register.filter
def registry_date(report: UnitReport) -> date | None:
    """The period's last day for a report built after it, else the day it was built."""
    return _registry_date(ends_on=report.period.ends_on, built_at=report.built_at)
