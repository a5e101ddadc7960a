"""The reminders sent about a period's reports, each one once."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.models.periods import ReportingPeriod


class ReportReminder(models.Model):
    """A reminder of one period sent for one unit at one step: the unique key makes it once.

    ``step`` is ``before-3d`` / ``after-1d`` (days around the unit level's due date).
    ``unit`` is the unit whose report is awaited (or, with ``kind=review``, the unit whose
    reviewers are reminded of their waiting queue).
    """

    class Kind(models.TextChoices):
        SUBMIT = "submit", _("Report not submitted")
        REVIEW = "review", _("Reports waiting for review")

    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="reminders")
    unit = models.ForeignKey(
        "units.AdministrativeUnit", on_delete=models.PROTECT, related_name="report_reminders"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    step = models.CharField(_("step"), max_length=30)
    batch = models.UUIDField(_("batch"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("report reminder")
        verbose_name_plural = _("report reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit", "kind", "step"], name="report_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} · {self.unit_id} · {self.kind} · {self.step}"
