"""One unit's report for one period, what it declares, and the steps of its workflow."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.text import NFCCharField, NFCTextField
from reports.models.periods import ReportingPeriod


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")


# The states a build may rewrite; any other state is a snapshot the build never touches.
BUILDABLE_STATES = (ReportState.DRAFT, ReportState.RETURNED)

# What the unit itself declares and counts each period (not computable from the registry).
DECLARATION_FIELDS = (
    "info_consistent",
    "security_measures",
    "impersonation_scans",
    "fake_pages_found",
    "fake_pages_reported",
    "fake_pages_taken_down",
    "dissemination_sessions",
    "participants",
    "positive_posts",
    "comments_answered",
)
# Declarations a report may be submitted without: what became of the pages found is often
# still open when the report is due (the platform has not answered yet). Left empty, they
# count as nothing in the totals, like any other empty count.
OPTIONAL_DECLARATIONS = ("fake_pages_reported", "fake_pages_taken_down")
NARRATIVE_FIELDS = ("achievements", "difficulties", "proposals")


class UnitReport(models.Model):
    """One unit's compliance report for one period."""

    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("unit"),
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="reports", verbose_name=_("period")
    )
    state = models.CharField(
        _("state"), max_length=12, choices=ReportState.choices, default=ReportState.DRAFT
    )

    # Declarations (yes / no) and counts, filled in by the unit; null until filled in.
    info_consistent = models.BooleanField(
        _("information kept consistent with the other official channels"), null=True, blank=True
    )
    security_measures = models.BooleanField(
        _("account security measures in place"), null=True, blank=True
    )
    declaration_note = NFCTextField(_("note on the declarations"), blank=True)
    impersonation_scans = models.PositiveIntegerField(
        _("searches for impersonating pages"), null=True, blank=True
    )
    fake_pages_found = models.PositiveIntegerField(
        _("impersonating pages found"), null=True, blank=True
    )
    fake_pages_reported = models.PositiveIntegerField(
        _("impersonating pages reported to the platform"), null=True, blank=True
    )
    fake_pages_taken_down = models.PositiveIntegerField(
        _("impersonating pages taken down"), null=True, blank=True
    )
    dissemination_sessions = models.PositiveIntegerField(
        _("sessions disseminating the Code"), null=True, blank=True
    )
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    positive_posts = models.PositiveIntegerField(
        _("positive posts and shares"), null=True, blank=True
    )
    comments_answered = models.PositiveIntegerField(
        _("public comments answered"), null=True, blank=True
    )

    # The narrative every official report has.
    achievements = NFCTextField(_("achievements"), blank=True)
    difficulties = NFCTextField(_("difficulties"), blank=True)
    proposals = NFCTextField(_("proposals"), blank=True)
    missing_children_reason = NFCTextField(
        _("why some units below have no accepted report"), blank=True
    )
    review_note = NFCTextField(_("last note from the reviewer"), blank=True)

    # The snapshot: written by the build, frozen from submission on.
    unit_name = NFCCharField(_("unit name when built"), max_length=200, blank=True)
    unit_path = models.CharField(_("unit path when built"), max_length=255, blank=True)
    totals = models.JSONField(_("totals"), default=dict, blank=True)
    built_at = models.DateTimeField(_("built at"), null=True, blank=True)

    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_late = models.BooleanField(_("submitted late"), default=False)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["period", "unit__path"]
        verbose_name = _("unit report")
        verbose_name_plural = _("unit reports")
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="report_unique_per_period")
        ]
        indexes = [
            models.Index(fields=["period", "state"], name="report_period_state"),
            # The dashboard walks a period's reports in the order of their units.
            models.Index(fields=["period", "unit_path"], name="report_period_unit_path"),
        ]

    def __str__(self) -> str:
        # The period's label only when already loaded: a list of reports must not query it.
        cached = self._state.fields_cache.get("period")
        return f"{self.unit_name or self.unit_id} — {cached.label if cached else self.period_id}"

    @property
    def is_editable(self) -> bool:
        return self.state in BUILDABLE_STATES

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if self.participants and self.dissemination_sessions == 0:
            errors["participants"] = ValidationError(
                _("Participants were counted but no dissemination session was held.")
            )
        if self.fake_pages_found and self.impersonation_scans == 0:
            errors["fake_pages_found"] = ValidationError(
                _("Impersonating pages were found but no search was done.")
            )
        # Only the pages found can be reported or taken down (as in the fake-page review).
        found = self.fake_pages_found or 0
        if self.fake_pages_reported and self.fake_pages_reported > found:
            errors["fake_pages_reported"] = ValidationError(
                _("More pages were reported to the platform than were found.")
            )
        if self.fake_pages_taken_down and self.fake_pages_taken_down > found:
            errors["fake_pages_taken_down"] = ValidationError(
                _("More pages were taken down than were found.")
            )
        if errors:
            raise ValidationError(errors)

    def missing_declarations(self) -> list[str]:
        """The declaration fields not filled in yet."""
        return [
            name
            for name in DECLARATION_FIELDS
            if getattr(self, name) is None and name not in OPTIONAL_DECLARATIONS
        ]


class ReportStep(models.Model):
    """One move of a report through its workflow: who, when, from, to, and why."""

    report = models.ForeignKey(UnitReport, on_delete=models.PROTECT, related_name="steps")
    from_state = models.CharField(
        _("from state"), max_length=12, choices=ReportState.choices, blank=True
    )
    to_state = models.CharField(_("to state"), max_length=12, choices=ReportState.choices)
    note = NFCTextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("report step")
        verbose_name_plural = _("report steps")

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_state or '-'} → {self.to_state}"
