"""The second factor: a TOTP authenticator app, with single-use recovery codes.

Built on django-otp. A user's authenticator is one confirmed ``TOTPDevice``; their recovery
codes are the tokens of one ``StaticDevice``. django-otp keeps static tokens in clear text:
this module stores a hash of each code instead (``recovery_hash``), so a copy of the
database gives nobody a code to log in with. Every check of a recovery code therefore goes
through ``verify_code`` here, never through django-otp's ``match_token``.

Who must have one: provincial department officers, system administrators and staff users
(the admin site), when ``PORTAL_OTP_REQUIRED`` is on (``required_for``). Everyone else may.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from base64 import b32encode, urlsafe_b64encode
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.safestring import SafeString, mark_safe
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditAction
from audit.services import record
from users import scope
from users.models import Role, User

# Roles that may not work without a second factor (staff users too: the admin site).
REQUIRED_ROLES = frozenset({Role.PROVINCE_OFFICER, Role.SYSTEM_ADMIN})
RECOVERY_CODE_COUNT = 10
# 10 random bytes: 16 base32 characters, 80 bits, shown as four groups of four.
_RECOVERY_BYTES = 10
_RECOVERY_RE = re.compile(r"[A-Z2-7]{16}")
_TOTP_RE = re.compile(r"\d{6}")
_AUTHENTICATOR_NAME = "authenticator"
_RECOVERY_NAME = "recovery"


def required_for(user: User | AnonymousUser) -> bool:
    """Whether ``user`` may not use the portal without a second factor."""
    if not settings.PORTAL_OTP_REQUIRED or not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    # The grants are read once per request and shared with the scope of the page itself.
    return bool(scope.grants_for(user).roles & REQUIRED_ROLES)


def session_verified(user: User | AnonymousUser) -> bool:
    """Whether this request's user passed the second factor in this session (OTPMiddleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check is not None and check())


def password_is_enough(user: User) -> bool:
    """Whether a password alone may let ``user`` in: for doors that take only a password
    (the API's token endpoint), which must refuse users with or owing a second factor."""
    return not required_for(user) and not is_enrolled(user)


def authenticator(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, if they have turned the second factor on."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_enrolled(user: User) -> bool:
    enrolled: bool = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return enrolled


def pending_authenticator(user: User) -> TOTPDevice:
    """The authenticator being set up: the same secret until it is confirmed, so that a
    reloaded page does not invalidate what the user already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_AUTHENTICATOR_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice, labelled_by: str) -> SafeString:
    """The setup link as a QR code, an inline SVG with no style attribute (CSP-safe)."""
    image = qrcode.make(
        device.config_url,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    svg: str = image.to_string(encoding="unicode")
    # The SVG is made here from paths only; the id is ours, never user input.
    svg = svg.replace(
        "<svg ", f'<svg class="otp-qr__image" role="img" aria-labelledby="{labelled_by}" ', 1
    )
    return mark_safe(svg)  # noqa: S308


def recovery_hash(code: str) -> str:
    """What is stored for a recovery code: 96 bits of its SHA-256, in 16 characters (the
    size of django-otp's token column). The codes carry 80 random bits, so the hash cannot
    be reversed by trying codes, and no key is needed that a key rotation would break."""
    digest = hashlib.sha256(b"portal-otp-recovery:" + code.encode()).digest()
    return urlsafe_b64encode(digest[:12]).decode()


def normalize_recovery_code(text: str) -> str | None:
    """A typed recovery code without spaces or dashes, upper-cased; None if it cannot be one."""
    cleaned = re.sub(r"[\s\-]", "", text).upper()
    return cleaned if _RECOVERY_RE.fullmatch(cleaned) else None


def _format_recovery_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def issue_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes, replacing any earlier ones; returned once, stored hashed."""
    codes = [
        b32encode(secrets.token_bytes(_RECOVERY_BYTES)).decode() for _ in range(RECOVERY_CODE_COUNT)
    ]
    with transaction.atomic():
        device, _created = StaticDevice.objects.select_for_update().get_or_create(
            user=user, name=_RECOVERY_NAME, defaults={"confirmed": True}
        )
        StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.token_set.all().delete()
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=recovery_hash(code)) for code in codes
        )
        device.confirmed = True
        device.throttle_reset(commit=False)
        device.save()
    return [_format_recovery_code(code) for code in codes]


