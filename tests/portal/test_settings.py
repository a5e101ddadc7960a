"""Production settings: Django's deployment checks pass, and missing secrets stop the start.

Each case runs ``manage.py`` in a fresh process with only the environment it names, as a
container would start, so nothing from the test run's own settings leaks in.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

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


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # Only what a bare container has, plus the variables under test.
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deployment_checks() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stderr


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "SECRET_KEY"}

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_a_database_url() -> None:
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "DATABASE_URL"}

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts() -> None:
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "ALLOWED_HOSTS"}

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_a_weak_secret_key_fails_the_deployment_checks() -> None:
    env = {**PRODUCTION_ENV, "SECRET_KEY": "short"}

    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_production_warns_when_emails_would_link_to_the_default_address() -> None:
    # Given a production server that was not told its public address
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "PORTAL_BASE_URL"}

    # When its settings are checked as CI and the deployment do
    result = _manage("check", "--fail-level", "WARNING", env=env)

    # Then the check fails naming the setting, since every email would link to 127.0.0.1
    assert result.returncode != 0
    assert "portal.W001" in result.stderr
    assert "PORTAL_BASE_URL" in result.stderr


def test_production_warns_when_emails_would_link_over_plain_http() -> None:
    env = {**PRODUCTION_ENV, "PORTAL_BASE_URL": "http://portal.example.gov.vn"}

    result = _manage("check", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "portal.W002" in result.stderr
