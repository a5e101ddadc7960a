"""The audit trail: who logged in, failed, was locked out, and who approved what.

A row is written in the same transaction as the action it records (see each app's
``audit_trail`` module), so an approval without its audit row cannot exist. Rows are never changed or deleted by the
portal: the model refuses a second save, and the admin shows them read-only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Logged in")
    LOGOUT = "logout", _("Logged out")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKOUT = "lockout", _("Locked out after repeated failures")
    REPORT_SUBMIT = "report_submit", _("Report submitted")
    REPORT_ACCEPT = "report_accept", _("Report accepted")
    REPORT_RETURN = "report_return", _("Report returned")
    REPORT_REOPEN = "report_reopen", _("Report reopened")
    PAGE_APPROVE = "page_approve", _("Page approved")
    PAGE_RETURN = "page_return", _("Page returned")
    DIRECTIVE_ISSUE = "directive_issue", _("Directive issued")
    INCIDENT_ESCALATE = "incident_escalate", _("Incident escalated to the province")
    INCIDENT_RESOLVE = "incident_resolve", _("Incident resolved")
    INCIDENT_DISMISS = "incident_dismiss", _("Incident dismissed")
    ROLE_GRANT = "role_grant", _("Role granted")
    ROLE_REVOKE = "role_revoke", _("Role withdrawn")
    PASSWORD_CHANGE = "password_change", _("Password changed")
    PASSWORD_RESET_REQUEST = "password_reset_request", _("Password reset requested")
    PASSWORD_RESET = "password_reset", _("Password reset")
    TOKEN_CREATE = "token_create", _("API token created")
    TOKEN_USE = "token_use", _("API token used")
    TOKEN_REVOKE = "token_revoke", _("API token revoked")
    OTP_ENABLE = "otp_enable", _("Second factor turned on")
    OTP_DISABLE = "otp_disable", _("Second factor turned off")
    OTP_FAILED = "otp_failed", _("Wrong second-factor code")
    OTP_RECOVERY_USED = "otp_recovery_used", _("Recovery code used")
    PERSONAL_DATA_EXPORT = "personal_data_export", _("Personal data exported")
    PERSONAL_DATA_ACCESS = "personal_data_access", _("Personal data request answered")
    PERSONAL_DATA_ERASE = "personal_data_erase", _("Personal data erased")


# Logins and lockouts: they concern a person, not a unit, so they carry no unit path.
ACCESS_ACTIONS = (
    AuditAction.LOGIN,
    AuditAction.LOGOUT,
    AuditAction.LOGIN_FAILED,
    AuditAction.LOCKOUT,
)

USER_AGENT_MAX = 255


class AuditEvent(models.Model):
    """One recorded action. Copies (username, object name, unit path) outlive the originals."""

    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # A deleted user's events stay, with the username copied below.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    # The path of the unit the object belongs to, as it was: officers see their subtree's.
    unit_path = models.CharField(_("unit path"), max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=USER_AGENT_MAX, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["-at"], name="audit_at"),
            models.Index(fields=["action", "-at"], name="audit_action_at"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
            models.Index(
                fields=["unit_path"], name="audit_unit_path", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        who = self.actor_username or "-"
        return f"{self.at:%d/%m/%Y %H:%M} {who}: {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The trail is append-only: a recorded event is never rewritten.
        if self.pk is not None and not self._state.adding:
            raise ValueError("An audit event cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("An audit event cannot be deleted.")
