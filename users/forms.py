"""Forms of the users app."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.models import AuditAction
from audit.services import record
from portal.client_address import client_address
from portal.site import PORTAL_NAME, base_url
from users import guessing
from users.models import User
from users.signals import account_email

logger = logging.getLogger(__name__)


class LoginForm(auth_forms.AuthenticationForm):
    """Django's login form, saying so when the per-account limit on guessing refused it.

    The refusal itself happens in the authentication backend (``users.guessing``), for every
    door that calls ``authenticate()``; this form only gives the page the right sentence. It
    names no account: the limit counts names typed, existing or not.
    """

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            if guessing.refused(self.request):
                raise ValidationError(guessing.refused_message(), code="guessing_paused") from None
            raise


def _hourly(key: str, limit: int) -> bool:
    """Count one request in a one-hour window; whether it is still within ``limit``."""
    return guessing.count(key, 3600) <= limit


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, rate-limited, audited, with the email sent through the queue.

    At most ``PORTAL_PASSWORD_RESET_ACCOUNT_HOURLY`` emails an hour go to one account and
    ``PORTAL_PASSWORD_RESET_ADDRESS_HOURLY`` requests an hour are served for one client
    address; beyond either, nothing is sent, and the page answers exactly as always (no
    account enumeration, no mail bombing). Each request that names an account is recorded.

    The message is rendered here, in the request's language, and handed on as the
    ``users.signals.account_email`` signal; the notifications app's receiver queues it, and a
    Celery task delivers it, retrying if the mail server is down. The request does not wait
    for SMTP.
    """

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Django's view passes everything by keyword, the request included.
        request: HttpRequest | None = kwargs.get("request")
        address = client_address(request) if request is not None else None
        if address is not None:
            digest = hashlib.sha256(address.encode()).hexdigest()[:32]
            if not _hourly(
                f"password_reset:address:{digest}", settings.PORTAL_PASSWORD_RESET_ADDRESS_HOURLY
            ):
                logger.warning("Password reset refused: too many requests from %s", address)
                return
        # The link's host comes from PORTAL_BASE_URL, never from the request's Host header.
        portal = urlsplit(base_url())
        kwargs["domain_override"] = portal.netloc
        kwargs["use_https"] = portal.scheme == "https"
        super().save(*args, **kwargs)

    def get_users(self, email: str) -> Iterator[Any]:
        for user in super().get_users(email):
            allowed = _hourly(
                f"password_reset:account:{user.pk}", settings.PORTAL_PASSWORD_RESET_ACCOUNT_HOURLY
            )
            note = "" if allowed else gettext("Not sent: too many requests for this account.")
            # Anyone may ask for anyone's reset: the event names the account, not as its actor.
            record(
                action=AuditAction.PASSWORD_RESET_REQUEST,
                anonymous=True,
                username=user.get_username(),
                obj=user,
                note=note,
            )
            if allowed:
                yield user

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
            # The notifications app's receiver queues it in the outbox (users may not import it).
            account_email.send(
                sender=type(self), to=to_email, subject=subject, text=text, html=html
            )
        except Exception:
            # As Django's own form does: the page answers the same whatever happens here, so
            # it never tells whether an address belongs to an account.
            logger.exception(
                "Could not queue the password reset email of user %s", context["user"].pk
            )


class SetPasswordForm(auth_forms.SetPasswordForm):
    """The form behind the emailed reset link: the change is recorded as a reset."""

    def save(self, commit: bool = True) -> Any:
        # Read by User.save: the audit event is "password reset", by the account itself.
        self.user._password_event = AuditAction.PASSWORD_RESET
        return super().save(commit)


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
