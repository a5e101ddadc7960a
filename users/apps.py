from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    name = "users"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        # The audit of an authenticator's removal is a receiver in users.otp: connected here,
        # so a removal from a shell or a command is recorded too, not only in web processes.
        from users import otp  # noqa: F401

        # The audit trail of logins, failures, lockouts and role changes.
        from users.audit_trail import connect as connect_audit_trail

        connect_audit_trail()
