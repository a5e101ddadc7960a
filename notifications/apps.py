from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications and email")

    def ready(self) -> None:
        # The password reset email: users renders it and sends users.signals.account_email
        # (it may not import the outbox); the receiver queues it like any other email.
        from notifications import account_emails

        account_emails.connect()
