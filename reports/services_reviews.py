"""Writes of the standing fake-page review (one record per unit and reporting period).

Which units a user may record for is the views' business (``selectors_reviews``); the
checks on the figures are kept here, so they hold from every entry point.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.history import record_by
from reports.models import FakePageReview, ReportingPeriod
from units.models import AdministrativeUnit
from users import scope


@transaction.atomic
def fake_page_review_record(
    *,
    unit: AdministrativeUnit,
    period: ReportingPeriod,
    by: Any,
    scans_done: int,
    fake_pages_found: int,
    reported_to_platform: int,
    taken_down: int,
    notes: str = "",
) -> FakePageReview:
    """Record (or correct) a unit's fake-page review for a period; history keeps the old."""
    errors: dict[str, Any] = {}
    if period.starts_on > timezone.localdate():
        errors["period"] = _("This period has not started yet.")
    if not scope.unit_in_force(unit):
        errors["unit"] = _("This unit is no longer in force.")
    if fake_pages_found > 0 and scans_done == 0:
        errors["scans_done"] = _("Fake pages were found, so at least one scan was done.")
    if reported_to_platform > fake_pages_found:
        errors["reported_to_platform"] = _(
            "More pages reported to the platform than fake pages found."
        )
    if taken_down > fake_pages_found:
        errors["taken_down"] = _("More pages taken down than fake pages found.")
    if errors:
        raise ValidationError(errors)
    review = FakePageReview.objects.select_for_update().filter(
        unit=unit, period=period
    ).first() or FakePageReview(unit=unit, period=period)
    review.scans_done = scans_done
    review.fake_pages_found = fake_pages_found
    review.reported_to_platform = reported_to_platform
    review.taken_down = taken_down
    review.notes = notes.strip()
    review.recorded_by = by
    record_by(review, by)
    review.full_clean(validate_constraints=False)
    review.save()
    return review
