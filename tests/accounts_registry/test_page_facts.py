"""The registry's extension point for facts of apps above it (``accounts_registry.page_facts``).

With nothing registered the registry works alone: no page is out of control (a typed NULL)
and a body's page carries no extra context. In the running project ``incidents`` registers
its facts at start-up: the loss of control and the findings counts still show, and an
incident's write still makes the cached verdicts stale.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db.models import DateTimeField, Value
from django.test import Client
from django.urls import reverse

from accounts_registry import page_facts, verify_cache
from accounts_registry.models import SocialPage
from accounts_registry.selectors.public import (
    VerdictStatus,
    directory_pages,
    public_pages,
    verify_url,
)
from incidents import services as incident_services
from incidents.models import IncidentKind
from incidents.selectors_findings import FindingCounts
from tests import factories
from tests.accounts_registry import factories_public
from tests.conftest import Tree

FB_URL = "https://www.facebook.com/ubndxacamngoc"
LOST_ON = datetime(2026, 11, 20, 8, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def nothing_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry as it would be without any app above it."""
    monkeypatch.setattr(page_facts, "_annotations", {})
    monkeypatch.setattr(page_facts, "_body_context", {})


@pytest.fixture
def lost_page(tree: Tree) -> SocialPage:
    """An approved page whose body reported losing control of it."""
    page = factories_public.page(tree.ubnd_cam_ngoc, FB_URL, display_name="UBND xã Cẩm Ngọc")
    incident_services.incident_report(
        body=page.body,
        kind=IncidentKind.LOST_CONTROL,
        page=page,
        description="Mật khẩu bị đổi.",
        discovered_at=LOST_ON,
        by=factories.staff_of(page.body),
    )
    return page


def _registry_page(tree: Tree) -> Any:
    client = Client()
    client.force_login(factories.staff_of(tree.ubnd_cam_ngoc))
    return client.get(reverse("registry:body_registry", kwargs={"body_id": tree.ubnd_cam_ngoc.pk}))


# ---- nothing registered -------------------------------------------------------------------


@pytest.mark.usefixtures("nothing_registered")
def test_an_unregistered_annotation_is_a_typed_null() -> None:
    expression = page_facts.annotation(page_facts.LOST_CONTROL_SINCE, null=DateTimeField())

    assert isinstance(expression, Value)
    assert expression.value is None
    assert isinstance(expression.output_field, DateTimeField)


@pytest.mark.usefixtures("nothing_registered")
def test_without_registrations_no_page_is_out_of_control(
    lost_page: SocialPage, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(2):
        verdict = verify_url(FB_URL, use_cache=False)

    assert verdict.status is VerdictStatus.OFFICIAL
    assert verdict.page is not None
    assert verdict.page.lost_control_since is None
    assert [row.lost_control_since for row in public_pages(directory_pages())] == [None]


@pytest.mark.usefixtures("nothing_registered")
def test_without_registrations_the_body_page_has_no_extra_context(tree: Tree) -> None:
    assert page_facts.body_context(tree.ubnd_cam_ngoc) == {}

    response = _registry_page(tree)

    assert response.status_code == 200
    assert "finding_counts" not in response.context


def test_a_later_registration_replaces_the_earlier(nothing_registered: None, tree: Tree) -> None:
    page_facts.register_body_context("extra", lambda body: {"extra": 1})
    page_facts.register_body_context("extra", lambda body: {"extra": body.pk})

    assert page_facts.body_context(tree.ubnd_cam_ngoc) == {"extra": tree.ubnd_cam_ngoc.pk}


# ---- the running project: incidents registered its facts ----------------------------------


@pytest.mark.django_db
def test_incidents_registered_the_loss_of_control(lost_page: SocialPage) -> None:
    verdict = verify_url(FB_URL, use_cache=False)

    assert verdict.status is VerdictStatus.LOST_CONTROL
    assert verdict.page is not None
    assert verdict.page.lost_control_since == LOST_ON
    assert [row.lost_control_since for row in public_pages(directory_pages())] == [LOST_ON]


def test_incidents_registered_the_findings_counts(tree: Tree) -> None:
    response = _registry_page(tree)

    assert response.status_code == 200
    assert response.context["finding_counts"] == FindingCounts(open=0, overdue=0, remediated=0)


def test_an_incident_write_still_makes_the_cached_verdicts_stale(lost_page: SocialPage) -> None:
    before = verify_cache.cache.get(verify_cache.VERSION_KEY)
    incident = lost_page.incidents.get()

    incident.save()
    after_save = verify_cache.cache.get(verify_cache.VERSION_KEY)
    incident.steps.all().delete()
    incident.evidence.all().delete()
    incident.delete()
    after_delete = verify_cache.cache.get(verify_cache.VERSION_KEY)

    assert len({before, after_save, after_delete}) == 3
