"""Periods as data: the reporting periods, their deadlines per level, and each province's
own choice of the kinds of period it requires and of their deadlines."""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.text import NFCCharField


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
