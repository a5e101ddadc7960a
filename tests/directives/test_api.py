"""The directives API: the chain province → district → commune through the API with token
authentication, scoped like the pages (out of reach is 404), and the service's rules kept."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from rest_framework.test import APIClient

from directives import services
from directives.models import Directive, DirectiveState, Receipt, Reminder
from legal.services import load_defaults
from tests.api.auth import token_for
from tests.directives.conftest import World, draft
from users.models import User

pytestmark = pytest.mark.django_db

API = "/api/v1/directives/"
RECEIPTS = "/api/v1/directives/receipts/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _client(user: User) -> APIClient:
    """A client that authenticates the way a script would: with the user's API token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


def _province_letter(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "issuer": world.ubnd_thanh_hoa.pk,
        "number": "6389",
        "symbol": "UBND-KGVX",
        "issued_on": "2024-04-20",
        "subject": "Tiếp tục thực hiện Bộ Quy tắc ứng xử trên mạng xã hội",
        "body": "Ủy ban nhân dân tỉnh yêu cầu các huyện thực hiện tốt các nội dung sau:",
        "instructions": ["Phổ biến Bộ Quy tắc ứng xử.", "Rà soát trang mạo danh."],
        "signing_capacity": "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
        "signer_name": "Đầu Thanh Tùng",
        "report_deadline": "2024-05-15",
        "recipients": {"groups": [{"parent": world.tree.thanh_hoa.pk, "level": "district"}]},
        **extra,
    }


def _issued_province_letter(world: World) -> Directive:
    directive = draft(
        world.ubnd_thanh_hoa,
        world.province_officer,
        recipients=services.Recipients(
            groups=[services.RecipientGroup(world.tree.thanh_hoa, world.district_level)]
        ),
        number="6389",
        symbol="UBND-KGVX",
    )
    return services.directive_issue(directive, by=world.province_officer, today=date(2024, 4, 20))


def test_the_chain_through_the_api(world: World) -> None:
    load_defaults()
    province = _client(world.province_officer)
    district = _client(world.cam_thuy_officer)
    commune = _client(world.cam_ngoc_staff)

    # The province drafts a letter to all its districts, citing the Code, and issues it
    created = province.post(
        API, _province_letter(world, cited_refs=["qd874.code.d4.k2"]), format="json"
    )
    assert created.status_code == 201, created.json()
    letter = created.json()
    assert letter["state"] == DirectiveState.DRAFT
    assert letter["can_manage"]
    assert letter["instructions"] == ["Phổ biến Bộ Quy tắc ứng xử.", "Rà soát trang mạo danh."]
    assert [node["ref"] for node in letter["cited_nodes"]] == ["qd874.code.d4.k2"]
    assert letter["recipients"]["total"] == 2
    issued = province.post(f"{API}{letter['id']}/issue/")
    assert issued.status_code == 200
    assert issued.json()["state"] == DirectiveState.ISSUED

    # The district finds it in its inbox, acknowledges it, and implements it for its communes
    inbox = district.get(RECEIPTS, {"inbox": "true"}).json()["results"]
    assert [(r["directive"]["id"], r["answerable"]) for r in inbox] == [(letter["id"], True)]
    acknowledged = district.post(f"{RECEIPTS}{inbox[0]['id']}/acknowledge/")
    assert acknowledged.status_code == 200
    assert acknowledged.json()["acknowledged_at"]
    own = district.post(
        API,
        {
            "issuer": world.ubnd_cam_thuy.pk,
            "number": "1067",
            "symbol": "UBND-VHTT",
            "issued_on": "2024-04-24",
            "subject": "Tiếp tục thực hiện Quy tắc ứng xử trên mạng xã hội",
            "body": "Thực hiện Công văn số 6389/UBND-KGVX của UBND tỉnh.",
            "instructions": ["Phổ biến Bộ Quy tắc ứng xử cho cán bộ, công chức xã."],
            "implements": letter["id"],
            "report_deadline": "2024-05-10",
            "recipients": {"groups": [{"parent": world.tree.cam_thuy.pk, "level": "commune"}]},
        },
        format="json",
    )
    assert own.status_code == 201, own.json()
    assert own.json()["implements_reference"] == "6389/UBND-KGVX"
    assert district.post(f"{API}{own.json()['id']}/issue/").status_code == 200

    # A commune reports back with figures and a PDF
    receipt = commune.get(RECEIPTS, {"inbox": "true"}).json()["results"][0]
    assert receipt["directive"]["reference"] == "1067/UBND-VHTT"
    reported = commune.post(
        f"{RECEIPTS}{receipt['id']}/reports/",
        {
            "text": "Đã tổ chức phổ biến cho cán bộ, công chức xã.",
            "figures": json.dumps([{"label": "Số buổi tuyên truyền", "value": 3}]),
            "files": [SimpleUploadedFile("bao-cao.pdf", PDF, content_type="application/pdf")],
        },
        format="multipart",
    )
    assert reported.status_code == 201, reported.json()
    report = reported.json()
    assert report["figures"] == [{"key": "", "label": "Số buổi tuyên truyền", "value": "3.00"}]
    assert report["attachments"][0]["name"] == "bao-cao.pdf"
    assert report["attachments"][0]["url"].endswith(
        f"/directives/files/{report['attachments'][0]['id']}/"
    )

    # The province follows the whole chain and sees who is late (the deadlines have passed)
    chain = province.get(f"{API}{letter['id']}/chain/").json()
    tree = chain["tree"]
    assert chain["ancestors"] == []
    assert [child["directive"]["id"] for child in tree["children"]] == [own.json()["id"]]
    assert [late["recipient_name"] for late in tree["late"]] == ["Huyện Bá Thước"]
    assert [late["unit"] for late in tree["children"][0]["late"]] == [world.tree.cam_thanh.pk]
    assert tree["tally"] == {
        "total": 2,
        "opened": 1,
        "acknowledged": 1,
        "reported": 1,
        "overdue": 1,
    }
    table = province.get(f"{API}{own.json()['id']}/receipts/").json()
    by_unit = {row["unit"]: row for row in table["rows"]}
    assert by_unit[world.tree.cam_ngoc.pk]["reports"][0]["text"].startswith("Đã tổ chức")
    assert by_unit[world.tree.cam_thanh.pk]["overdue"] is True
    # ... and the commune follows it up to the district's letter
    up = commune.get(f"{API}{own.json()['id']}/chain/").json()
    assert up["tree"]["directive"]["id"] == own.json()["id"]

    # The district reminds the late commune, once a day
    first = district.post(f"{API}{own.json()['id']}/remind/", {}, format="json").json()
    again = district.post(f"{API}{own.json()['id']}/remind/", {}, format="json").json()
    assert (first, again) == ({"reminded": 1, "skipped": 0}, {"reminded": 0, "skipped": 1})
    assert Reminder.objects.get().receipt.unit == world.tree.cam_thanh


