"""Legal texts as data: versioned libraries of nodes with stable ids, and the criteria citing them.

A library (Decision 874 and its Code) is a file of nodes — decision, code, chapter, article,
clause, point — each with a stable ``ref`` such as ``qd874.code.d4.k2``. Loading a newer
version updates nodes by ``ref`` and marks the ones that vanished as retired instead of
deleting them, so that whatever cites them keeps pointing at the same row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.text import NFCCharField, NFCTextField


class LibraryContent(models.TextChoices):
    """What a library file holds: the text of a regulation, or criteria citing one."""

    TEXT = "text", _("legal text")
    CRITERIA = "criteria", _("compliance criteria")


class NodeKind(models.TextChoices):
    DECISION = "decision", _("decision")
    CODE = "code", _("code")
    CHAPTER = "chapter", _("chapter")
    ARTICLE = "article", _("article")
    CLAUSE = "clause", _("clause")
    POINT = "point", _("point")


class TextStatus(models.TextChoices):
    """How far the stored wording can be trusted as the official one."""

    VERBATIM = "verbatim", _("Verbatim")
    SUMMARY = "summary", _("Summary, not the official wording")
    PARTIAL = "partial", _("Partly verbatim")
    METADATA = "metadata", _("Heading only")


class Measure(models.TextChoices):
    REGISTRY = "registry", _("computed from the registry")
    DECLARATION = "declaration", _("declared each period")
    COUNT = "count", _("counted each period")


class CriterionLevel(models.TextChoices):
    REQUIRED = "required", _("required")
    RECOMMENDED = "recommended", _("recommended")


class LegalLibrary(models.Model):
    """One library (by its id in the file), at the version loaded last."""

    library_id = models.SlugField(_("library id"), max_length=60, unique=True)
    content = models.CharField(
        _("content"), max_length=10, choices=LibraryContent.choices, default=LibraryContent.TEXT
    )
    version = models.CharField(_("version"), max_length=30)
    title = NFCCharField(_("title"), max_length=300, blank=True)
    issuer = NFCCharField(_("issuer"), max_length=200, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    in_force_from = models.DateField(_("in force from"), null=True, blank=True)
    locale = models.CharField(_("language"), max_length=10, default="vi")
    notes = NFCTextField(_("notes"), blank=True)
    checksum = models.CharField(_("checksum (SHA-256)"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"))
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("loaded by"),
    )

    class Meta:
        ordering = ["library_id"]
        verbose_name = _("legal library")
        verbose_name_plural = _("legal libraries")

    def __str__(self) -> str:
        return f"{self.library_id} ({self.version})"


class LegalLibraryVersion(models.Model):
    """The log of every version of a library that was loaded."""

    library = models.ForeignKey(LegalLibrary, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(_("version"), max_length=30)
    checksum = models.CharField(_("checksum (SHA-256)"), max_length=64)
    item_count = models.PositiveIntegerField(_("nodes or criteria in the file"))
    loaded_at = models.DateTimeField(_("loaded at"))
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("loaded by"),
    )

    class Meta:
        ordering = ["library", "-loaded_at"]
        verbose_name = _("library version")
        verbose_name_plural = _("library versions")
        constraints = [
            models.UniqueConstraint(
                fields=["library", "version"], name="legal_library_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.library.library_id} {self.version}"


class LegalNode(models.Model):
    """A decision, code, chapter, article, clause or point, under its stable id."""

    library = models.ForeignKey(LegalLibrary, on_delete=models.PROTECT, related_name="nodes")
    ref = models.CharField(_("id"), max_length=200, unique=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=NodeKind.choices)
    number = NFCCharField(_("number"), max_length=40, blank=True)
    title = NFCCharField(_("title"), max_length=300, blank=True)
    text = NFCTextField(_("text"), blank=True)
    text_status = models.CharField(_("text status"), max_length=10, choices=TextStatus.choices)
    # Where the wording was found: the maintainers' note, in English, for administrators only.
    source = NFCTextField(_("source"), blank=True)
    # For readers: which letter or summary a non-verbatim node comes from.
    origin = NFCTextField(_("origin (Vietnamese)"), blank=True)
    origin_en = models.TextField(_("origin (English)"), blank=True)
    order = models.PositiveIntegerField(_("order"))
    depth = models.PositiveSmallIntegerField(_("depth"), default=0)
    search_text = models.TextField(editable=False, blank=True)
    retired_in_version = models.CharField(
        _("retired in version"),
        max_length=30,
        blank=True,
        help_text=_("The library version from which this node is no longer in the text."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["library", "order"]
        verbose_name = _("legal node")
        verbose_name_plural = _("legal nodes")

    def __str__(self) -> str:
        return self.ref

    @property
    def is_retired(self) -> bool:
        return bool(self.retired_in_version)

    @property
    def origin_label(self) -> str:
        """Where the node's wording comes from, in the reader's language."""
        return _in_language(self.origin, self.origin_en)

    @property
    def heading(self) -> str:
        """The node's own label: "Điều 4", "Khoản 2", "Chương II", or its title."""
        labels = {
            NodeKind.CHAPTER: _("Chapter %(number)s"),
            NodeKind.ARTICLE: _("Article %(number)s"),
            NodeKind.CLAUSE: _("Clause %(number)s"),
            NodeKind.POINT: _("Point %(number)s"),
        }
        label = labels.get(NodeKind(self.kind))
        if label is None or not self.number:
            return self.title or self.number or self.ref
        return str(label) % {"number": self.number}

    @property
    def citation(self) -> str:
        """How a letter cites the node: "Khoản 2 Điều 4"; needs the parents loaded."""
        parts = [self.heading]
        parent = self.parent
        while parent is not None and parent.kind in {
            NodeKind.CLAUSE,
            NodeKind.ARTICLE,
            NodeKind.POINT,
        }:
            parts.append(parent.heading)
            parent = parent.parent
        return " ".join(parts)


class ComplianceCriterion(models.Model):
    """What a state body is assessed on, citing the clauses it comes from."""

    library = models.ForeignKey(LegalLibrary, on_delete=models.PROTECT, related_name="criteria")
    ref = models.SlugField(_("id"), max_length=60, unique=True)
    title = NFCCharField(_("title (Vietnamese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    measure = models.CharField(_("measured by"), max_length=12, choices=Measure.choices)
    level = models.CharField(_("level"), max_length=12, choices=CriterionLevel.choices)
    # The maintainers' note, in English, for administrators only.
    notes = NFCTextField(_("notes"), blank=True)
    # For readers: why the criterion exists and how it is measured.
    rationale = NFCTextField(_("rationale (Vietnamese)"), blank=True)
    rationale_en = models.TextField(_("rationale (English)"), blank=True)
    order = models.PositiveIntegerField(_("order"))
    cites = models.ManyToManyField(
        LegalNode, blank=True, related_name="criteria", verbose_name=_("cites")
    )
    version = models.CharField(_("version loaded"), max_length=30)
    retired_in_version = models.CharField(_("retired in version"), max_length=30, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "ref"]
        verbose_name = _("compliance criterion")
        verbose_name_plural = _("compliance criteria")

    def __str__(self) -> str:
        return self.ref

    @property
    def label(self) -> str:
        return _in_language(self.title, self.title_en)

    @property
    def rationale_label(self) -> str:
        return _in_language(self.rationale, self.rationale_en)


def _in_language(vietnamese: str, english: str) -> str:
    """The English text in the English interface when there is one, else the Vietnamese."""
    if english and (get_language() or "vi").startswith("en"):
        return english
    return vietnamese
