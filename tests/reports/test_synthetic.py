"""The synthetic registry of the reports benchmark: deterministic, realistic, never over real data."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts_registry.canonical import canonicalise
from accounts_registry.models import ContactPerson, PageState, PostingRules, SocialPage
from incidents.models import Incident
from reports.build import build_period
from reports.models import ReportBodyRow, ReportingPeriod, ReportPageRow
from reports.synthetic import (
    SYNTHETIC_DOMAIN,
    Generated,
    generate,
)
from tests import factories
from tests.conftest import Tree
from units.models import AdministrativeUnit, Body


def make(seed: int = 874, bodies: int = 200, pages: int = 300) -> Generated:
    """Generate with the incidents in Quý 3/2026, the ``quarter`` fixture."""
    return generate(
        seed=seed,
        bodies=bodies,
        pages=pages,
        period_from=date(2026, 7, 1),
        period_until=date(2026, 9, 30),
    )


@pytest.fixture
def bare_tree(db: None) -> list[AdministrativeUnit]:
    """One province, two districts, four communes, and no body anywhere."""
    province = factories.province("Tỉnh Thanh Hóa", code="38")
    cam_thuy = factories.district(province, "Huyện Cẩm Thủy", code="394")
    ba_thuoc = factories.district(province, "Huyện Bá Thước", code="390")
    return [
        province,
        cam_thuy,
        ba_thuoc,
        factories.commune(cam_thuy, "Xã Cẩm Ngọc", code="15010"),
        factories.commune(cam_thuy, "Thị trấn Phong Sơn", code="15001"),
        factories.commune(ba_thuoc, "Xã Điền Lư", code="14932"),
        factories.commune(ba_thuoc, "Xã Lũng Niêm", code="14935"),
    ]


def snapshot() -> dict[str, Any]:
    """Everything generated, keyed by what does not depend on database ids."""
    return {
        "bodies": sorted(Body.objects.values_list("unit__code", "name", "kind", "phone")),
        "pages": sorted(
            SocialPage.objects.values_list(
                "body__name", "platform__code", "url", "state", "is_platform_verified"
            )
        ),
        "contacts": sorted(
            ContactPerson.objects.values_list("body__name", "name", "notice_number")
        ),
        "rules": sorted(PostingRules.objects.values_list("body__name", "document_number")),
        "incidents": sorted(
            Incident.objects.values_list("body__name", "kind", "state", "url", "discovered_at")
        ),
    }


def wipe() -> None:
    synthetic = {"body__email__endswith": "@" + SYNTHETIC_DOMAIN}
    Incident.objects.filter(**synthetic).delete()
    ContactPerson.objects.filter(**synthetic).delete()
    PostingRules.objects.filter(**synthetic).delete()
    SocialPage.objects.filter(**synthetic).delete()
    Body.objects.filter(email__endswith="@" + SYNTHETIC_DOMAIN).delete()


def test_the_same_seed_gives_the_same_registry(bare_tree: list[AdministrativeUnit]) -> None:
    first = make(874, 200, 300)
    assert (first.bodies, first.pages, first.incidents) == (200, 300, 5)
    assert first.contacts > 100
    assert first.rules > 70
    once = snapshot()
    wipe()
    again = make(874, 200, 300)
    assert (again.bodies, again.pages, again.contacts, again.rules) == (
        first.bodies,
        first.pages,
        first.contacts,
        first.rules,
    )
    assert snapshot() == once
    wipe()
    make(875, 200, 300)
    other = snapshot()
    assert other["pages"] != once["pages"]
    assert other["contacts"] != once["contacts"]


def test_bodies_are_named_like_vietnamese_bodies_at_every_level(
    bare_tree: list[AdministrativeUnit],
) -> None:
    make(874, 200, 300)
    names = set(Body.objects.values_list("name", flat=True))
    assert {
        "UBND tỉnh Thanh Hóa",
        "Sở Thông tin và Truyền thông tỉnh Thanh Hóa",
        "UBND huyện Cẩm Thủy",
        "Huyện ủy Bá Thước",
        "UBND xã Cẩm Ngọc",
        "UBND thị trấn Phong Sơn",
        "Trạm Y tế xã Điền Lư",
        "Trường THCS Lũng Niêm",
    } <= names
    province, *rest = bare_tree
    communes = bare_tree[3:]
    assert Body.objects.filter(unit=province).count() == 10  # 5 % of 200
    assert Body.objects.filter(unit__in=communes).count() == 160  # 80 %
    assert all(Body.objects.filter(unit=unit).exists() for unit in rest)


def test_pages_have_canonical_unique_addresses_and_a_mix_of_states(
    bare_tree: list[AdministrativeUnit],
) -> None:
    make(874, 200, 300)
    pages = list(SocialPage.objects.select_related("platform"))
    assert len({(page.platform_id, page.canonical_key) for page in pages}) == 300
    for page in pages:
        canonical = canonicalise(page.url, page.platform.rules)
        assert (canonical.url, canonical.key) == (page.url, page.canonical_key)
    states = {page.state for page in pages}
    assert {PageState.APPROVED, PageState.SUBMITTED, PageState.ARCHIVED} <= states
    assert {page.platform.code for page in pages} == {"facebook", "zalo", "youtube", "tiktok"}
    assert any(page.is_platform_verified for page in pages)


def test_the_reports_build_over_the_synthetic_registry(
    bare_tree: list[AdministrativeUnit], quarter: ReportingPeriod
) -> None:
    generated = make(874, 200, 300)
    result = build_period(quarter)
    assert result.units == 7
    assert ReportBodyRow.objects.count() == generated.bodies
    live = SocialPage.objects.exclude(state=PageState.ARCHIVED).count()
    assert ReportPageRow.objects.count() == live
    opened = sum(ReportBodyRow.objects.values_list("incidents_opened", flat=True))
    assert 0 < opened <= generated.incidents


def test_refuses_a_database_with_real_bodies(tree: Tree) -> None:
    with pytest.raises(CommandError, match="real registry data"):
        call_command("generate_synthetic_registry", "--bodies", "20", "--pages", "30")
    assert Body.objects.count() == 5
    call_command(
        "generate_synthetic_registry",
        "--bodies=20",
        "--pages=30",
        "--force",
        "--from=2026-07-01",
        "--until=2026-09-30",
    )
    assert Body.objects.count() == 25
    # The real "UBND Xã Cẩm Ngọc" is left alone; the synthetic one is a different name.
    assert Body.objects.filter(email__endswith=SYNTHETIC_DOMAIN).count() == 20


def test_refuses_to_run_twice(bare_tree: list[AdministrativeUnit]) -> None:
    make(874, 20, 30)
    with pytest.raises(CommandError, match="already holds a synthetic registry"):
        make(874, 20, 30)
    assert Body.objects.count() == 20
