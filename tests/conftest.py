"""Shared fixtures. The suite runs against real PostgreSQL and Redis, never stand-ins."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db import connection

from tests import factories
from units.models import AdministrativeUnit, Body


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Refuse a transactional test that does not put the serialized contents back.

    Its closing flush would re-run post_migrate and leave content types behind, and every
    later serialized test would then fail to restore (a duplicate key): the suite's
    transactional tests are all ``django_db(transaction=True, serialized_rollback=True)``.
    """
    wrong = []
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = "transactional_db" in getattr(item, "fixturenames", ()) or bool(
            marker and marker.kwargs.get("transaction")
        )
        if transactional and not (marker and marker.kwargs.get("serialized_rollback")):
            wrong.append(item.nodeid)
    if wrong:
        raise pytest.UsageError(
            "transactional tests must be marked "
            "django_db(transaction=True, serialized_rollback=True): " + ", ".join(wrong)
        )


@pytest.fixture(scope="session", autouse=True)
def _real_services(django_db_blocker: object) -> None:
    """Fail the run, loudly, if the services the suite is meant to use are not there."""
    vendor = connection.vendor
    assert vendor == "postgresql", (
        f"The test suite runs against PostgreSQL (DATABASE_URL); it is configured for {vendor}. "
        "Use `make test`."
    )
    assert settings.REDIS_URL, "The test suite needs Redis (REDIS_URL). Use `make test`."
    redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()


# The browser tests drive Debian's Chromium (installed by `make test`: scripts/prerequisites.py).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def restore_migrated_data(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Put back what migrations installed (the levels...) once the module's last flush is done.

    A transactional test empties the tables when it ends and Django restores them only at
    the start of the next such test; without this, a later run with ``--reuse-db`` would
    start from an empty database. Modules of live-server tests use it for all their tests.
    """
    yield
    contents = getattr(connection, "_test_serialized_contents", None)
    if contents:
        with django_db_blocker.unblock():
            connection.creation.deserialize_db_from_string(contents)


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch, restore_migrated_data: None) -> Iterator[Any]:
    """A headless Chromium driven by Playwright, closed after the test."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls that pytest-django
    # makes around the test are still synchronous, so Django's guard must stand aside.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _clean_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _standard_levels(request: pytest.FixtureRequest) -> None:
    """Reinstall the levels the migration seeds: a transactional test's flush removes them."""
    if request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "live_server",
    } & set(request.fixturenames):
        from units.models import UnitLevel
        from units.standard_levels import install

        request.getfixturevalue(
            "db" if "transactional_db" not in request.fixturenames else "transactional_db"
        )
        if UnitLevel.objects.count() < 3:
            install(UnitLevel)
        from accounts_registry.models import Platform
        from accounts_registry.standard_platforms import install as install_platforms

        if not Platform.objects.exists():
            install_platforms(Platform)
        # and the default deadline rules of the reports' data migration, for the same reason
        # (a run with --reuse-db after one that ended on a transactional test).
        from reports.models import DeadlineRule
        from reports.periods import install_default_rules

        if not DeadlineRule.objects.exists():
            install_default_rules(DeadlineRule, UnitLevel)


@pytest.fixture(autouse=True)
def _second_factor_not_required(settings: Any) -> None:
    """Most tests sign in with ``force_login`` to test something else than the second factor:
    they run with it not required. The tests of the second factor (tests/users/test_otp*.py,
    tests/browser/test_otp.py) turn ``PORTAL_OTP_REQUIRED`` back on, as it is by default."""
    settings.PORTAL_OTP_REQUIRED = False


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; tests hash many passwords and do not test the hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Tree:
    """Two provinces, with districts and communes, and a body in each commune."""

    thanh_hoa: AdministrativeUnit
    cam_thuy: AdministrativeUnit
    cam_ngoc: AdministrativeUnit
    cam_thanh: AdministrativeUnit
    ba_thuoc: AdministrativeUnit
    dien_lu: AdministrativeUnit
    lai_chau: AdministrativeUnit
    tan_uyen: AdministrativeUnit
    muong_khoa: AdministrativeUnit
    ubnd_cam_ngoc: Body
    ubnd_cam_thanh: Body
    ubnd_dien_lu: Body
    ubnd_muong_khoa: Body
    vhtt_cam_thuy: Body


def build_tree() -> Tree:
    """The tree of the ``tree`` fixture; also built outside a test (tests/scope_world.py)."""
    thanh_hoa = factories.province("Tỉnh Thanh Hóa", code="38")
    cam_thuy = factories.district(thanh_hoa, "Huyện Cẩm Thủy", code="394")
    ba_thuoc = factories.district(thanh_hoa, "Huyện Bá Thước", code="390")
    lai_chau = factories.province("Tỉnh Lai Châu", code="12")
    tan_uyen = factories.district(lai_chau, "Huyện Tân Uyên", code="110")
    cam_ngoc = factories.commune(cam_thuy, "Xã Cẩm Ngọc", code="15010")
    cam_thanh = factories.commune(cam_thuy, "Xã Cẩm Thành", code="15001")
    dien_lu = factories.commune(ba_thuoc, "Xã Điền Lư", code="14932")
    muong_khoa = factories.commune(tan_uyen, "Xã Mường Khoa", code="03601")

    def ubnd(unit: AdministrativeUnit) -> Body:
        return factories.BodyFactory.create(unit=unit, name=f"UBND {unit.name}")

    return Tree(
        thanh_hoa=thanh_hoa,
        cam_thuy=cam_thuy,
        cam_ngoc=cam_ngoc,
        cam_thanh=cam_thanh,
        ba_thuoc=ba_thuoc,
        dien_lu=dien_lu,
        lai_chau=lai_chau,
        tan_uyen=tan_uyen,
        muong_khoa=muong_khoa,
        ubnd_cam_ngoc=ubnd(cam_ngoc),
        ubnd_cam_thanh=ubnd(cam_thanh),
        ubnd_dien_lu=ubnd(dien_lu),
        ubnd_muong_khoa=ubnd(muong_khoa),
        vhtt_cam_thuy=factories.BodyFactory.create(
            unit=cam_thuy, name="Phòng Văn hóa và Thông tin huyện Cẩm Thủy", kind="department"
        ),
    )


@pytest.fixture
def tree(db: None) -> Tree:
    return build_tree()
