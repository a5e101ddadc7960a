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


def test_an_api_client_asking_for_english_gets_english(client: Client, db: None) -> None:
    # Given a script that asks the API for English (docs/api.md promises it)
    # When it checks something that is not a page address
    response = client.get(
        "/api/v1/public/verify", {"url": "hello"}, headers={"accept-language": "en"}
    )

    # Then the verdict's message is in English
    assert response.status_code == 200
    assert response.json()["message"].startswith("This is not a web address")


def test_an_api_client_without_a_language_gets_vietnamese(client: Client, db: None) -> None:
    response = client.get("/api/v1/public/verify", {"url": "hello"})

    assert response.status_code == 200
    assert response.json()["message"].startswith("Đây không phải là địa chỉ web")


def test_pages_still_ignore_the_header_that_the_api_honours(client: Client, db: None) -> None:
    response = client.get("/verify/", {"url": "hello"}, headers={"accept-language": "en"})

    assert 'lang="vi"' in response.content.decode()