def recovery_codes_left(user: User) -> int:
    left: int = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return left


def confirm_authenticator(user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Turn the second factor on once the app shows the right code: the device is confirmed,
    any other authenticator of the user removed, and ten recovery codes issued (returned).
    None if the code is wrong."""
    digits = re.sub(r"\s", "", code)
    if not _TOTP_RE.fullmatch(digits):
        return None
    with transaction.atomic():
        locked = (
            TOTPDevice.objects.select_for_update()
            .filter(pk=device.pk, user=user, confirmed=False)
            .first()
        )
        if locked is None or not locked.verify_token(digits):
            return None
        locked.confirmed = True
        locked.save()
        TOTPDevice.objects.filter(user=user).exclude(pk=locked.pk).delete()
        codes = issue_recovery_codes(user)
        record(action=AuditAction.OTP_ENABLE, actor=user, obj=user)
    device.refresh_from_db()
    return codes


@dataclass(frozen=True)
class Verification:
    """The result of checking a code: the device that accepted it, if any."""

    device: TOTPDevice | StaticDevice | None
    recovery: bool = False
    # Set when the code was not even checked: too many wrong ones in a row, wait until then.
    wait_until: datetime | None = None
    recovery_left: int = 0

    @property
    def ok(self) -> bool:
        return self.device is not None


def verify_code(user: User, code: str) -> Verification:
    """Check a code from the authenticator app (six digits) or a recovery code.

    django-otp throttles each device: after n wrong codes in a row it refuses to check
    another for 2^(n-1) seconds, across sessions. An app code is accepted once (a code of
    the same time step or earlier is refused afterwards); a recovery code is deleted as it
    is used.
    """
    text = re.sub(r"\s", "", code)
    if _TOTP_RE.fullmatch(text):
        with transaction.atomic():
            totp = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            if totp is None:
                return Verification(None)
            allowed, info = totp.verify_is_allowed()
            if not allowed:
                return Verification(None, wait_until=(info or {}).get("locked_until"))
            return Verification(totp if totp.verify_token(text) else None)
    normalized = normalize_recovery_code(text)
    if normalized is None:
        return Verification(None)
    with transaction.atomic():
        static = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if static is None:
            return Verification(None, recovery=True)
        allowed, info = static.verify_is_allowed()
        if not allowed:
            return Verification(None, recovery=True, wait_until=(info or {}).get("locked_until"))
        if not static.verify_token(recovery_hash(normalized)):
            return Verification(None, recovery=True)
        left = static.token_set.count()
        record(action=AuditAction.OTP_RECOVERY_USED, actor=user, obj=user, note=str(left))
    return Verification(static, recovery=True, recovery_left=left)


def turn_off(user: User) -> None:
    """Remove the user's authenticator and recovery codes (the caller checked a code)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


@receiver(post_delete, sender=TOTPDevice, dispatch_uid="users.otp.authenticator_removed")
def _authenticator_removed(sender: type[TOTPDevice], instance: TOTPDevice, **kwargs: Any) -> None:
    """Every removal of a working authenticator is recorded, whoever removes it: the user
    (``turn_off``) or an administrator in the admin, for someone who lost the phone and the
    recovery codes. The actor is the request's user; the object, the account concerned."""
    if not instance.confirmed:
        return
    owner = User.objects.filter(pk=instance.user_id).first()
    record(
        action=AuditAction.OTP_DISABLE,
        obj=owner,
        username=owner.get_username() if owner is not None else "",
    )
