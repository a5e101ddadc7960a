"""The administrative hierarchy (levels and units as data) and the state bodies in it."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.text import NFCCharField, NFCTextField, fold

# Each step of a materialized path is the unit's primary key, zero-padded to this width and
# followed by a dot: "everything under X" is one indexed prefix query on ``path``.
PATH_STEP_WIDTH = 8


def path_step(pk: int) -> str:
    return f"{pk:0{PATH_STEP_WIDTH}d}."


class UnitLevel(models.Model):
    """A named tier of the hierarchy: province, district, commune. Levels are data."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = NFCCharField(_("name (Vietnamese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)
    rank = models.PositiveSmallIntegerField(
        _("rank"), unique=True, help_text=_("1 for the top of the hierarchy, larger below.")
    )
    code_width = models.PositiveSmallIntegerField(
        _("width of official codes"), default=5, help_text=_("Official codes are zero-padded.")
    )

    class Meta:
        ordering = ["rank"]
        verbose_name = _("level")
        verbose_name_plural = _("levels")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name_en if (get_language() or "vi").startswith("en") else self.name


class UnitType(models.TextChoices):
    """The official kinds of administrative unit."""

    CENTRAL_CITY = "thanh_pho_tw", _("centrally-run city")
    PROVINCE = "tinh", _("province")
    CITY = "thanh_pho", _("provincial city")
    URBAN_DISTRICT = "quan", _("urban district")
    RURAL_DISTRICT = "huyen", _("rural district")
    TOWN = "thi_xa", _("town")
    COMMUNE = "xa", _("commune")
    WARD = "phuong", _("ward")
    TOWNSHIP = "thi_tran", _("township")
    SPECIAL_ZONE = "dac_khu", _("special zone")


class AdministrativeUnitQuerySet(models.QuerySet["AdministrativeUnit"]):
    def in_force_on(self, day: date) -> AdministrativeUnitQuerySet:
        return self.filter(
            models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=day),
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=day),
        )

    def subtree_of(self, unit: AdministrativeUnit) -> AdministrativeUnitQuerySet:
        """The unit and everything below it, in one indexed prefix query."""
        return self.filter(path__startswith=unit.path)


