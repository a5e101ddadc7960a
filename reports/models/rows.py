"""A report's frozen snapshot: one row per body, per page and per unit below, the totals
they roll up into, and the criterion each figure measures."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.text import NFCCharField
from reports.models.unit_reports import ReportState, UnitReport


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
        indexes = [
            # The dashboard's gap classes (a class's rows of one report: an index probe) and
            # its counts (every column they read: an index-only scan, not the wide rows).
            models.Index(
                fields=[
                    "has_contact",
                    "has_rules",
                    "report",
                    "contact_notified",
                    "incidents_opened",
                    "incidents_reported",
                    "incidents_resolved",
                    "hours_to_report_total",
                    "hours_to_report_count",
                ],
                name="report_body_row_gaps",
            )
        ]

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
        indexes = [
            # As for the body rows: the gap classes by report, and the counts' columns.
            models.Index(
                fields=[
                    "needs_review",
                    "has_contact",
                    "has_rules",
                    "report",
                    "verified",
                    "state",
                    "has_responsible_unit",
                ],
                name="report_page_row_gaps",
            )
        ]

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
