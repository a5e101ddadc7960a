"""Incidents: a body's page out of its control, a page impersonating a body, or false
information posted on a body's official page.

An incident is never deleted: it moves through its workflow (``IncidentStep`` records who
moved it, when and why), and its evidence (links and screenshots) only grows.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.text import NFCCharField, NFCTextField


class IncidentKind(models.TextChoices):
    LOST_CONTROL = "lost_control", _("Loss of control of an official page")
    IMPERSONATION = "impersonation", _("Page impersonating a body")
    # Tân Uyên's letter of 7/2024 (item 4 and its "Lưu ý"): false information posted on the
    # body's own page must be corrected or removed and reported to the culture office.
    FALSE_INFORMATION = "false_information", _("False information posted on an official page")


# The kinds that concern one of the body's own official pages (the page is required).
OWN_PAGE_KINDS = (IncidentKind.LOST_CONTROL, IncidentKind.FALSE_INFORMATION)


class IncidentState(models.TextChoices):
    NEW = "new", _("New")
    UNDER_REVIEW = "under_review", _("Under review")
    REPORTED_TO_PLATFORM = "reported_to_platform", _("Reported to the platform")
    ESCALATED_TO_PROVINCE = "escalated_to_province", _("Escalated to the province")
    RESOLVED = "resolved", _("Resolved")
    DISMISSED = "dismissed", _("Dismissed")


class IncidentSource(models.TextChoices):
    BODY = "body", _("Reported by the body")
    PUBLIC = "public", _("Reported by the public")


CLOSED_STATES = (IncidentState.RESOLVED, IncidentState.DISMISSED)


class Incident(models.Model):
    """One reported incident about one body's presence on social media."""

    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind.choices)
    # Always known: a citizen names the body the fake page pretends to be, so the incident
    # lands in the scope of that body and of the officers above it.
    body = models.ForeignKey(
        "units.Body", on_delete=models.PROTECT, related_name="incidents", verbose_name=_("body")
    )
    page = models.ForeignKey(
        "accounts_registry.SocialPage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("official page"),
    )
    url = models.URLField(_("address of the suspect page"), max_length=500, blank=True)
    canonical_url = models.CharField(_("canonical address"), max_length=500, blank=True)
    description = NFCTextField(_("description"), max_length=5000)
    discovered_at = models.DateTimeField(_("discovered at"), default=timezone.now)
    reported_to_platform_at = models.DateTimeField(
        _("reported to the platform at"), null=True, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=30, choices=IncidentState.choices, default=IncidentState.NEW
    )
    source = models.CharField(_("source"), max_length=10, choices=IncidentSource.choices)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reporter_name = NFCCharField(_("reporter's name"), max_length=150, blank=True)
    reporter_email = models.EmailField(_("reporter's email"), blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [models.Index(fields=["state", "created_at"], name="incident_state_created")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}: {self.body}"

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_STATES


class IncidentStep(models.Model):
    """One move of an incident through its workflow (its creation included)."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="steps")
    from_state = models.CharField(
        _("from state"), max_length=30, choices=IncidentState.choices, blank=True
    )
    to_state = models.CharField(_("to state"), max_length=30, choices=IncidentState.choices)
    note = NFCTextField(_("note"), blank=True, max_length=5000)
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
        verbose_name = _("incident step")
        verbose_name_plural = _("incident steps")

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.from_state or '-'} → {self.to_state}"


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    """A generated name: the user's file name is kept in a column, never on disk."""
    return f"incident-evidence/{instance.incident_id}/{uuid.uuid4().hex}{instance.extension}"


class Evidence(models.Model):
    """A link or a screenshot supporting an incident."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="evidence")
    link = models.URLField(_("link"), max_length=500, blank=True)
    image = models.FileField(_("screenshot"), upload_to=evidence_upload_to, blank=True)
    content_type = models.CharField(_("content type"), max_length=50, blank=True)
    size = models.PositiveIntegerField(_("size"), null=True, blank=True)
    original_filename = models.CharField(_("original file name"), max_length=255, blank=True)
    note = NFCCharField(_("note"), max_length=500, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=(~models.Q(link="") & models.Q(image=""))
                | (models.Q(link="") & ~models.Q(image="")),
                name="evidence_link_xor_image",
            )
        ]

    def __str__(self) -> str:
        return self.link or self.original_filename

    @property
    def extension(self) -> str:
        return {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}.get(
            self.content_type, ".bin"
        )


# --- Monitoring findings ----------------------------------------------------------------------


class FindingSource(models.TextChoices):
    MINISTRY = "ministry", _("Ministry monitoring")
    PROVINCE = "province", _("Province (department) monitoring")
    UNIT = "unit", _("Culture office of the commune or district")


class FindingCategory(models.TextChoices):
    NOT_VERIFIED = "not_verified", _("Name or address not verified with the platform")
    NOT_REAL_NAME = "not_real_name", _("Not under the body's real name")
    INCONSISTENT = "inconsistent", _("Inconsistent with the body's other official channels")
    FALSE_INFORMATION = "false_information", _("False or unverified information posted")
    NO_ANSWER = "no_answer", _("Public comments left unanswered")
    INACTIVE = "inactive", _("Page not kept up to date")
    SECURITY = "security", _("Account security")
    OTHER = "other", _("Other")


class FindingSeverity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class FindingState(models.TextChoices):
    OPEN = "open", _("Awaiting remediation")
    REMEDIATED = "remediated", _("Remediation reported")
    CLOSED = "closed", _("Closed")


class MonitoringFindingQuerySet(models.QuerySet["MonitoringFinding"]):
    def overdue(self, day: date | None = None) -> MonitoringFindingQuerySet:
        """Findings still awaiting the body's remediation after their deadline."""
        return self.filter(state=FindingState.OPEN, deadline__lt=day or timezone.localdate())


class MonitoringFinding(models.Model):
    """What the ministry, the province or a culture office found wrong with a body's page,
    what the body must do about it and by when (Tân Uyên's letter of 7/2024 answers such a
    finding of the Ministry, relayed by the department's letter 1332/STTTT-TTBCXB).

    Never deleted: it is opened by the finder, remediated by the body, closed by the finder
    (or reopened when the remediation falls short); every change is kept in the history.
    """

    body = models.ForeignKey(
        "units.Body", on_delete=models.PROTECT, related_name="findings", verbose_name=_("body")
    )
    page = models.ForeignKey(
        "accounts_registry.SocialPage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("official page"),
    )
    source = models.CharField(_("found by"), max_length=20, choices=FindingSource.choices)
    reference = NFCCharField(
        _("reference"),
        max_length=150,
        blank=True,
        help_text=_("The letter or report that states the finding, e.g. 1332/STTTT-TTBCXB."),
    )
    found_on = models.DateField(_("found on"))
    category = models.CharField(_("category"), max_length=20, choices=FindingCategory.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=FindingSeverity.choices)
    description = NFCTextField(_("what was found"), max_length=5000)
    remediation_required = NFCTextField(_("what the body must do"), max_length=5000)
    deadline = models.DateField(_("remediation deadline"))
    state = models.CharField(
        _("state"), max_length=20, choices=FindingState.choices, default=FindingState.OPEN
    )
    remediation_note = NFCTextField(_("what the body did"), max_length=5000, blank=True)
    remediated_at = models.DateTimeField(_("remediation reported at"), null=True, blank=True)
    remediated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("remediation reported by"),
    )
    closing_note = NFCTextField(_("closing note"), max_length=5000, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    finder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    # The unit the finder recorded it for: officers at or above it may close it.
    finder_unit = models.ForeignKey(
        "units.AdministrativeUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit of the finder"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    objects = MonitoringFindingQuerySet.as_manager()

    class Meta:
        ordering = ["-found_on", "-pk"]
        verbose_name = _("monitoring finding")
        verbose_name_plural = _("monitoring findings")
        indexes = [models.Index(fields=["state", "deadline"], name="finding_state_deadline")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("found_on")),
                name="finding_deadline_after_found",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()}: {self.body}"

    @property
    def is_overdue(self) -> bool:
        return self.state == FindingState.OPEN and self.deadline < timezone.localdate()
