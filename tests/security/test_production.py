"""Production settings as a deployed process reads them from its environment.

``override_settings`` cannot show what ``PORTAL_ENV=production`` does, since the settings
module branches on the environment when it is imported: each case starts a fresh Python
with only the environment it names and prints the settings it ended up with.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from typing import Any

from django.conf import settings

PRODUCTION_ENV = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "DATABASE_URL": "postgres://portal:secret@db.internal:5432/portal",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "EMAIL_URL": "smtp+tls://portal:secret@mail.internal:587",
    "ALLOWED_HOSTS": "portal.example.gov.vn",
    "PORTAL_BASE_URL": "https://portal.example.gov.vn",
}

PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
names = [
    "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_AGE",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE", "PASSWORD_HASHERS", "AUTHENTICATION_BACKENDS",
    "AXES_FAILURE_LIMIT", "AXES_LOCKOUT_PARAMETERS", "MIDDLEWARE", "X_FRAME_OPTIONS",
    "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "CONTENT_SECURITY_POLICY",
    "INSTALLED_APPS",
]
print(json.dumps({name: getattr(s, name) for name in names}, default=str))
"""


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # Only what a bare container has, plus the variables under test.
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_settings(**extra: str) -> dict[str, Any]:
    result = _run("-c", PRINT_SETTINGS, env={**PRODUCTION_ENV, **extra})
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def test_production_sends_cookies_over_https_only_and_asks_for_hsts_for_a_year() -> None:
    conf = production_settings()

    assert conf["DEBUG"] is False
    assert conf["SECURE_SSL_REDIRECT"] is True
    assert conf["SECURE_HSTS_SECONDS"] == 365 * 24 * 60 * 60
    assert conf["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert conf["SECURE_HSTS_PRELOAD"] is True
    assert conf["SESSION_COOKIE_SECURE"] is True
    assert conf["CSRF_COOKIE_SECURE"] is True
    assert conf["SESSION_COOKIE_HTTPONLY"] is True
    assert conf["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert conf["SECURE_REFERRER_POLICY"] == "same-origin"
    assert conf["X_FRAME_OPTIONS"] == "DENY"
    assert conf["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_hsts_preload_and_the_proxy_header_are_set_from_the_environment() -> None:
    conf = production_settings(
        SECURE_HSTS_PRELOAD="false",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_SCHEME",
    )

    assert conf["SECURE_HSTS_PRELOAD"] is False
    assert conf["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert conf["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_SCHEME", "https"]
    assert production_settings(SECURE_PROXY_SSL_HEADER="")["SECURE_PROXY_SSL_HEADER"] is None


def test_sessions_end_after_a_working_day_or_when_the_browser_closes() -> None:
    conf = production_settings()

    assert conf["SESSION_COOKIE_AGE"] == 8 * 60 * 60
    assert conf["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    assert production_settings(SESSION_COOKIE_AGE="3600")["SESSION_COOKIE_AGE"] == 3600


def test_passwords_are_hashed_with_argon2_and_logins_are_locked_after_five_failures() -> None:
    conf = production_settings()

    assert conf["PASSWORD_HASHERS"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert conf["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"
    assert conf["MIDDLEWARE"][-1] == "axes.middleware.AxesMiddleware"
    assert conf["AXES_FAILURE_LIMIT"] == 5
    assert conf["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]


def test_production_keeps_the_content_security_policy_and_upgrades_insecure_requests() -> None:
    conf = production_settings()

    assert "csp.middleware.CSPMiddleware" in conf["MIDDLEWARE"]
    directives = conf["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert directives["script-src"] == ["'self'"]
    assert directives["upgrade-insecure-requests"] is True
    assert "audit" in conf["INSTALLED_APPS"]


def test_the_deployment_checks_pass_with_preload_on_and_warn_when_it_is_off() -> None:
    clean = _run("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    without_preload = _run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**PRODUCTION_ENV, "SECURE_HSTS_PRELOAD": "false"},
    )

    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "System check identified no issues" in clean.stdout
    assert without_preload.returncode != 0
    assert "security.W021" in without_preload.stderr