def test_another_province_finds_nothing(world: World) -> None:
    directive = _issued_province_letter(world)
    receipt = directive.receipts.get(unit=world.tree.cam_thuy)
    outsider = _client(world.tan_uyen_officer)

    assert outsider.get(API).json()["results"] == []
    assert outsider.get(RECEIPTS).json()["results"] == []
    for method, url in (
        ("get", f"{API}{directive.pk}/"),
        ("get", f"{API}{directive.pk}/chain/"),
        ("get", f"{API}{directive.pk}/receipts/"),
        ("post", f"{API}{directive.pk}/issue/"),
        ("post", f"{API}{directive.pk}/remind/"),
        ("post", f"{API}{directive.pk}/archive/"),
        ("patch", f"{API}{directive.pk}/"),
        ("get", f"{RECEIPTS}{receipt.pk}/"),
        ("post", f"{RECEIPTS}{receipt.pk}/acknowledge/"),
        ("post", f"{RECEIPTS}{receipt.pk}/reports/"),
    ):
        response = getattr(outsider, method)(url, {"text": "x"}, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
    assert not Reminder.objects.exists()
    assert Receipt.objects.get(pk=receipt.pk).acknowledged_at is None


def test_a_commune_cannot_act_on_a_sister_communes_receipt(world: World) -> None:
    directive = draft(
        world.ubnd_cam_thuy,
        world.cam_thuy_officer,
        recipients=services.Recipients(units=[world.tree.cam_ngoc, world.tree.cam_thanh]),
    )
    services.directive_issue(directive, by=world.cam_thuy_officer, today=date(2024, 4, 24))
    sister = directive.receipts.get(unit=world.tree.cam_thanh)
    cam_ngoc = _client(world.cam_ngoc_staff)

    assert cam_ngoc.get(f"{RECEIPTS}{sister.pk}/").status_code == 404
    assert cam_ngoc.post(f"{RECEIPTS}{sister.pk}/acknowledge/").status_code == 404
    response = cam_ngoc.post(f"{RECEIPTS}{sister.pk}/reports/", {"text": "x"}, format="json")
    assert response.status_code == 404
    # The directive's table shows the commune its own line only
    rows = cam_ngoc.get(f"{API}{directive.pk}/receipts/").json()["rows"]
    assert [row["unit"] for row in rows] == [world.tree.cam_ngoc.pk]
    assert cam_ngoc.get(f"{API}{directive.pk}/").json()["recipients"]["total"] == 1
    sister.refresh_from_db()
    assert sister.acknowledged_at is None
    assert not sister.reports.exists()


def test_a_recipient_reads_the_letter_but_cannot_manage_it(world: World) -> None:
    directive = _issued_province_letter(world)
    district = _client(world.cam_thuy_officer)

    letter = district.get(f"{API}{directive.pk}/").json()

    assert letter["can_manage"] is False
    assert len(letter["my_receipts"]) == 1
    assert district.post(f"{API}{directive.pk}/remind/").status_code == 404
    assert district.get(f"{API}{directive.pk}/receipts/").json()["tally"]["total"] == 1


def test_steps_the_letter_does_not_allow_are_400_with_the_reason(world: World) -> None:
    province = _client(world.province_officer)
    directive = _issued_province_letter(world)

    again = province.post(f"{API}{directive.pk}/issue/")
    changed = province.patch(f"{API}{directive.pk}/", {"subject": "Khác"}, format="json")
    archived = province.post(f"{API}{directive.pk}/archive/")

    assert again.status_code == 400
    assert "đã được ban hành" in again.json()["detail"][0]
    assert changed.status_code == 400
    assert "Chỉ sửa được dự thảo" in changed.json()["detail"][0]
    assert archived.status_code == 400
    assert Directive.objects.get(pk=directive.pk).subject != "Khác"


def test_a_draft_is_written_only_for_the_callers_bodies_and_area(world: World) -> None:
    district = _client(world.cam_thuy_officer)

    # Issuing for the province is not the district's to do: that body is "not found"
    foreign = district.post(API, _province_letter(world), format="json")
    # Recipients outside the district's area are refused by the service
    outside = district.post(
        API,
        _province_letter(
            world,
            issuer=world.ubnd_cam_thuy.pk,
            recipients={"units": [world.tree.dien_lu.pk]},
        ),
        format="json",
    )
    # and a unit of another province does not exist for the caller at all
    other = district.post(
        API,
        _province_letter(
            world, issuer=world.ubnd_cam_thuy.pk, recipients={"units": [world.tree.tan_uyen.pk]}
        ),
        format="json",
    )

    assert foreign.status_code == 400
    assert "issuer" in foreign.json()
    assert outside.status_code == 400
    assert "recipients" in outside.json()
    assert other.status_code == 400
    assert "recipients" in other.json()
    assert not Directive.objects.exists()


def test_a_draft_is_changed_part_by_part_and_files_attached(world: World) -> None:
    district = _client(world.cam_thuy_officer)
    directive = draft(
        world.ubnd_cam_thuy,
        world.cam_thuy_officer,
        recipients=services.Recipients(units=[world.tree.cam_ngoc]),
    )

    changed = district.patch(
        f"{API}{directive.pk}/",
        {
            "instructions": ["Một.", "Hai.", "Ba."],
            "recipients": {"units": [world.tree.cam_thanh.pk]},
        },
        format="json",
    )
    attached = district.post(
        f"{API}{directive.pk}/attachments/",
        {"files": [SimpleUploadedFile("ke-hoach.pdf", PDF)]},
        format="multipart",
    )
    refused = district.post(
        f"{API}{directive.pk}/attachments/",
        {"files": [SimpleUploadedFile("virus.pdf", b"MZ\x90\x00not a pdf")]},
        format="multipart",
    )

    assert changed.status_code == 200
    assert changed.json()["instructions"] == ["Một.", "Hai.", "Ba."]
    assert changed.json()["subject"] == directive.subject
    assert [r.unit_id for r in directive.receipts.all()] == [world.tree.cam_thanh.pk]
    assert attached.status_code == 200
    assert [a["name"] for a in attached.json()["attachments"]] == ["ke-hoach.pdf"]
    assert refused.status_code == 400
    assert directive.attachments.count() == 1


def test_anonymous_callers_get_nothing(client: Any, world: World) -> None:
    assert APIClient().get(API).status_code in (401, 403)
    assert APIClient().get(RECEIPTS).status_code in (401, 403)


def test_the_lists_keep_a_flat_query_budget(
    world: World, django_assert_max_num_queries: Any
) -> None:
    province = _client(world.province_officer)
    _issued_province_letter(world)
    with django_assert_max_num_queries(20) as few:
        province.get(API)
    with django_assert_max_num_queries(20) as few_receipts:
        province.get(RECEIPTS)
    for _ in range(6):
        _issued_province_letter(world)

    with django_assert_max_num_queries(len(few.captured_queries)):
        directives = province.get(API)
    with django_assert_max_num_queries(len(few_receipts.captured_queries)):
        receipts = province.get(RECEIPTS)

    assert directives.json()["count"] == 7
    assert receipts.json()["count"] == 14


def test_the_schema_with_the_directives_api_validates_without_warnings(tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    paths = set(yaml.safe_load(target.read_text())["paths"])
    assert {
        "/api/v1/directives/",
        "/api/v1/directives/{id}/",
        "/api/v1/directives/{id}/issue/",
        "/api/v1/directives/{id}/archive/",
        "/api/v1/directives/{id}/remind/",
        "/api/v1/directives/{id}/chain/",
        "/api/v1/directives/{id}/receipts/",
        "/api/v1/directives/{id}/attachments/",
        "/api/v1/directives/receipts/",
        "/api/v1/directives/receipts/{id}/",
        "/api/v1/directives/receipts/{id}/acknowledge/",
        "/api/v1/directives/receipts/{id}/reports/",
    } <= paths
