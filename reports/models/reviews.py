"""A unit's standing review for pages impersonating its bodies (prefills the report's
declarations)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.text import NFCTextField
from reports.models.periods import ReportingPeriod


class FakePageReview(models.Model):
    """A unit's review for pages impersonating its bodies, over one reporting period.

    The letters ask every commune to search the network for pages impersonating its bodies
    and to report them (Cẩm Ngọc's letter of 2024 item 2.3, implementing Cẩm Thủy's letter
    233/UBND-VHTT of 25/01/2024; Tân Uyên's letter of 7/2024 item 5). One record per unit
    and period, corrected in place with its history kept. The report's fill-in form offers
    its figures for ``impersonation_scans``, ``fake_pages_found``, ``fake_pages_reported`` and
    ``fake_pages_taken_down`` while those are empty.
    """

    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="fake_page_reviews",
        verbose_name=_("unit"),
    )
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        related_name="fake_page_reviews",
        verbose_name=_("reporting period"),
    )
    scans_done = models.PositiveIntegerField(_("scans done"))
    fake_pages_found = models.PositiveIntegerField(_("fake pages found"))
    reported_to_platform = models.PositiveIntegerField(_("reported to the platform"))
    taken_down = models.PositiveIntegerField(_("taken down"))
    notes = NFCTextField(_("notes"), max_length=5000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period__starts_on", "unit__path"]
        verbose_name = _("fake-page review")
        verbose_name_plural = _("fake-page reviews")
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="fake_review_unit_period"),
            models.CheckConstraint(
                condition=models.Q(reported_to_platform__lte=models.F("fake_pages_found"))
                & models.Q(taken_down__lte=models.F("fake_pages_found")),
                name="fake_review_counts_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.period}"
