"""Compliance reports up the chain: periods as data, unit reports and their frozen snapshots.

A ``UnitReport`` is one unit's report for one period. Its figures are not computed when it
is read: ``reports.build`` writes them as snapshot rows (one per body, one per page, one per
child unit) and as ``totals``, and rewrites them only while the report is a draft or has
been returned. From submission on, the rows are never touched again, so an accepted report
keeps the registry and the hierarchy as they were, whatever changes later.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.text import NFCCharField, NFCTextField


class PeriodKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    YEARLY = "yearly", _("Yearly")


# A deadline further than this after a period's end is a typing mistake, not a choice.
MAX_DAYS_AFTER_END = 90


class ReportingPeriod(models.Model):
    """A month, quarter, half-year or year that units report on."""

    kind = models.CharField(_("kind"), max_length=12, choices=PeriodKind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    # Stored in Vietnamese ("Quý 3/2026"): it is printed on official reports as it is.
    label = NFCCharField(_("label"), max_length=60)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "kind"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(fields=["kind", "starts_on"], name="period_unique_start"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="period_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class DeadlineRule(models.Model):
    """How many days after a period ends the units of a level must have submitted."""

    kind = models.CharField(_("kind of period"), max_length=12, choices=PeriodKind.choices)
    level = models.ForeignKey(
        "units.UnitLevel", on_delete=models.CASCADE, related_name="+", verbose_name=_("level")
    )
    days_after_end = models.PositiveSmallIntegerField(_("days after the end of the period"))

    class Meta:
        ordering = ["kind", "level__rank"]
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        constraints = [
            models.UniqueConstraint(fields=["kind", "level"], name="deadline_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} / {self.level}: +{self.days_after_end}"


class PeriodDeadline(models.Model):
    """The due date of one period for the units of one level."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="deadlines")
    level = models.ForeignKey(
        "units.UnitLevel", on_delete=models.CASCADE, related_name="+", verbose_name=_("level")
    )
    due_on = models.DateField(_("due on"))

    class Meta:
        ordering = ["period", "due_on"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            models.UniqueConstraint(fields=["period", "level"], name="period_deadline_unique")
        ]

    def __str__(self) -> str:
        return f"{self.period} / {self.level}: {self.due_on:%d/%m/%Y}"


# The kinds of period a province requires until its officers choose otherwise. The letters
# the portal serves ask for quarterly, six-monthly and yearly reports on the Code; none asks
# for a monthly one, and a commune reminded of four periods on one morning stops reading.
DEFAULT_REQUIRED_KINDS: tuple[str, ...] = (
    PeriodKind.QUARTERLY,
    PeriodKind.HALF_YEARLY,
    PeriodKind.YEARLY,
)


