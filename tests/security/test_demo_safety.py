"""``make run`` is a demonstration: loopback unless told, and loud when told otherwise.

The embedded default runs with DEBUG on, a secret key written in the source and demo users
whose password the README publishes; on 0.0.0.0 anyone on the office network could use them.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from demo.management.commands.run_embedded import exposure_warning, is_loopback
from tests.test_run_embedded import (
    BOOT_SECONDS,
    MANAGE,
    STOP_SECONDS,
    _free_port,
    embedded_env,
)

__all__ = ["embedded_env"]

BASE_DIR = Path(__file__).resolve().parents[2]


def test_make_run_binds_to_loopback_unless_told() -> None:
    makefile = (BASE_DIR / "Makefile").read_text()

    assert re.search(r"^HOST \?= 127\.0\.0\.1$", makefile, re.MULTILINE)
    assert "run_embedded --host $(HOST)" in makefile
    help_text = subprocess.run(
        [sys.executable, MANAGE, "run_embedded", "--help"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "loopback" in help_text


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_addresses_get_no_warning(host: str) -> None:
    assert is_loopback(host)
    assert exposure_warning(host, demo_users=True) == []


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "portal.local"])
def test_any_other_address_names_every_danger(host: str, settings: object) -> None:
    settings.DEBUG = True  # type: ignore[attr-defined]
    settings.SECRET_KEY = "embedded-only-insecure-key-never-use-in-production"  # type: ignore[attr-defined]

    text = "\n".join(exposure_warning(host, demo_users=True))

    assert f"listening on {host}" in text
    assert "DEBUG is on" in text
    assert "SECRET_KEY is the fixed one" in text
    assert "demo12345!" in text


def test_the_warning_names_only_what_applies(settings: object) -> None:
    settings.DEBUG = False  # type: ignore[attr-defined]
    settings.SECRET_KEY = "a-key-of-the-operator-" + "x" * 40  # type: ignore[attr-defined]

    text = "\n".join(exposure_warning("0.0.0.0", demo_users=False))

    assert "WARNING" in text
    assert "DEBUG" not in text
    assert "SECRET_KEY" not in text
    assert "demo12345!" not in text


@pytest.mark.worker
def test_run_embedded_on_every_address_warns_loudly(
    embedded_env: dict[str, str], tmp_path: Path
) -> None:
    port = _free_port()
    log_path = tmp_path / "run_embedded.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, MANAGE, "run_embedded", "--host", "0.0.0.0", "--port", str(port)],
            env=embedded_env,
            cwd=BASE_DIR,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + BOOT_SECONDS
        up = False
        while not up:
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    up = r.status == 200
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        # Printed before the children start, and again after the URL is announced.
        while "Press Ctrl-C" not in log_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(0.5)
        text = log_path.read_text()
        assert text.count("WARNING: listening on 0.0.0.0") == 2, text
        assert "DEBUG is on" in text
        assert "SECRET_KEY is the fixed one" in text
        assert text.index("WARNING: listening on 0.0.0.0") < text.index("started (pid")
    finally:
        process.terminate()
        process.wait(timeout=STOP_SECONDS)
