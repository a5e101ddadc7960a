"""Oversized bodies are refused before anything parses them, with a clear 413.

The requests go through the whole middleware stack; "before parsing" is shown by a declared
length far larger than the bytes sent (a parser would wait for them, or fail), and by a
chunked body that is read up to the limit and no further.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from portal import request_size
from tests import factories
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def test_an_oversized_form_gets_a_vietnamese_413_page(client: Client) -> None:
    body = "username=" + "a" * (3 * MB)

    response = client.post(
        "/accounts/login/", body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 413
    text = response.content.decode()
    assert "Yêu cầu quá lớn" in text
    assert "giới hạn cho loại yêu cầu này là 2,5" in text
    assert "Content-Security-Policy" in response


def test_an_oversized_api_body_gets_json(client: Client) -> None:
    response = client.post(
        "/api/v1/incidents/report/",
        '{"x": "' + "a" * (3 * MB) + '"}',
        content_type="application/json",
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "Yêu cầu quá lớn" in response.json()["detail"]


def test_the_declared_length_is_enough_to_refuse(client: Client) -> None:
    # Ten bytes sent, a gigabyte announced: refused at once, nothing waits for the rest.
    response = client.generic(
        "POST",
        "/accounts/login/",
        b"username=a",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(1024 * MB),
    )

    assert response.status_code == 413


def test_a_small_form_is_untouched(client: Client) -> None:
    factories.admin_user(username="hung")

    response = client.post("/accounts/login/", {"username": "hung", "password": DEMO_PASSWORD})

    assert response.status_code == 302


def _chunked(client: Client, path: str, body: bytes, content_type: str) -> Any:
    stream = io.BytesIO(body)
    meta: dict[str, Any] = {
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": "",
        "HTTP_TRANSFER_ENCODING": "chunked",
        "wsgi.input": stream,
    }
    return client.generic("POST", path, b"", **meta), stream


def test_a_chunked_body_over_the_limit_is_refused_after_reading_no_more_than_it(
    client: Client,
) -> None:
    body = b"username=" + b"a" * (50 * MB)

    response, stream = _chunked(
        client, "/accounts/login/", body, "application/x-www-form-urlencoded"
    )

    assert response.status_code == 413
    assert stream.tell() <= request_size.data_limit() + request_size.READ_CHUNK


def test_a_small_chunked_body_is_read_and_parsed(client: Client) -> None:
    factories.admin_user(username="hung")
    body = f"username=hung&password={DEMO_PASSWORD}".encode()

    response, _stream = _chunked(
        client, "/accounts/login/", body, "application/x-www-form-urlencoded"
    )

    # The credentials were read from the chunked body: the login succeeded.
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_uploads_may_be_as_large_as_the_upload_validators_allow(
    client: Client, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    settings.PORTAL_ATTACHMENT_MAX_BYTES = 100 * 1024
    settings.PORTAL_RULES_MAX_BYTES = 6 * MB
    settings.PORTAL_EVIDENCE_MAX_BYTES = 100 * 1024
    assert request_size.upload_limit() == 6 * MB + 64 * 1024
    client.force_login(factories.admin_user())
    inside = b"%PDF-1.4\n" + b"0" * (5 * MB)

    # A 5 MB file in a form: over the plain limit, under the upload one, so it reaches the
    # view (which answers with its own form, not a 413).
    fits = client.post("/registry/bulk/import/", {"file": io.BytesIO(inside)})
    assert fits.status_code != 413
    # The same size without a file is an ordinary body, and refused.
    plain = client.post(
        "/accounts/login/", b"a" * (5 * MB), content_type="application/x-www-form-urlencoded"
    )
    assert plain.status_code == 413
    # And an upload over the largest form of files is refused too.
    over = client.post("/registry/bulk/import/", {"file": io.BytesIO(b"0" * (7 * MB))})
    assert over.status_code == 413
