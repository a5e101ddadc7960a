"""The demo registry built by ``load_demo``: real pages, through the real services."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from accounts_registry.models import PageState, SocialPage
from tests.conftest import Tree

pytestmark = pytest.mark.django_db


def _load() -> str:
    # The tree's codes are not the official ones: the history alone (no reorganisation).
    out = StringIO()
    call_command("load_demo", "--skip-import", "--history-only", stdout=out)
    return out.getvalue()


def test_demo_pages_are_registered_and_the_facebook_page_is_official(
    tree: Tree, client: Client, settings: SettingsWrapper
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    _load()

    states = dict(SocialPage.objects.values_list("url", "state"))
    assert states["https://www.facebook.com/ubndxacamngoc"] == PageState.APPROVED
    assert states["https://zalo.me/2815460581237512345"] == PageState.DRAFT
    verdict = client.get(
        reverse("public:verify"), {"url": "m.facebook.com/UBNDXaCamNgoc/?fbclid=abc"}
    )
    assert "Cẩm Ngọc" in verdict.content.decode()
    assert verdict.context["verdict"].status == "official"


def test_loading_the_demo_twice_registers_nothing_more(
    tree: Tree, settings: SettingsWrapper
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _load()
    count, history = SocialPage.objects.count(), SocialPage.history.count()

    output = _load()

    assert "Demo pages: 0 registered." in output
    assert (SocialPage.objects.count(), SocialPage.history.count()) == (count, history)
