"""The registry of official social-media pages: platforms, pages, contacts, posting rules."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.text import NFCCharField, NFCTextField, fold


class Platform(models.Model):
    """A social network. Platforms are data: an administrator can add one.

    ``rules`` names the canonicalisation rules of ``accounts_registry.canonical``; a platform
    added by an administrator uses the generic rules with its own ``hosts``.
    """

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = NFCCharField(_("name"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60, blank=True)
    rules = models.CharField(_("address rules"), max_length=20, default="generic")
    hosts = models.JSONField(
        _("hosts"), default=list, blank=True, help_text=_("Web hosts of the platform's pages.")
    )
    example_url = models.URLField(_("example address"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.name_en and (get_language() or "vi").startswith("en"):
            return self.name_en
        return self.name


class PageState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")
    ARCHIVED = "archived", _("Archived")


class SocialPageQuerySet(models.QuerySet["SocialPage"]):
    def live(self) -> SocialPageQuerySet:
        """Pages not archived."""
        return self.exclude(state=PageState.ARCHIVED)

    def official(self) -> SocialPageQuerySet:
        """Approved pages: the ones the public directory lists."""
        return self.filter(state=PageState.APPROVED)

    def needing_review(self, now: datetime | None = None) -> SocialPageQuerySet:
        """Approved pages whose body has not re-confirmed them within the period."""
        cutoff = (now or timezone.now()) - timedelta(days=settings.PORTAL_PAGE_RECONFIRM_DAYS)
        return self.filter(state=PageState.APPROVED, confirmed_at__lt=cutoff)


class SocialPage(models.Model):
    """An official page of a body on a social network."""

    body = models.ForeignKey(
        "units.Body", on_delete=models.PROTECT, related_name="pages", verbose_name=_("body")
    )
    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="pages", verbose_name=_("platform")
    )
    display_name = NFCCharField(_("displayed name"), max_length=255)
    url = models.URLField(_("address"), max_length=500)
    canonical_key = models.CharField(_("page identity"), max_length=300, editable=False)
    permanent_id = models.CharField(
        _("permanent id on the platform"), max_length=100, blank=True, default=""
    )
    is_platform_verified = models.BooleanField(_("verified by the platform"), default=False)
    platform_verified_on = models.DateField(_("verified since"), null=True, blank=True)
    responsible_unit = NFCCharField(_("unit responsible for posting"), max_length=255, blank=True)
    set_up_on = models.DateField(_("set up on"), null=True, blank=True)
    notes = NFCTextField(_("notes"), blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=PageState.choices, default=PageState.DRAFT
    )
    review_note = NFCTextField(_("note from the reviewer"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(
        _("last confirmed at"),
        null=True,
        blank=True,
        help_text=_("When the body last confirmed the page is still theirs and in use."),
    )
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    search_name = models.CharField(max_length=300, editable=False, db_index=True)
    # The directory's search document: this page's, its body's and its units' folded names
    # in one column, written by PostgreSQL triggers only (migration 0007_page_search_document;
    # whatever Django writes here is replaced). Empty on SQLite, which searches otherwise.
    search_document = models.TextField(default="", blank=True, editable=False)
    # The registry list's search document: this page's and its body's folded names only,
    # written by the same triggers (migration 0008_page_staff_search_document).
    staff_search_document = models.TextField(default="", blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The search documents are derived from other rows: not a change of the page.
    history = HistoricalRecords(excluded_fields=["search_document", "staff_search_document"])

    objects = SocialPageQuerySet.as_manager()

    class Meta:
        ordering = ["body__name", "platform__order", "display_name"]
        verbose_name = _("official page")
        verbose_name_plural = _("official pages")
        constraints = [
            # One page belongs to one body: the same page cannot be registered twice while
            # it is in the register (an archived page frees its address).
            models.UniqueConstraint(
                fields=["platform", "canonical_key"],
                condition=~models.Q(state="archived"),
                name="page_unique_address",
            ),
            models.UniqueConstraint(
                fields=["platform", "permanent_id"],
                condition=~models.Q(state="archived") & ~models.Q(permanent_id=""),
                name="page_unique_permanent_id",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "body"], name="page_state_body"),
            # The public verification looks archived pages up too ("no longer official"),
            # which the partial unique constraints above leave out: without these full
            # indexes every verification scanned the whole table.
            models.Index(fields=["platform", "canonical_key"], name="page_verify_address"),
            models.Index(fields=["platform", "permanent_id"], name="page_verify_permanent_id"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.platform})"

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_name = fold(f"{self.display_name} {self.url}")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class PageReview(models.Model):
    """One step of a page's workflow: who moved it from which state to which, and why."""

    page = models.ForeignKey(SocialPage, on_delete=models.PROTECT, related_name="reviews")
    from_state = models.CharField(_("from"), max_length=20, choices=PageState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=PageState.choices)
    note = NFCTextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("page workflow step")
        verbose_name_plural = _("page workflow steps")

    def __str__(self) -> str:
        return f"{self.page}: {self.from_state} → {self.to_state}"