class PeriodRequirement(models.Model):
    """Whether a province requires its units to report on one kind of period.

    A province without a row for a kind follows ``DEFAULT_REQUIRED_KINDS``. Its officers
    write the rows on the reporting calendar page; the history says who changed what, when.
    """

    province = models.ForeignKey(
        "units.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="period_requirements",
        verbose_name=_("province"),
    )
    kind = models.CharField(_("kind of period"), max_length=12, choices=PeriodKind.choices)
    required = models.BooleanField(_("required"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["province", "kind"]
        verbose_name = _("required kind of period")
        verbose_name_plural = _("required kinds of period")
        constraints = [
            models.UniqueConstraint(fields=["province", "kind"], name="period_requirement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.province_id} / {self.get_kind_display()}: {self.required}"


class ProvinceDeadlineRule(models.Model):
    """A province's own deadline for one kind of period and one level (overrides the
    national ``DeadlineRule``)."""

    province = models.ForeignKey(
        "units.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="deadline_rules",
        verbose_name=_("province"),
    )
    kind = models.CharField(_("kind of period"), max_length=12, choices=PeriodKind.choices)
    level = models.ForeignKey(
        "units.UnitLevel", on_delete=models.CASCADE, related_name="+", verbose_name=_("level")
    )
    days_after_end = models.PositiveSmallIntegerField(
        _("days after the end of the period"),
        validators=[MaxValueValidator(MAX_DAYS_AFTER_END)],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["province", "kind", "level__rank"]
        verbose_name = _("province deadline rule")
        verbose_name_plural = _("province deadline rules")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "kind", "level"], name="province_deadline_rule_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.province_id} / {self.get_kind_display()} / {self.level_id}: +{self.days_after_end}"


class ProvincePeriodDeadline(models.Model):
    """The due date of one period for the units of one level of one province, from the
    province's own rule; where there is one it wins over the national ``PeriodDeadline``."""

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.CASCADE, related_name="province_deadlines"
    )
    province = models.ForeignKey(
        "units.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("province"),
    )
    level = models.ForeignKey(
        "units.UnitLevel", on_delete=models.CASCADE, related_name="+", verbose_name=_("level")
    )
    due_on = models.DateField(_("due on"))

    class Meta:
        ordering = ["period", "province", "due_on"]
        verbose_name = _("province deadline")
        verbose_name_plural = _("province deadlines")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "province", "level"], name="province_period_deadline_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} / {self.province_id} / {self.level_id}: {self.due_on:%d/%m/%Y}"


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
        indexes = [models.Index(fields=["period", "state"], name="report_period_state")]

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


class BodyFigures(models.Model):
    """The figures computed from the registry for one body (see ``FIGURE_CRITERIA``)."""

    pages_registered = models.PositiveIntegerField(_("pages registered"), default=0)
    pages_approved = models.PositiveIntegerField(_("pages approved"), default=0)
    pages_verified = models.PositiveIntegerField(_("pages verified by the platform"), default=0)
    pages_needing_review = models.PositiveIntegerField(_("pages needing review"), default=0)
    pages_with_responsible_unit = models.PositiveIntegerField(
        _("pages with a unit responsible for posting"), default=0
    )
    incidents_opened = models.PositiveIntegerField(_("incidents opened"), default=0)
    incidents_reported = models.PositiveIntegerField(
        _("incidents reported to the platform"), default=0
    )
    incidents_resolved = models.PositiveIntegerField(_("incidents resolved"), default=0)
    hours_to_report_total = models.FloatField(_("hours from discovery to report (sum)"), default=0)
    hours_to_report_count = models.PositiveIntegerField(
        _("incidents with hours to report"), default=0
    )

    class Meta:
        abstract = True


class ReportBodyRow(BodyFigures):
    """One body of the unit, as it was in the registry when the report was built."""

    report = models.ForeignKey(UnitReport, on_delete=models.CASCADE, related_name="body_rows")
    # Plain ids, not foreign keys: the snapshot outlives archived and merged bodies.
    body_id = models.IntegerField(_("body id"))
    body_name = NFCCharField(_("body"), max_length=255)
    body_kind = models.CharField(_("kind"), max_length=30, blank=True)
    unit_id = models.IntegerField(_("unit id"))
    unit_name = NFCCharField(_("unit"), max_length=200)
    has_contact = models.BooleanField(_("has a contact person"), default=False)
    contact_notified = models.BooleanField(_("contact notified in writing"), default=False)
    has_rules = models.BooleanField(_("has posting rules"), default=False)

    class Meta:
        ordering = ["report", "body_name", "body_id"]
        verbose_name = _("report row: body")
        verbose_name_plural = _("report rows: bodies")

    def __str__(self) -> str:
        return self.body_name


class ReportPageRow(models.Model):
    """One live page of one of the unit's bodies, as it was when the report was built."""

    report = models.ForeignKey(UnitReport, on_delete=models.CASCADE, related_name="page_rows")
    page_id = models.IntegerField(_("page id"))
    body_id = models.IntegerField(_("body id"))
    body_name = NFCCharField(_("body"), max_length=255)
    platform = NFCCharField(_("platform"), max_length=60)
    url = models.CharField(_("address"), max_length=500)
    name = NFCCharField(_("displayed name"), max_length=255)
    state = models.CharField(_("state"), max_length=20)
    verified = models.BooleanField(_("verified by the platform"), default=False)
    has_contact = models.BooleanField(_("has a contact person"), default=False)
    has_rules = models.BooleanField(_("has posting rules"), default=False)
    has_responsible_unit = models.BooleanField(_("names a responsible unit"), default=False)
    needs_review = models.BooleanField(_("needs re-confirmation"), default=False)

    class Meta:
        ordering = ["report", "body_name", "platform", "name", "page_id"]
        verbose_name = _("report row: page")
        verbose_name_plural = _("report rows: pages")

    def __str__(self) -> str:
        return self.name


class RolledUpTotals(models.Model):
    """A subtree's totals, as carried up by an accepted report (null: nothing accepted)."""

    bodies = models.PositiveIntegerField(_("bodies"), null=True, blank=True)
    pages_registered = models.PositiveIntegerField(_("pages registered"), null=True, blank=True)
    pages_approved = models.PositiveIntegerField(_("pages approved"), null=True, blank=True)
    pages_verified = models.PositiveIntegerField(
        _("pages verified by the platform"), null=True, blank=True
    )
    pages_needing_review = models.PositiveIntegerField(
        _("pages needing review"), null=True, blank=True
    )
    pages_with_responsible_unit = models.PositiveIntegerField(
        _("pages with a unit responsible for posting"), null=True, blank=True
    )
    bodies_with_contact = models.PositiveIntegerField(
        _("bodies with a contact person"), null=True, blank=True
    )
    bodies_contact_notified = models.PositiveIntegerField(
        _("bodies whose contact was notified"), null=True, blank=True
    )
    bodies_with_rules = models.PositiveIntegerField(
        _("bodies with posting rules"), null=True, blank=True
    )
    incidents_opened = models.PositiveIntegerField(_("incidents opened"), null=True, blank=True)
    incidents_reported = models.PositiveIntegerField(
        _("incidents reported to the platform"), null=True, blank=True
    )
    incidents_resolved = models.PositiveIntegerField(_("incidents resolved"), null=True, blank=True)
    hours_to_report_total = models.FloatField(
        _("hours from discovery to report (sum)"), null=True, blank=True
    )
    hours_to_report_count = models.PositiveIntegerField(
        _("incidents with hours to report"), null=True, blank=True
    )
    units_reporting = models.PositiveIntegerField(
        _("units whose figures are included"), null=True, blank=True
    )
    units_missing = models.PositiveIntegerField(
        _("units below with no accepted report"), null=True, blank=True
    )
    units_info_consistent = models.PositiveIntegerField(
        _("units declaring consistent information"), null=True, blank=True
    )
    units_security_measures = models.PositiveIntegerField(
        _("units declaring account security measures"), null=True, blank=True
    )
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

    class Meta:
        abstract = True


class ReportChildRow(RolledUpTotals):
    """One unit directly below, its completeness, and its accepted totals."""

    report = models.ForeignKey(UnitReport, on_delete=models.CASCADE, related_name="child_rows")
    child_unit_id = models.IntegerField(_("unit id"))
    child_name = NFCCharField(_("unit"), max_length=200)
    child_path = models.CharField(_("unit path"), max_length=255)
    # The child's report, when there is one: an export walks down the frozen reports by it.
    child_report_id = models.IntegerField(_("report id"), null=True, blank=True)
    child_state = models.CharField(
        _("state of its report"), max_length=12, choices=ReportState.choices, blank=True
    )
    child_submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    expected = models.BooleanField(_("expected"), default=True)
    submitted = models.BooleanField(_("submitted"), default=False)
    on_time = models.BooleanField(_("on time"), default=False)
    accepted = models.BooleanField(_("accepted"), default=False)
    missing = models.BooleanField(_("missing"), default=False)

    class Meta:
        ordering = ["report", "child_path"]
        verbose_name = _("report row: unit below")
        verbose_name_plural = _("report rows: units below")

    def __str__(self) -> str:
        return self.child_name


class BuildState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class BuildRun(models.Model):
    """One run of the build of a period's reports, with its progress for the UI to poll."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="build_runs")
    state = models.CharField(
        _("state"), max_length=10, choices=BuildState.choices, default=BuildState.QUEUED
    )
    refresh = models.BooleanField(_("refresh existing drafts"), default=True)
    total = models.PositiveIntegerField(_("units to build"), default=0)
    done = models.PositiveIntegerField(_("units built"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("build run")
        verbose_name_plural = _("build runs")

    def __str__(self) -> str:
        return f"{self.period}: {self.get_state_display()} ({self.done}/{self.total})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)


# Every figure a report holds, and the criterion of ``legal/data/criteria-874.json`` it
# measures. Row fields, declarations and rolled-up totals all appear here; ``bodies``,
# ``units_reporting`` and ``units_missing`` are denominators and completeness, not criteria.
FIGURE_CRITERIA: dict[str, str] = {
    # Computed from the registry, per body and per page.
    "pages_registered": "real_name",
    "pages_approved": "real_name",
    "pages_verified": "platform_verified",
    "pages_needing_review": "recertified",
    "pages_with_responsible_unit": "responsible_unit",
    "has_contact": "contact_registered",
    "contact_notified": "contact_notified",
    "has_rules": "posting_rules",
    "incidents_opened": "account_security",
    "incidents_reported": "account_security",
    "incidents_resolved": "account_security",
    "hours_to_report_total": "account_security",
    "hours_to_report_count": "account_security",
    # Page rows.
    "verified": "platform_verified",
    "has_responsible_unit": "responsible_unit",
    "needs_review": "recertified",
    # Declared and counted by the unit.
    "info_consistent": "consistent_information",
    "security_measures": "account_security",
    "impersonation_scans": "impersonation_scan",
    "fake_pages_found": "impersonation_scan",
    "fake_pages_reported": "impersonation_scan",
    "fake_pages_taken_down": "impersonation_scan",
    "dissemination_sessions": "dissemination",
    "participants": "dissemination",
    "positive_posts": "positive_content",
    "comments_answered": "public_feedback",
    # Rolled-up totals of bodies and units.
    "bodies_with_contact": "contact_registered",
    "bodies_contact_notified": "contact_notified",
    "bodies_with_rules": "posting_rules",
    "units_info_consistent": "consistent_information",
    "units_security_measures": "account_security",
}

# The keys of ``UnitReport.totals`` and the columns of ``ReportChildRow`` that carry them.
TOTAL_FIELDS: tuple[str, ...] = tuple(field.name for field in RolledUpTotals._meta.local_fields)


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", "XLSX"
    DOCX = "docx", "DOCX"
    PDF = "pdf", "PDF"
    CSV = "csv", _("CSV (ZIP of the tables)")


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """One export of one report in one format, built by Celery when it is large.

    The file is written under a temporary name and moved into place only when complete, so a
    worker killed half-way leaves no half-written file; a retry builds it again from the
    report's frozen rows and gives the same content.
    """

    report = models.ForeignKey(UnitReport, on_delete=models.PROTECT, related_name="exports")
    fmt = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=ExportState.choices, default=ExportState.QUEUED
    )
    # The report's state and snapshot time when asked: a later export of a changed draft is a
    # new job, an unchanged report reuses the finished file.
    report_built_at = models.DateTimeField(_("report built at"), null=True, blank=True)
    report_state = models.CharField(_("report state"), max_length=12, blank=True)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True, max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["report", "fmt", "state"], name="export_report_fmt_state")]

    def __str__(self) -> str:
        return f"{self.report}: {self.fmt} ({self.get_state_display()})"


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


# --- Standing fake-page review (prefills the report's declarations) --------------------------


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
