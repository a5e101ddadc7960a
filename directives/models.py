"""Directives (công văn): letters sent down the hierarchy, and what recipients do with them.

A directive is drafted by an officer for an issuing body, then issued: issuing freezes its
text and creates one ``Receipt`` per recipient (a unit, or a body). Each recipient
acknowledges it, then reports back on implementation (``ImplementationReport``) or issues
its own directive that ``implements`` this one, so a chain province → district → commune
can be followed both ways. ``Reminder`` rows make a reminder happen at most once per
receipt and step, whoever sends it and however often a task runs.

Nothing here is deleted: a draft that is not wanted is archived.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.text import NFCCharField, NFCTextField, fold


class DirectiveState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    ARCHIVED = "archived", _("Archived")


class Directive(models.Model):
    """One official letter, with the parts of Decree 30/2020/NĐ-CP's layout."""

    issuer = models.ForeignKey(
        "units.Body",
        on_delete=models.PROTECT,
        related_name="directives",
        verbose_name=_("issuing body"),
    )
    # Left blank in a draft: the clerk (văn thư) gives the number when the letter is issued.
    number = models.CharField(_("number"), max_length=20, blank=True)
    symbol = models.CharField(
        _("symbol"), max_length=50, help_text=_("For example UBND-VHTT or STTTT-TTBCXB.")
    )
    place = NFCCharField(_("place"), max_length=100)
    issued_on = models.DateField(_("date"), null=True, blank=True)
    subject = NFCCharField(_("subject (V/v …)"), max_length=500)
    addressees = NFCTextField(
        _("addressed to (Kính gửi)"),
        blank=True,
        max_length=5000,
        help_text=_("One line per addressee; left blank, it is written from the recipients."),
    )
    basis = NFCTextField(
        _("basis (Căn cứ / Thực hiện …)"),
        blank=True,
        max_length=5000,
        help_text=_("The paragraph naming what this letter implements."),
    )
    implements = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="implementations",
        verbose_name=_("implements directive"),
    )
    # A letter from a higher level that is not in the portal (a ministry's, the provincial
    # police's): cited by number, date and issuer; never together with ``implements``.
    implements_paper = models.ForeignKey(
        "directives.PaperLetter",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="implementations",
        verbose_name=_("implements a letter on paper"),
    )
    body = NFCTextField(_("body text"), max_length=50000)
    closing = NFCTextField(_("closing paragraph"), blank=True, max_length=5000)
    distribution = NFCTextField(
        _("copies to (Nơi nhận)"),
        blank=True,
        max_length=5000,
        help_text=_("One line per entry; left blank, it is written from the recipients."),
    )
    signing_capacity = NFCCharField(
        _("signing capacity"),
        max_length=150,
        blank=True,
        help_text=_("For example: KT. CHỦ TỊCH / PHÓ CHỦ TỊCH (one line each)."),
    )
    signer_name = NFCCharField(_("signer"), max_length=150, blank=True)
    report_deadline = models.DateField(_("deadline for reporting back"), null=True, blank=True)
    cited_nodes = models.ManyToManyField(
        "legal.LegalNode",
        blank=True,
        related_name="directives",
        verbose_name=_("legal clauses cited"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=DirectiveState.choices, default=DirectiveState.DRAFT
    )
    # Number, symbol and subject folded (no case, no diacritics) for search.
    search_text = models.CharField(max_length=600, editable=False, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("drafted by"),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_on", "-created_at", "-pk"]
        verbose_name = _("directive")
        verbose_name_plural = _("directives")
        indexes = [models.Index(fields=["state", "report_deadline"], name="directive_state_due")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(implements__isnull=True)
                | models.Q(implements_paper__isnull=True),
                name="directive_implements_one",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.subject}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = fold(f"{self.number}/{self.symbol} {self.subject}")[:600]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"number", "symbol", "subject"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    @property
    def reference(self) -> str:
        """``Số 1067/UBND-VHTT`` as written on the letter (a blank number stays blank)."""
        return f"{self.number}/{self.symbol}" if self.number else f"…/{self.symbol}"

    @property
    def is_draft(self) -> bool:
        return self.state == DirectiveState.DRAFT

    @property
    def is_issued(self) -> bool:
        return self.state == DirectiveState.ISSUED


class Instruction(models.Model):
    """One numbered instruction of a directive (1., 2., …): for every recipient, or for the
    named groups that list its number (``NamedGroup.task_numbers``)."""

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="instructions")
    position = models.PositiveSmallIntegerField(_("number"))
    text = NFCTextField(_("instruction"), max_length=10000)

    class Meta:
        ordering = ["directive", "position"]
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")
        constraints = [
            models.UniqueConstraint(
                fields=["directive", "position"], name="instruction_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text[:60]}"


class Receipt(models.Model):
    """One recipient of an issued directive: a unit as a whole, or one body.

    ``unit`` is always set (for a body, its unit), so that scope is one path prefix.
    """

    directive = models.ForeignKey(Directive, on_delete=models.PROTECT, related_name="receipts")
    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="directive_receipts",
        verbose_name=_("unit"),
    )
    body = models.ForeignKey(
        "units.Body",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="directive_receipts",
        verbose_name=_("body"),
    )
    # Receipts of a draft are its planned recipients; issuing delivers them all at once.
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    read_at = models.DateTimeField(_("first opened at"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("first opened by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    # The first report back, or the issue of an implementing directive: either answers.
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)

    class Meta:
        ordering = ["directive", "unit__path", "body__name", "pk"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [
            models.UniqueConstraint(
                fields=["directive", "body"],
                condition=models.Q(body__isnull=False),
                name="receipt_body_once",
            ),
            models.UniqueConstraint(
                fields=["directive", "unit"],
                condition=models.Q(body__isnull=True),
                name="receipt_unit_once",
            ),
        ]
        indexes = [
            models.Index(fields=["reported_at"], name="receipt_reported"),
        ]

    def __str__(self) -> str:
        return f"{self.directive_id} → {self.recipient_name}"

    @property
    def recipient_name(self) -> str:
        return self.body.name if self.body_id and self.body else str(self.unit.name)

    def is_overdue(self, today: date | None = None) -> bool:
        deadline = self.directive.report_deadline
        if deadline is None or self.reported_at is not None:
            return False
        return (today or timezone.localdate()) > deadline


class ImplementationReport(models.Model):
    """A recipient's report on how it implemented a directive."""

    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="reports")
    text = NFCTextField(_("report"), max_length=20000)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        ordering = ["submitted_at", "pk"]
        verbose_name = _("implementation report")
        verbose_name_plural = _("implementation reports")

    def __str__(self) -> str:
        return f"{self.receipt} @ {self.submitted_at:%d/%m/%Y}"


class ReportFigure(models.Model):
    """One figure of an implementation report: ``Sessions held: 3``."""

    report = models.ForeignKey(
        ImplementationReport, on_delete=models.CASCADE, related_name="figures"
    )
    position = models.PositiveSmallIntegerField()
    label = NFCCharField(_("what was counted"), max_length=200)
    value = models.DecimalField(_("figure"), max_digits=14, decimal_places=2)
    # The key of the figure the directive asked for (``AskedFigure.key``), or blank for a
    # figure the recipient added of its own accord.
    key = models.SlugField(_("key"), max_length=50, blank=True)

    class Meta:
        ordering = ["report", "position"]
        verbose_name = _("figure")
        verbose_name_plural = _("figures")

    def __str__(self) -> str:
        return f"{self.label}: {self.value}"


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    """A generated name: the user's file name is kept in a column, never on disk."""
    return f"directive-files/{uuid.uuid4().hex}{instance.extension}"


class Attachment(models.Model):
    """A file attached to a directive or to an implementation report (never both)."""

    directive = models.ForeignKey(
        Directive, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    report = models.ForeignKey(
        ImplementationReport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to)
    kind = models.CharField(_("kind"), max_length=10)  # "pdf", "docx", "xlsx", "png", "jpeg"
    size = models.PositiveIntegerField(_("size"))
    original_filename = models.CharField(_("original file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(directive__isnull=False, report__isnull=True)
                | models.Q(directive__isnull=True, report__isnull=False),
                name="attachment_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.original_filename

    @property
    def extension(self) -> str:
        return {"jpeg": ".jpg"}.get(self.kind, f".{self.kind}")


class ReminderStep(models.TextChoices):
    """Why a reminder went out: automatic steps around the deadline, or a sender's click."""

    BEFORE = "before", _("Before the deadline")
    AFTER = "after", _("After the deadline")
    MANUAL = "manual", _("Sent by the issuer")


class Reminder(models.Model):
    """A reminder sent for one receipt at one step: the unique key makes it happen once.

    ``step`` is ``before-3d`` / ``after-1d`` for the automatic schedule (days around the
    deadline) and ``manual-2024-05-02`` for a sender's reminder (at most one a day).
    """

    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="reminders")
    step = models.CharField(_("step"), max_length=30)
    kind = models.CharField(_("kind"), max_length=10, choices=ReminderStep.choices)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    # One run's rows: after inserting with ON CONFLICT DO NOTHING, a run reads back its own
    # batch to learn which reminders it won (another run may have inserted the others).
    batch = models.UUIDField(editable=False, db_index=True)

    class Meta:
        ordering = ["sent_at", "pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["receipt", "step"], name="reminder_once_per_step")
        ]

    def __str__(self) -> str:
        return f"{self.receipt_id}: {self.step}"


# --- What the letters ask beyond units and bodies ----------------------------------------------


class GroupKind(models.TextChoices):
    """Kinds of named recipients the real letters write beside units and bodies."""

    PARTY_COMMITTEE = "party_committee", _("Party committee")
    MASS_ORGANISATION = "mass_organisation", _("Mass organisation")
    STATE_BODIES = "state_bodies", _("State bodies")
    PEOPLES_COMMITTEES = "peoples_committees", _("People's Committees")
    PRESS = "press", _("Press agencies")
    REPRESENTATIVE_OFFICE = "representative_office", _("Representative offices")
    RESIDENT_REPORTERS = "resident_reporters", _("Resident reporters")
    ARMED_FORCES = "armed_forces", _("Armed forces (police, military)")
    ENTERPRISES = "enterprises", _("State enterprises")
    OTHER = "other", _("Other")


class GroupPlacement(models.TextChoices):
    """Where a named group is written on the letter."""

    ADDRESSEE = "addressee", _("Addressed to (Kính gửi)")
    COPY = "copy", _("Copy to (Nơi nhận)")


class NamedGroup(models.Model):
    """A named recipient group of a letter: "Công an tỉnh", "Ủy ban MTTQ và các tổ chức
    chính trị - xã hội huyện", "Văn phòng đại diện, phóng viên thường trú trên địa bàn tỉnh".

    Written by its name in "Kính gửi" (or "Nơi nhận"). With members in the portal (bodies,
    units) it is delivered to each of them (a receipt each); without, it is outside the
    portal: listed on the letter for the record, with no inbox. Numbered instructions may be
    addressed to it (``task_numbers``): its members see those first, and only those figures
    are asked of them. An instruction no group lists is for every recipient.
    """

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="groups")
    position = models.PositiveSmallIntegerField(_("number"))
    name = NFCCharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=30, choices=GroupKind.choices)
    placement = models.CharField(
        _("written in"),
        max_length=10,
        choices=GroupPlacement.choices,
        default=GroupPlacement.ADDRESSEE,
    )
    bodies = models.ManyToManyField(
        "units.Body", blank=True, related_name="+", verbose_name=_("bodies in the portal")
    )
    units = models.ManyToManyField(
        "units.AdministrativeUnit",
        blank=True,
        related_name="+",
        verbose_name=_("units in the portal"),
    )
    # The numbers of the instructions addressed to this group (the instructions' own
    # numbering, 1, 2, …), so that rewriting a draft's instructions keeps them.
    task_numbers = models.JSONField(_("its instructions"), default=list, blank=True)

    class Meta:
        ordering = ["directive", "position"]
        verbose_name = _("named recipient group")
        verbose_name_plural = _("named recipient groups")
        constraints = [
            models.UniqueConstraint(fields=["directive", "position"], name="group_position_unique")
        ]

    def __str__(self) -> str:
        return self.name


class AskedFigure(models.Model):
    """A figure a directive asks its recipients to report ("số trang đã rà soát", in
    "trang"); those with the same ``key`` are totalled up a chain of letters."""

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="asked_figures")
    position = models.PositiveSmallIntegerField(_("number"))
    key = models.SlugField(
        _("key"),
        max_length=50,
        help_text=_("Letters that ask the same key are totalled up the chain, e.g. fake-pages."),
    )
    label = NFCCharField(_("what is counted"), max_length=200)
    unit = NFCCharField(_("unit of count"), max_length=30, blank=True)
    # Asked with this instruction (its number), so only of those it is addressed to; of
    # every recipient when blank.
    task_number = models.PositiveSmallIntegerField(_("for the instruction"), null=True, blank=True)

    class Meta:
        ordering = ["directive", "position"]
        verbose_name = _("figure asked")
        verbose_name_plural = _("figures asked")
        constraints = [
            models.UniqueConstraint(fields=["directive", "key"], name="asked_figure_key_once")
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label


def paper_upload_to(instance: PaperLetter, filename: str) -> str:
    """A generated name, as for attachments: the user's file name is kept in a column."""
    extension = {"jpeg": "jpg"}.get(instance.scan_kind, instance.scan_kind or "pdf")
    return f"paper-letters/{uuid.uuid4().hex}.{extension}"


class PaperLetter(models.Model):
    """A letter from a level above that exists only on paper (a ministry's, the provincial
    police's, a Party committee's): cited by its number and symbol, date, issuer and
    subject, so that a letter in the portal can implement it like any other."""

    reference = NFCCharField(
        _("number and symbol"), max_length=80, help_text=_("For example 5028/CAT-ANMCNC.")
    )
    issued_on = models.DateField(_("date"))
    issuer_name = NFCCharField(_("issued by"), max_length=255)
    subject = NFCCharField(_("subject (V/v …)"), max_length=500)
    # The body that recorded it: its letters cite it, and its officers may cite it again.
    recorded_by_body = models.ForeignKey(
        "units.Body",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    scan = models.FileField(_("scanned file"), upload_to=paper_upload_to, blank=True)
    scan_kind = models.CharField(max_length=10, blank=True)
    scan_filename = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "pk"]
        verbose_name = _("letter on paper")
        verbose_name_plural = _("letters on paper")
        constraints = [
            models.UniqueConstraint(
                fields=["recorded_by_body", "reference", "issued_on"], name="paper_letter_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.issued_on:%d/%m/%Y}), {self.issuer_name}"