class ContactPerson(models.Model):
    """The contact person (đầu mối liên lạc) of a body, or of one of its pages.

    A body's default contact has no page; a page may have its own, which overrides it.
    """

    body = models.ForeignKey(
        "units.Body", on_delete=models.PROTECT, related_name="contacts", verbose_name=_("body")
    )
    page = models.ForeignKey(
        SocialPage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("page"),
    )
    name = NFCCharField(_("full name"), max_length=150)
    position = NFCCharField(_("position"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30)
    email = models.EmailField(_("email"), blank=True)
    notice_number = NFCCharField(
        _("number of the notifying letter"),
        max_length=60,
        blank=True,
        help_text=_(
            "The letter notifying this contact to the supervising body and the provincial "
            "information department."
        ),
    )
    notice_date = models.DateField(_("date of the notifying letter"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["body", "page", "name"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        constraints = [
            models.UniqueConstraint(
                fields=["body"],
                condition=models.Q(page__isnull=True, archived_at__isnull=True),
                name="one_default_contact_per_body",
            ),
            models.UniqueConstraint(
                fields=["page"],
                condition=models.Q(page__isnull=False, archived_at__isnull=True),
                name="one_contact_per_page",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_notified(self) -> bool:
        return bool(self.notice_number and self.notice_date)


def rules_upload_to(instance: PostingRules, filename: str) -> str:
    """Store under a generated name: the user's file name never reaches the file system."""
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()
    suffix = suffix if suffix in {".pdf", ".docx"} else ""
    return f"posting-rules/{instance.body_id}/{uuid.uuid4().hex}{suffix}"


class PostingRules(models.Model):
    """A version of a body's internal rules on posting (nội quy; Code art. 5 cl. 2)."""

    body = models.ForeignKey(
        "units.Body",
        on_delete=models.PROTECT,
        related_name="posting_rules",
        verbose_name=_("body"),
    )
    version = models.PositiveIntegerField(_("version"), editable=False)
    document_number = NFCCharField(_("document number"), max_length=60)
    issued_on = models.DateField(_("issued on"))
    signed_by = NFCCharField(_("signed by"), max_length=150)
    file = models.FileField(_("file"), upload_to=rules_upload_to, max_length=255)
    original_filename = NFCCharField(_("original file name"), max_length=255, editable=False)
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveIntegerField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["body", "-version"]
        verbose_name = _("posting rules")
        verbose_name_plural = _("posting rules")
        constraints = [
            models.UniqueConstraint(fields=["body", "version"], name="rules_version_unique"),
            models.UniqueConstraint(
                fields=["body"],
                condition=models.Q(superseded_at__isnull=True),
                name="one_current_rules_per_body",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_number} (v{self.version})"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class Spokesperson(models.Model):
    """The spokesperson (người phát ngôn) of a body, under Decree 09/2017/NĐ-CP.

    The person appointed to speak and give information to the press for the body, beside
    its contact person. One current record per body; a replaced spokesperson is archived,
    never deleted, and every correction is kept in the history.
    """

    body = models.ForeignKey(
        "units.Body",
        on_delete=models.PROTECT,
        related_name="spokespersons",
        verbose_name=_("body"),
    )
    name = NFCCharField(_("full name"), max_length=150)
    position = NFCCharField(_("position"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30)
    email = models.EmailField(_("email"), blank=True)
    decision_number = NFCCharField(
        _("number of the appointing decision"),
        max_length=60,
        blank=True,
        help_text=_("The decision appointing the spokesperson (Decree 09/2017/NĐ-CP)."),
    )
    decision_date = models.DateField(_("date of the appointing decision"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["body", "-pk"]
        verbose_name = _("spokesperson")
        verbose_name_plural = _("spokespersons")
        constraints = [
            models.UniqueConstraint(
                fields=["body"],
                condition=models.Q(archived_at__isnull=True),
                name="one_spokesperson_per_body",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_appointed(self) -> bool:
        """The appointing decision is recorded (number and date)."""
        return bool(self.decision_number and self.decision_date)
