"""Vietnamese first: the browser's language does not decide, the user's choice does."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse


def test_a_browser_announcing_english_still_gets_vietnamese(client: Client, db: None) -> None:
    response = client.get(reverse("login"), headers={"accept-language": "en-US,en;q=0.9"})

    assert 'lang="vi"' in response.content.decode()
    assert "Đăng nhập" in response.content.decode()


def test_choosing_english_with_the_switch_gives_english(client: Client, db: None) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    response = client.get(reverse("login"), headers={"accept-language": "vi"})

    assert 'lang="en"' in response.content.decode()
    assert "Log in" in response.content.decode()
