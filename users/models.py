"""Users and the roles that give them a scope in the hierarchy."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS
from simple_history.models import HistoricalRecords

from portal.text import NFCCharField


class User(AbstractUser):  # type: ignore[django-manager-missing]
    """A portal user. Vietnamese names are kept whole rather than split in two."""

    full_name = NFCCharField(_("full name"), max_length=150, blank=True)
    position = NFCCharField(_("position"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # In-app notifications always appear; this chooses whether they also come by email.
    email_notifications = models.BooleanField(
        _("email notifications"),
        default=True,
        help_text=_("Also send notices and reminders by email, not only in the portal."),
    )
    # Who changed a user, and when; password hashes and login times are not history.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        # ``set_password`` leaves the new password in ``_password`` until the save; Django
        # clears it for a mere hash upgrade at login, so this is a real change (the change
        # and reset forms, the admin, a command). Every API token dies with the old password.
        password_changed = getattr(self, "_password", None) is not None and not self._state.adding
        super().save(*args, **kwargs)
        if password_changed:
            from users.tokens import password_changed as revoke_on_password_change

            revoke_on_password_change(self)


class Role(models.TextChoices):
    BODY_STAFF = "body_staff", _("Staff of a body")
    # The officer of an administrative unit who reviews the bodies and units below it,
    # whichever level that is: the commune's Phòng Văn hóa - Xã hội in the two-tier country,
    # the district's Phòng Văn hóa và Thông tin in the three-tier one. The label names no
    # level, since the role does not have one.
    UNIT_OFFICER = "unit_officer", _("Administrative unit officer")
    PROVINCE_OFFICER = "province_officer", _("Provincial department officer")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


class RoleAssignment(models.Model):
    """One role of one user, anchored on a body (staff) or a unit (officers)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("unit"),
    )
    body = models.ForeignKey(
        "units.Body",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("body"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role=Role.BODY_STAFF, body__isnull=False, unit__isnull=True)
                    | models.Q(
                        role__in=[Role.UNIT_OFFICER, Role.PROVINCE_OFFICER],
                        unit__isnull=False,
                        body__isnull=True,
                    )
                    | models.Q(role=Role.SYSTEM_ADMIN, unit__isnull=True, body__isnull=True)
                ),
                name="role_anchor_matches_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "unit", "body"], name="role_assignment_unique"
            ),
        ]

    def __str__(self) -> str:
        anchor = self.body or self.unit
        return f"{self.get_role_display()}: {anchor}" if anchor else self.get_role_display()

    def clean(self) -> None:
        if self.role == Role.BODY_STAFF and (self.body_id is None or self.unit_id is not None):
            raise ValidationError(_("Staff of a body must be assigned to a body, not a unit."))
        if self.role in (Role.UNIT_OFFICER, Role.PROVINCE_OFFICER) and (
            self.unit_id is None or self.body_id is not None
        ):
            raise ValidationError(_("An officer must be assigned to a unit, not a body."))
        if self.role == Role.PROVINCE_OFFICER and self.unit is not None and self.unit.parent_id:
            raise ValidationError(
                _("A provincial department officer must be assigned to a province.")
            )
        if self.role == Role.SYSTEM_ADMIN and (self.unit_id or self.body_id):
            raise ValidationError(_("A system administrator is not tied to a unit or a body."))


class ApiToken(AbstractAuthToken):
    """An API token of one user: named, expiring, kept only as a hash (django-rest-knox).

    The clear token is shown once, when it is created; the portal keeps its SHA-512 digest
    and its first characters (``token_key``, to find the row without scanning every hash).
    The public id is a random UUID, so that guessing another token's id is pointless (and
    the owner's scope makes it a 404 anyway).
    """

    id: models.UUIDField[Any, uuid.UUID] = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False
    )
    # Knox makes the digest the primary key; here it is only unique, so URLs carry the UUID.
    digest: models.CharField[Any, str] = models.CharField(
        max_length=CONSTANTS.DIGEST_LENGTH, unique=True
    )
    name = NFCCharField(_("name"), max_length=100)
    # Written at the first use of each day (Asia/Ho_Chi_Minh), with its audit event.
    last_used: models.DateTimeField[Any, datetime.datetime | None] = models.DateTimeField(
        _("last used"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.name
