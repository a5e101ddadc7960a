"""Bulk registration from the XLSX template: template, checks, preview, all-or-nothing commit."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts_registry import bulk
from accounts_registry.models import PageState, SocialPage
from tests import factories
from tests.accounts_registry import factories_pages as make
from tests.conftest import Tree
from users.models import User

# Session, user, grants, bodies, platforms and one query for the register's existing keys.
PREVIEW_BUDGET = 12
# What one page_register costs (see test_commit_costs_a_few_queries_per_page).
PER_PAGE_COMMIT = 12


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path, client: Client) -> None:
    settings.MEDIA_ROOT = tmp_path
    # The reasons are asserted in English, whatever the Vietnamese catalogue says.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def xlsx(*rows: list[Any], headers: list[str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers or bulk.HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(body: Any, url: str, name: str = "Trang thử nghiệm", **extra: Any) -> list[Any]:
    values = {
        "platform": "facebook",
        "permanent_id": "",
        "verified": "không",
        "verified_on": "",
        "unit": "Văn phòng",
        "set_up_on": "15/01/2020",
        "notes": "",
        **extra,
    }
    return [
        body,
        values["platform"],
        url,
        name,
        values["permanent_id"],
        values["verified"],
        values["verified_on"],
        values["unit"],
        values["set_up_on"],
        values["notes"],
    ]


def upload(client: Client, content: bytes, name: str = "trang.xlsx") -> Any:
    return client.post(
        reverse("registry:bulk_upload"),
        {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")},
    )


def staff(client: Client, tree: Tree) -> User:
    user = factories.staff_of(tree.ubnd_cam_ngoc)
    client.force_login(user)
    return user


def test_template_downloads_with_the_headers_and_the_users_bodies(
    client: Client, tree: Tree
) -> None:
    staff(client, tree)

    response = client.get(reverse("registry:bulk_template"))

    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    header = [cell.value for cell in book.worksheets[0][1]]
    assert header == bulk.HEADERS
    assert header[0].startswith("Cơ quan")
    assert header[6].startswith("Ngày xác thực")
    listed = [line[1] for line in book["Danh mục"].iter_rows(min_row=2, values_only=True)]
    assert tree.ubnd_cam_ngoc.name in listed
    assert tree.ubnd_muong_khoa.name not in listed
    assert book.worksheets[0]["A2"].font.italic


def test_template_is_not_offered_to_a_user_who_edits_no_body(client: Client, tree: Tree) -> None:
    client.force_login(factories.officer_of(tree.cam_thuy))

    assert client.get(reverse("registry:bulk_template")).status_code == 404


def test_good_file_previews_every_row_then_imports_them_all(client: Client, tree: Tree) -> None:
    user = staff(client, tree)
    content = xlsx(
        row(str(tree.ubnd_cam_ngoc.pk), "https://www.facebook.com/ubndcamngoc", "UBND Cẩm Ngọc"),
        row(tree.ubnd_cam_ngoc.name, "youtube.com/@ubndcamngoc", "Kênh", platform="YouTube"),
        row(
            tree.ubnd_cam_ngoc.pk,
            "https://www.facebook.com/tuoitrecamngoc",
            "Đoàn thanh niên",
            verified="có",
            verified_on=date(2024, 3, 1),
        ),
    )

    response = upload(client, content)
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    assert preview.context["preview"].ok
    assert len(preview.context["preview"].good) == 3
    assert SocialPage.objects.count() == 0

    committed = client.post(reverse("registry:bulk_commit"))

    assert committed.status_code == 302
    pages = {page.display_name: page for page in SocialPage.objects.all()}
    assert set(pages) == {"Đoàn thanh niên", "Kênh", "UBND Cẩm Ngọc"}
    assert all(page.state == PageState.DRAFT and page.created_by == user for page in pages.values())
    verified = pages["Đoàn thanh niên"]
    assert verified.is_platform_verified
    assert verified.platform_verified_on is not None
    assert verified.platform_verified_on.isoformat() == "2024-03-01"
    assert pages["Kênh"].platform.code == "youtube"
    set_up = pages["UBND Cẩm Ngọc"].set_up_on
    assert set_up is not None
    assert set_up.isoformat() == "2020-01-15"
    assert list(Path(bulk_dir(client)).glob("*.xlsx")) == []


def bulk_dir(client: Client) -> Path:
    from django.conf import settings

    return Path(settings.MEDIA_ROOT) / "bulk"


def test_bad_rows_are_all_listed_with_every_reason_and_nothing_is_written(
    client: Client, tree: Tree
) -> None:
    staff(client, tree)
    make.page(tree.ubnd_cam_thanh, url="https://www.facebook.com/dadangky")
    ours = str(tree.ubnd_cam_ngoc.pk)
    content = xlsx(
        row(ours, "https://www.facebook.com/trangtot", "Trang tốt"),  # 2: good
        row(str(tree.ubnd_muong_khoa.pk), "https://www.facebook.com/ngoaiphamvi"),  # 3
        row(ours, "https://www.facebook.com/nentangla", platform="myspace"),  # 4
        row(ours, "https://www.youtube.com/@kenh"),  # 5: a YouTube address as Facebook
        row(ours, "https://facebook.com/trangtot/"),  # 6: same page as row 2
        row(ours, "https://www.facebook.com/dadangky"),  # 7: already registered
        row(ours, "https://www.facebook.com/ngaysai", set_up_on="31/02/2020"),  # 8
        [None] * len(bulk.HEADERS),  # 9: a blank line is skipped
        row("", "https://www.facebook.com/thieutruong", "", verified="maybe"),  # 10
    )

    preview = client.get(upload(client, content)["Location"]).context["preview"]

    reasons = {line.number: " | ".join(line.errors) for line in preview.bad}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 10]
    assert [line.number for line in preview.good] == [2]
    assert "not a body whose pages you may register" in reasons[3]
    assert "Unknown platform “myspace”" in reasons[4]
    assert reasons[5]
    assert "row 2" in reasons[6]
    assert "already registered by another body" in reasons[7]
    assert "31/02/2020" in reasons[8]
    # Every problem of the row, not just the first.
    assert "Cơ quan" in reasons[10]
    assert "Tên hiển thị" in reasons[10]
    assert "maybe" in reasons[10]

    refused = client.post(reverse("registry:bulk_commit"))

    assert refused.status_code == 409
    assert SocialPage.objects.count() == 1  # only the page registered beforehand


def test_commit_writes_nothing_when_the_register_changed_since_the_preview(
    client: Client, tree: Tree
) -> None:
    staff(client, tree)
    content = xlsx(
        row(tree.ubnd_cam_ngoc.pk, "https://www.facebook.com/trangmot", "Một"),
        row(tree.ubnd_cam_ngoc.pk, "https://www.facebook.com/tranghai", "Hai"),
    )
    assert client.get(upload(client, content)["Location"]).context["preview"].ok
    # Meanwhile another body registers the second page.
    make.page(tree.ubnd_dien_lu, url="https://www.facebook.com/tranghai")

    response = client.post(reverse("registry:bulk_commit"))

    assert response.status_code == 409
    assert [line.number for line in response.context["preview"].bad] == [3]
    assert not SocialPage.objects.filter(display_name="Một").exists()
    assert SocialPage.objects.count() == 1


def test_import_is_all_or_nothing_when_a_registration_fails_midway(
    tree: Tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = factories.staff_of(tree.ubnd_cam_ngoc)
    path = tmp_path / "trang.xlsx"
    path.write_bytes(
        xlsx(
            row(tree.ubnd_cam_ngoc.pk, "https://www.facebook.com/trangmot", "Một"),
            row(tree.ubnd_cam_ngoc.pk, "https://www.facebook.com/tranghai", "Hai"),
        )
    )
    real_validate = bulk.validate_workbook

    def validate_then_race(path: Path, user: Any) -> bulk.Preview:
        # The second page is taken after the re-check, just before the inserts.
        preview = real_validate(path, user)
        make.page(tree.ubnd_dien_lu, url="https://www.facebook.com/tranghai")
        return preview

    monkeypatch.setattr(bulk, "validate_workbook", validate_then_race)

    with pytest.raises(bulk.BulkError) as refused:
        bulk.import_workbook(path, user)

    assert [line.number for line in refused.value.preview.bad] == [3]
    assert not SocialPage.objects.filter(display_name="Một").exists()


def test_a_pdf_renamed_xlsx_is_refused(client: Client, tree: Tree) -> None:
    staff(client, tree)

    response = upload(client, b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", name="trang.xlsx")

    assert response.status_code == 400
    assert "Excel" in response.content.decode()
    assert not bulk_dir(client).exists() or not list(bulk_dir(client).iterdir())


def test_a_zip_that_is_not_a_workbook_is_refused(client: Client, tree: Tree) -> None:
    import zipfile

    staff(client, tree)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("word/document.xml", "<w/>")

    assert upload(client, out.getvalue()).status_code == 400


def test_a_file_without_the_template_header_is_reported(client: Client, tree: Tree) -> None:
    staff(client, tree)
    content = xlsx(["a", "b"], headers=["Tên", "Địa chỉ"])

    preview = client.get(upload(client, content)["Location"]).context["preview"]

    assert preview.errors
    assert not preview.ok


def test_another_users_upload_cannot_be_committed(client: Client, tree: Tree) -> None:
    staff(client, tree)
    upload(client, xlsx(row(tree.ubnd_cam_ngoc.pk, "https://www.facebook.com/trangmot")))
    other = Client()
    other.force_login(factories.staff_of(tree.ubnd_cam_ngoc))

    response = other.post(reverse("registry:bulk_commit"))

    assert response.status_code == 302
    assert SocialPage.objects.count() == 0


@pytest.mark.parametrize("count", [5, 30])
def test_preview_queries_stay_flat_as_rows_grow(
    client: Client, tree: Tree, count: int, django_assert_max_num_queries: Callable
) -> None:
    staff(client, tree)
    content = xlsx(
        *(row(tree.ubnd_cam_ngoc.pk, f"https://www.facebook.com/trang{n}") for n in range(count))
    )
    location = upload(client, content)["Location"]

    with django_assert_max_num_queries(PREVIEW_BUDGET):
        preview = client.get(location).context["preview"]

    assert len(preview.good) == count


def test_commit_costs_a_few_queries_per_page(
    client: Client, tree: Tree, django_assert_max_num_queries: Callable
) -> None:
    staff(client, tree)
    count = 10
    content = xlsx(
        *(row(tree.ubnd_cam_ngoc.pk, f"https://www.facebook.com/trang{n}") for n in range(count))
    )
    client.get(upload(client, content)["Location"])

    # page_register per row: check the register, full_clean's foreign keys, insert, history,
    # review log and their savepoints; linear by design, with a fixed cost per page.
    with django_assert_max_num_queries(PREVIEW_BUDGET + PER_PAGE_COMMIT * count):
        client.post(reverse("registry:bulk_commit"))

    assert SocialPage.objects.count() == count


def test_a_zip_bomb_is_refused_before_it_is_opened(
    client: Client, tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zipfile

    staff(client, tree)
    monkeypatch.setattr(bulk, "MAX_UNCOMPRESSED_BYTES", 10_000)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("xl/workbook.xml", "<workbook/>")
        package.writestr("xl/worksheets/sheet1.xml", "0" * 100_000)  # tiny compressed

    response = upload(client, out.getvalue())

    assert response.status_code == 400
    assert len(out.getvalue()) < 10_000


def test_uploads_abandoned_for_a_day_are_deleted_on_the_next_upload(
    client: Client, tree: Tree
) -> None:
    import os
    import time

    staff(client, tree)
    bulk_dir(client).mkdir(parents=True)
    stale = bulk_dir(client) / "00000000-0000-0000-0000-000000000000.xlsx"
    stale.write_bytes(b"old")
    day_ago = time.time() - 25 * 60 * 60
    os.utime(stale, (day_ago, day_ago))

    upload(client, xlsx(row(tree.ubnd_cam_ngoc.pk, "https://www.facebook.com/trangmot")))

    assert not stale.exists()
    assert len(list(bulk_dir(client).glob("*.xlsx"))) == 1