class AdministrativeUnit(models.Model):
    """A province, district or commune (or whatever levels are defined), with its dates."""

    level = models.ForeignKey(UnitLevel, on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    code = models.CharField(_("official code"), max_length=12)
    name = NFCCharField(_("name"), max_length=200)
    unit_type = models.CharField(_("type"), max_length=20, choices=UnitType.choices)
    codename = models.SlugField(_("code name"), max_length=120, blank=True)
    search_name = models.CharField(max_length=200, editable=False, db_index=True)
    path = models.CharField(max_length=255, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    valid_from = models.DateField(_("in force from"), null=True, blank=True)
    valid_until = models.DateField(_("in force until"), null=True, blank=True)
    succeeded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name=_("succeeded by"),
    )
    history = HistoricalRecords()

    objects = AdministrativeUnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        constraints = [
            # One unit per official code and level for each period in force.
            models.UniqueConstraint(
                "level",
                "code",
                Coalesce("valid_from", models.Value(date(1, 1, 1))),
                name="unit_code_unique_per_level_and_period",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="unit_valid_range_ordered",
            ),
        ]
        indexes = [
            models.Index(
                fields=["path"], name="unit_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["level", "code"], name="unit_level_code"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_name = fold(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        if not self.path:
            # The path needs the primary key, which only exists after the first insert.
            self.path = (self.parent.path if self.parent else "") + path_step(self.pk)
            self.depth = self.path.count(".")
            type(self).objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)

    @property
    def is_in_force(self) -> bool:
        today = timezone.localdate()
        return (self.valid_from is None or self.valid_from <= today) and (
            self.valid_until is None or self.valid_until >= today
        )

    def ancestor_ids(self) -> list[int]:
        """Primary keys of the ancestors, read from the path (top first, self excluded)."""
        return [int(step) for step in self.path.split(".") if step][:-1]


class BodyKind(models.TextChoices):
    PEOPLES_COMMITTEE = "peoples_committee", _("People's Committee")
    PEOPLES_COUNCIL = "peoples_council", _("People's Council")
    DEPARTMENT = "department", _("Department or office")
    PARTY_ORGANISATION = "party_organisation", _("Party organisation")
    MASS_ORGANISATION = "mass_organisation", _("Mass organisation")
    PUBLIC_SERVICE_UNIT = "public_service_unit", _("Public service unit")
    STATE_ENTERPRISE = "state_enterprise", _("State enterprise")
    PRESS_AGENCY = "press_agency", _("Press agency")
    VILLAGE_BOARD = "village_board", _("Village or residential group board")
    OTHER = "other", _("Other")


class Body(models.Model):
    """A state body (cơ quan, đơn vị) that belongs to one administrative unit."""

    unit = models.ForeignKey(
        AdministrativeUnit, on_delete=models.PROTECT, related_name="bodies", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=BodyKind.choices)
    name = NFCCharField(_("real name"), max_length=255)
    short_name = NFCCharField(_("short name"), max_length=100, blank=True)
    supervising_body = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised_bodies",
        verbose_name=_("supervising body"),
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = NFCTextField(_("address"), blank=True)
    search_name = models.CharField(max_length=255, editable=False, db_index=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    # Set when a reorganisation merged this body into another of the same kind (the three
    # People's Committees of three merged communes become one): this one is archived, its
    # pages, contacts and rules went to the survivor.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_bodies",
        verbose_name=_("merged into"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "name"],
                condition=models.Q(archived_at__isnull=True),
                name="body_name_unique_in_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_name = fold(self.name + " " + self.short_name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ReorganisationKind(models.TextChoices):
    MERGE = "merge", _("Merge")
    SPLIT = "split", _("Split")
    RENAME = "rename", _("Rename")


class Reorganisation(models.Model):
    """A change of the hierarchy (units merged, split or renamed) on a given date."""

    kind = models.CharField(_("kind"), max_length=10, choices=ReorganisationKind.choices)
    effective_on = models.DateField(_("effective on"))
    legal_basis = NFCCharField(_("legal basis"), max_length=255, blank=True)
    note = NFCTextField(_("note"), blank=True)
    predecessors = models.ManyToManyField(
        AdministrativeUnit, related_name="reorganisations_closed", verbose_name=_("predecessors")
    )
    successor = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        related_name="reorganisations_received",
        verbose_name=_("successor"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The plan (a conversion table applied as a whole) this reorganisation was part of.
    plan = models.ForeignKey(
        "ReorganisationPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reorganisations",
        verbose_name=_("plan"),
    )

    class Meta:
        ordering = ["-effective_on", "-pk"]
        verbose_name = _("reorganisation")
        verbose_name_plural = _("reorganisations")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.successor} ({self.effective_on:%d/%m/%Y})"


class BodyTransfer(models.Model):
    """A body moved from one unit to another by a reorganisation: where it was before."""

    reorganisation = models.ForeignKey(
        Reorganisation, on_delete=models.PROTECT, related_name="body_transfers"
    )
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="transfers")
    from_unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("body transfer")
        verbose_name_plural = _("body transfers")
        constraints = [
            models.UniqueConstraint(fields=["reorganisation", "body"], name="one_transfer_per_body")
        ]

    def __str__(self) -> str:
        return f"{self.body}: {self.from_unit} → {self.to_unit}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (dry run, not applied)")
    APPLIED = "applied", _("Applied")


class ReorganisationPlan(models.Model):
    """A conversion table to apply as a whole (01/07/2025), reviewed before it is applied.

    The dry run of ``apply_reorganisation`` stores a draft: its summary, the old communes
    that need a choice, the rows of the table that match nothing, and the full report (CSV,
    gzip-compressed). Applying it (the command, or the admin's button) recomputes the plan
    from the database as it is then, with the stored decisions, and stores the final report.
    """

    table = models.CharField(_("conversion table"), max_length=60)
    effective_on = models.DateField(_("effective on"))
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    decisions = models.JSONField(
        _("decisions"),
        default=dict,
        blank=True,
        help_text=_("Targets chosen for split communes and for single bodies."),
    )
    summary = models.JSONField(_("summary"), default=dict, blank=True, editable=False)
    needs_choice = models.JSONField(
        _("communes needing a choice"), default=list, blank=True, editable=False
    )
    unmatched = models.JSONField(_("unmatched rows"), default=dict, blank=True, editable=False)
    report_csv_gz = models.BinaryField(_("report (CSV, gzip)"), blank=True, editable=False)
    seconds = models.FloatField(_("run time (seconds)"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reorganisation plan")
        verbose_name_plural = _("reorganisation plans")

    def __str__(self) -> str:
        return f"{self.table} ({self.effective_on:%d/%m/%Y}) — {self.get_status_display()}"
