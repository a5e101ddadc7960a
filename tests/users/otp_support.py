"""What the second factor's tests share: an authenticator app's codes, enrolment, logging in."""

from __future__ import annotations

import re
import time
from base64 import b32decode

from django.test import Client
from django.urls import reverse
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import DEMO_PASSWORD
from users.models import User


def secret_on_page(page: str) -> str:
    """The key the setup page shows for typing into an app by hand."""
    found = re.search(r"data-otp-secret>([A-Z2-7 ]+)<", page)
    assert found, "no secret on the setup page"
    return found.group(1).replace(" ", "")


def app_code(secret: str, steps_ahead: int = 0) -> str:
    """The code an authenticator app holding ``secret`` shows now (or a later step's)."""
    key = b32decode(secret + "=" * (-len(secret) % 8))
    return f"{hotp(key, int(time.time()) // 30 + steps_ahead):06d}"


def next_app_code(user: User) -> str:
    """The app's next code the portal has not seen yet: a code is accepted only once, and
    the portal allows one time step of clock difference, so tests need not wait 30 s."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    now = int(time.time()) // 30 + device.drift
    return f"{hotp(device.bin_key, max(now, device.last_t + 1)):06d}"


def recovery_codes_on_page(page: str) -> list[str]:
    return re.findall(r"<code>([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})</code>", page)


def enrol(client: Client) -> tuple[str, list[str]]:
    """Set up the signed-in user's authenticator through the pages; return the secret and
    the recovery codes shown."""
    page = client.get(reverse("otp_setup")).content.decode()
    secret = secret_on_page(page)
    confirmed = client.post(reverse("otp_setup"), {"code": app_code(secret)})
    assert confirmed.status_code == 302, confirmed.content.decode()
    codes = recovery_codes_on_page(client.get(confirmed["Location"]).content.decode())
    assert len(codes) == 10
    return secret, codes


def password_step(client: Client, user: User, **extra: str) -> str:
    """Log in with the password; return where the portal sends the browser."""
    response = client.post(
        reverse("login") + extra.get("query", ""),
        {"username": user.username, "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()
    return str(response["Location"])
