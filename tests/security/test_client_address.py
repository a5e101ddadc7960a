"""One client address for the rate limits, the lockout, the audit trail and the logs: a
direct client, a client behind our trusted proxy, and a forged header."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from portal.client_address import ClientAddressFilter, client_address
from tests import factories
from tests.accounts_registry import factories_public
from tests.conftest import Tree

PROXY = "10.0.0.2"
FB_URL = "https://www.facebook.com/ubndxacamngoc"


@pytest.fixture
def behind_proxy(settings: Any) -> None:
    settings.PORTAL_TRUSTED_PROXIES = ["10.0.0.0/8"]


def _address(**meta: str) -> str | None:
    request = RequestFactory().get("/")
    request.META.update(meta)
    return client_address(request)


def test_a_direct_client_is_its_own_address_whatever_header_it_sends() -> None:
    assert _address(REMOTE_ADDR="198.51.100.7") == "198.51.100.7"
    assert _address(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9") == (
        "198.51.100.7"
    )


def test_behind_the_trusted_proxy_the_client_is_the_address_it_forwards(
    behind_proxy: None,
) -> None:
    assert _address(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7") == "203.0.113.7"
    # Two of our proxies in a row: the first address that is not ours.
    assert (
        _address(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.9") == "203.0.113.7"
    )


def test_a_forged_header_behind_the_proxy_buys_nothing(behind_proxy: None) -> None:
    # The client wrote "1.2.3.4"; our proxy appended the address it really came from.
    assert _address(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7") == (
        "203.0.113.7"
    )
    # Garbage in the header: nothing to its left is believed; the proxy is all we know.
    assert _address(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, not-an-ip") == PROXY


def test_citizens_behind_the_proxy_have_their_own_allowances(
    behind_proxy: None, tree: Tree, settings: Any
) -> None:
    settings.PORTAL_PUBLIC_VERIFY_RATE = "2/min"
    factories_public.page(tree.ubnd_cam_ngoc, FB_URL, display_name="UBND xã Cẩm Ngọc")
    client = Client()

    def verify(citizen: str) -> int:
        return client.get(
            "/api/v1/public/verify",
            {"url": FB_URL},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=citizen,
        ).status_code

    first = [verify("203.0.113.7") for _ in range(3)]
    second = verify("203.0.113.8")
    forged = client.get(
        "/api/v1/public/verify",
        {"url": FB_URL},
        REMOTE_ADDR="198.51.100.1",
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )
    forged_again = client.get(
        "/api/v1/public/verify",
        {"url": FB_URL},
        REMOTE_ADDR="198.51.100.1",
        HTTP_X_FORWARDED_FOR="203.0.113.100",
    )
    forged_third = client.get(
        "/api/v1/public/verify",
        {"url": FB_URL},
        REMOTE_ADDR="198.51.100.1",
        HTTP_X_FORWARDED_FOR="203.0.113.101",
    )

    assert first == [200, 200, 429]
    assert second == 200
    # A direct client cannot rename itself: its third request is refused like any other.
    assert [forged.status_code, forged_again.status_code, forged_third.status_code] == [
        200,
        200,
        429,
    ]


def test_wrong_passwords_from_one_address_behind_the_proxy_do_not_lock_out_the_owner(
    behind_proxy: None, db: None
) -> None:
    factories.UserFactory.create(username="hoa")
    attacker, owner = Client(), Client()

    failures = [
        attacker.post(
            reverse("login"),
            {"username": "hoa", "password": f"wrong-{n}"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="203.0.113.66",
        ).status_code
        for n in range(5)
    ]
    owner_login = owner.post(
        reverse("login"),
        {"username": "hoa", "password": factories.DEMO_PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )

    assert failures[-1] == 429
    assert owner_login.status_code == 302
    [event] = AuditEvent.objects.filter(action=AuditAction.LOGIN)
    assert event.ip_address == "198.51.100.20"


def test_log_lines_name_the_client(behind_proxy: None) -> None:
    from portal.request_context import current_request

    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
    record = logging.LogRecord("portal", logging.INFO, __file__, 1, "hello", None, None)
    token = current_request.set(request)
    try:
        ClientAddressFilter().filter(record)
    finally:
        current_request.reset(token)

    assert getattr(record, "client", None) == "203.0.113.7"
    outside = logging.LogRecord("portal", logging.INFO, __file__, 1, "hello", None, None)
    ClientAddressFilter().filter(outside)
    assert getattr(outside, "client", None) == "-"
