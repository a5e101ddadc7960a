"""Forms of the users app."""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from notifications.services import PORTAL_NAME, base_url, queue_email
from users.models import User

logger = logging.getLogger(__name__)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, with the email sent through the outbound queue.

    The message is rendered here, in the request's language, and delivered by a Celery task
    that retries if the mail server is down; the request does not wait for SMTP.
    """

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # The link and the portal's name come from PORTAL_BASE_URL, never from the request:
        # a forged Host header would otherwise put an attacker's address in the email.
        context = {**context, "base_url": base_url(), "site_name": str(PORTAL_NAME)}
        subject = render_to_string(subject_template_name, context)
        text = render_to_string(email_template_name, context)
        html = (
            render_to_string(html_email_template_name, context) if html_email_template_name else ""
        )
        try:
            queue_email(to=to_email, subject=subject, text=text, html=html)
        except Exception:
            # As Django's own form does: the page answers the same whatever happens here, so
            # it never tells whether an address belongs to an account.
            logger.exception(
                "Could not queue the password reset email of user %s", context["user"].pk
            )


class NotificationSettingsForm(forms.ModelForm):
    """The user's own choice: notices in the portal only, or by email as well."""

    class Meta:
        model = User
        fields = ["email_notifications"]
        labels = {"email_notifications": _("Also send me notices and reminders by email")}
        help_texts = {
            "email_notifications": _(
                "Notices always appear on the notifications page; untick to stop the emails."
            )
        }
