"""The spokesperson (người phát ngôn, Decree 09/2017/NĐ-CP) of a body: service, page, API, export."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts_registry.models import Spokesperson
from accounts_registry.services.spokespersons import spokesperson_clear, spokesperson_set
from notifications.models import Notification
from tests import factories
from tests.accounts_registry import factories_pages as make
from tests.api.auth import token_for
from tests.conftest import Tree

pytestmark = pytest.mark.django_db

SPOKESPERSONS = "/api/v1/registry/spokespersons/"


def _set(tree: Tree, **values: object) -> Spokesperson:
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    data: dict[str, object] = {
        "name": "Phạm Văn Hành",
        "position": "Phó Chủ tịch UBND xã",
        "phone": "0912 345 678",
        "decision_number": "15/QĐ-UBND",
        "decision_date": date(2025, 7, 2),
        **values,
    }
    return spokesperson_set(body=tree.ubnd_cam_ngoc, by=staff, **data)  # type: ignore[arg-type]


def test_the_same_person_is_corrected_in_place_with_history(tree: Tree) -> None:
    first = _set(tree)

    second = _set(tree, name="pham van  hanh", phone="+84 987 000 111")

    assert second.pk == first.pk
    assert second.phone == "0987000111"
    assert Spokesperson.objects.count() == 1
    assert list(second.history.values_list("phone", flat=True).order_by("history_id")) == [
        "0912345678",
        "0987000111",
    ]


def test_another_person_archives_the_current_one_and_nothing_is_deleted(tree: Tree) -> None:
    first = _set(tree)

    second = _set(tree, name="Lê Thị Mai", decision_number="", decision_date=None)

    first.refresh_from_db()
    assert first.archived_at is not None
    assert second.archived_at is None
    assert not second.is_appointed
    assert Spokesperson.objects.count() == 2


def test_clearing_archives_the_spokesperson(tree: Tree) -> None:
    first = _set(tree)

    spokesperson_clear(body=tree.ubnd_cam_ngoc, by=None)

    first.refresh_from_db()
    assert first.archived_at is not None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": "  "}, "name"),
        ({"phone": "1900 1234"}, "phone"),
        ({"email": "khong-phai-email"}, "email"),
        ({"decision_date": None}, "decision_date"),
        ({"decision_number": ""}, "decision_number"),
        ({"decision_date": timezone.localdate() + timedelta(days=3)}, "decision_date"),
    ],
)
def test_invalid_values_are_refused_per_field(
    tree: Tree, values: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        _set(tree, **values)

    assert field in error.value.message_dict
    assert not Spokesperson.objects.exists()


def test_reviewers_are_told_of_a_new_spokesperson(tree: Tree) -> None:
    officer = factories.officer_of(tree.cam_thuy)

    _set(tree)

    texts = list(Notification.objects.filter(user=officer).values_list("text", flat=True))
    assert any("người phát ngôn" in text and "Phạm Văn Hành" in text for text in texts)


def test_the_body_page_shows_the_spokesperson_and_its_history(tree: Tree) -> None:
    _set(tree)
    _set(tree, phone="0987 000 111")
    client = Client()
    client.force_login(factories.officer_of(tree.cam_thuy))

    html = client.get(
        reverse("registry:body_registry", kwargs={"body_id": tree.ubnd_cam_ngoc.pk})
    ).content.decode()

    assert "Người phát ngôn" in html
    assert "Phạm Văn Hành" in html
    assert "15/QĐ-UBND" in html
    assert "02/07/2025" in html
    assert "0912345678" in html  # the history keeps the old number
    assert reverse("registry:body_spokesperson", args=[tree.ubnd_cam_ngoc.pk]) not in html


def test_staff_record_the_spokesperson_through_the_form(tree: Tree) -> None:
    client = Client()
    client.force_login(factories.staff_of(tree.ubnd_cam_ngoc))
    url = reverse("registry:body_spokesperson", args=[tree.ubnd_cam_ngoc.pk])

    refused = client.post(url, {"name": "Phạm Văn Hành", "phone": "12"})
    saved = client.post(
        url,
        {
            "name": "Phạm Văn Hành",
            "phone": "0912 345 678",
            "decision_number": "15/QĐ-UBND",
            "decision_date": "02/07/2025",
        },
    )

    assert refused.status_code == 400
    assert "Nhập số điện thoại Việt Nam" in refused.content.decode()
    assert saved.status_code == 302
    spokesperson = Spokesperson.objects.get(body=tree.ubnd_cam_ngoc)
    assert spokesperson.decision_date == date(2025, 7, 2)


def test_officers_cannot_post_and_outsiders_get_404(tree: Tree) -> None:
    url = reverse("registry:body_spokesperson", args=[tree.ubnd_cam_ngoc.pk])
    officer = Client()
    officer.force_login(factories.officer_of(tree.cam_thuy))
    outsider = Client()
    outsider.force_login(factories.staff_of(tree.ubnd_cam_thanh))
    values = {"name": "Phạm Văn Hành", "phone": "0912345678"}

    assert officer.post(url, values).status_code == 403
    assert outsider.post(url, values).status_code == 404
    assert not Spokesperson.objects.exists()


def test_the_api_lists_in_scope_and_creates_for_editable_bodies(tree: Tree) -> None:
    _set(tree)
    spokesperson_set(body=tree.ubnd_muong_khoa, name="Lò Văn Biên", phone="0912000000", by=None)
    staff = factories.staff_of(tree.ubnd_cam_ngoc)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(staff)}")

    listed = api.get(SPOKESPERSONS).json()
    created = api.post(
        SPOKESPERSONS,
        {"body": tree.ubnd_cam_ngoc.pk, "name": "Lê Thị Mai", "phone": "0987 654 321"},
    )
    elsewhere = api.post(
        SPOKESPERSONS,
        {"body": tree.ubnd_muong_khoa.pk, "name": "Lê Thị Mai", "phone": "0987 654 321"},
    )

    assert [row["name"] for row in listed["results"]] == ["Phạm Văn Hành"]
    assert listed["results"][0]["decision_number"] == "15/QĐ-UBND"
    assert created.status_code == 201
    assert created.json()["phone"] == "0987654321"
    assert elsewhere.status_code == 400
    assert Spokesperson.objects.filter(body=tree.ubnd_muong_khoa, name="Lê Thị Mai").count() == 0


def test_the_page_export_carries_the_spokesperson(tree: Tree) -> None:
    _set(tree)
    make.page(tree.ubnd_cam_ngoc, display_name="Trang Cẩm Ngọc")
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(factories.staff_of(tree.ubnd_cam_ngoc))

    response = client.get(reverse("registry:pages_export_csv"))
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    row = dict(zip(lines[0], lines[1], strict=True))

    assert row["Spokesperson"] == "Phạm Văn Hành"
    assert row["Spokesperson's phone"] == "0912345678"
