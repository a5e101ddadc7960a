"""The Content-Security-Policy header, and templates that need no exception to it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.conftest import Tree

# Rendered outside a browser's page, where the CSP does not apply: HTML email bodies (mail
# clients need inline styles, ``*_email.html``) and documents WeasyPrint turns into PDF
# (``*_pdf.html``).
NOT_BROWSER_SUFFIXES = ("_email.html", "_pdf.html")
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>"
)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=")
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+=", re.DOTALL)


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


@pytest.mark.parametrize("url_name", ["login", "public:verify", "api-docs"])
def test_every_page_carries_a_policy_without_unsafe_inline(
    client: Client, db: None, url_name: str
) -> None:
    response = client.get(reverse(url_name))

    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_logged_in_pages_and_the_admin_carry_the_policy_too(client: Client, tree: Tree) -> None:
    client.force_login(factories.admin_user(is_staff=True, is_superuser=True))

    for url in (reverse("home"), reverse("registry:page_list"), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _directives(response["Content-Security-Policy"])["script-src"] == ["'self'"]


def test_the_api_docs_load_their_start_up_script_from_a_url_not_inline(
    client: Client, db: None
) -> None:
    page = client.get(reverse("api-docs")).content.decode()

    sources = re.findall(r'<script src="([^"]+)"', page)
    assert "<script>" not in page
    assert "<style>" not in page
    assert any("swagger-ui-bundle.js" in src for src in sources)
    assert all(src.startswith("/") for src in sources), "no CDN: every script is local"
    start_up = next(src for src in sources if "script=" in src)
    script = client.get(start_up.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert reverse("api-schema") in script.content.decode()


def _browser_templates() -> list[Path]:
    root = Path(settings.BASE_DIR) / "templates"
    return sorted(
        path for path in root.rglob("*.html") if not path.name.endswith(NOT_BROWSER_SUFFIXES)
    )


def test_no_template_has_inline_scripts_styles_or_event_handlers() -> None:
    offenders = []
    for path in _browser_templates():
        text = path.read_text(encoding="utf-8")
        for name, pattern in (
            ("inline script", INLINE_SCRIPT),
            ("inline style", INLINE_STYLE),
            ("event handler", EVENT_HANDLER),
        ):
            if pattern.search(text):
                offenders.append(f"{path.relative_to(settings.BASE_DIR)}: {name}")

    assert offenders == []


def test_the_template_scan_covers_the_pages_and_skips_only_emails_and_pdfs() -> None:
    names = {path.name for path in _browser_templates()}

    assert {"base.html", "login.html", "api_docs.html"} <= names
    assert "password_reset_email.html" not in names
    assert "letter_pdf.html" not in names


def test_the_template_scan_catches_each_kind_of_inline_code() -> None:
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/a.js" defer></script>')
    assert not INLINE_SCRIPT.search('<script id="x" type="application/json">{}</script>')
    assert INLINE_STYLE.search('<p style="color: red">')
    assert INLINE_STYLE.search("<style>p {}</style>")
    assert EVENT_HANDLER.search('<button onclick="go()">')
    assert not EVENT_HANDLER.search('<a href="/" class="button">')
