"""The page list exported as XLSX and CSV: scope, filters, contents, injection, budgets."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts_registry import exports
from tests import factories
from tests.accounts_registry import factories_pages as make
from tests.conftest import Tree

# Session, user, grants, the filter form's choices, the rows, one unit-name query per chunk.
EXPORT_BUDGET = 12


@pytest.fixture(autouse=True)
def _english(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def csv_rows(client: Client, **params: str) -> list[list[str]]:
    response = client.get(reverse("registry:pages_export_csv"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(client: Client, **params: str) -> list[list[Any]]:
    response = client.get(reverse("registry:pages_export_xlsx"), params)
    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    book = load_workbook(io.BytesIO(content))
    return [list(line) for line in book.worksheets[0].iter_rows(values_only=True)]


def test_exports_hold_the_scoped_pages_only(client: Client, tree: Tree) -> None:
    make.page(tree.ubnd_cam_ngoc, display_name="Trang Cẩm Ngọc")
    make.page(tree.ubnd_dien_lu, display_name="Trang Điền Lư")
    make.page(tree.ubnd_muong_khoa, display_name="Trang Mường Khoa")
    client.force_login(factories.officer_of(tree.cam_thuy))

    for rows in (csv_rows(client), xlsx_rows(client)):
        names = [line[3] for line in rows[1:]]
        assert names == ["Trang Cẩm Ngọc"]


def test_export_follows_the_lists_filters(client: Client, tree: Tree) -> None:
    make.page(tree.ubnd_cam_ngoc, display_name="Trang Cẩm Ngọc", state="approved")
    make.page(
        tree.ubnd_cam_thanh,
        display_name="Zalo Cẩm Thành",
        url="https://zalo.me/1234567890123456789",
        platform_code="zalo",
    )
    make.page(tree.ubnd_dien_lu, display_name="Trang cũ Điền Lư", state="archived")
    client.force_login(factories.officer_of(tree.thanh_hoa))

    assert [line[3] for line in csv_rows(client, platform="zalo")[1:]] == ["Zalo Cẩm Thành"]
    assert [line[3] for line in csv_rows(client, state="archived")[1:]] == ["Trang cũ Điền Lư"]
    assert len(csv_rows(client)) == 3  # header + two live pages, archived left out
    assert csv_rows(client, unit=str(tree.lai_chau.pk)) == [exports.header()]


def test_export_row_carries_contact_rules_gaps_and_dd_mm_yyyy_dates(
    client: Client, tree: Tree
) -> None:
    body = tree.ubnd_cam_ngoc
    make.contact(body, name="Nguyễn Thị Lan", phone="0912 345 678")
    make.rules(body, document_number="12/QĐ-UBND")
    page = make.page(
        body,
        display_name="Trang Cẩm Ngọc",
        state="approved",
        is_platform_verified=True,
        platform_verified_on=date(2024, 3, 1),
        responsible_unit="Văn phòng",
    )
    override = make.page(body, display_name="Trang riêng")
    make.contact(body, page=override, name="Lê Văn Bình", phone="0987 000 111")
    client.force_login(factories.staff_of(body))

    rows = {
        line[3]: dict(zip(exports.header(), line, strict=True)) for line in csv_rows(client)[1:]
    }

    first = rows["Trang Cẩm Ngọc"]
    assert first["Body"] == body.name
    assert first["Administrative units"] == "Tỉnh Thanh Hóa / Huyện Cẩm Thủy / Xã Cẩm Ngọc"
    assert first["Address (URL)"] == page.url
    assert first["Verified since"] == "01/03/2024"
    assert first["Contact person"] == "Nguyễn Thị Lan"
    assert first["Posting rules"] == "12/QĐ-UBND"
    assert first["Gaps"] == ""
    assert page.approved_at is not None
    assert first["Approved at"] == timezone.localtime(page.approved_at).strftime("%d/%m/%Y")
    assert rows["Trang riêng"]["Contact person"] == "Lê Văn Bình"
    assert rows["Trang riêng"]["Contact phone"] == "0987 000 111"
    assert "Not verified by the platform" in rows["Trang riêng"]["Gaps"]


def test_formula_injection_is_neutralised_in_both_formats(client: Client, tree: Tree) -> None:
    make.page(tree.ubnd_cam_ngoc, display_name='=HYPERLINK("http://x","bấm")')
    make.page(tree.ubnd_cam_ngoc, display_name="@SUM(1+1)", responsible_unit="-2+3")
    client.force_login(factories.staff_of(tree.ubnd_cam_ngoc))

    for rows in (csv_rows(client), xlsx_rows(client)):
        names = sorted(line[3] for line in rows[1:])
        assert names == ['\'=HYPERLINK("http://x","bấm")', "'@SUM(1+1)"]
        assert "'-2+3" in [line[9] for line in rows[1:]]


def test_xlsx_cells_are_text_never_formulas(client: Client, tree: Tree) -> None:
    make.page(tree.ubnd_cam_ngoc, display_name="=1+1")
    client.force_login(factories.staff_of(tree.ubnd_cam_ngoc))

    response = client.get(reverse("registry:pages_export_xlsx"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]

    cell = book.worksheets[0]["D2"]
    assert cell.data_type == "s"
    assert cell.value == "'=1+1"


def test_export_requires_login(client: Client, db: None) -> None:
    assert client.get(reverse("registry:pages_export_csv")).status_code == 302


@pytest.mark.parametrize("count", [5, 30])
@pytest.mark.parametrize("kind", ["pages_export_csv", "pages_export_xlsx"])
def test_export_queries_stay_flat_as_pages_grow(
    client: Client, tree: Tree, count: int, kind: str, django_assert_max_num_queries: Callable
) -> None:
    bodies = [tree.ubnd_cam_ngoc, tree.ubnd_cam_thanh, tree.ubnd_dien_lu]
    for n in range(count):
        make.page(bodies[n % 3], display_name=f"Trang {n}")
    make.contact(tree.ubnd_cam_ngoc)
    make.rules(tree.ubnd_cam_thanh)
    client.force_login(factories.officer_of(tree.thanh_hoa))

    with django_assert_max_num_queries(EXPORT_BUDGET):
        response = client.get(reverse(f"registry:{kind}"))
        content = b"".join(response.streaming_content)  # type: ignore[attr-defined]

    if kind == "pages_export_csv":
        assert content.count(b"\n") == count + 1
    else:
        assert len(load_workbook(io.BytesIO(content)).worksheets[0]["A"]) == count + 1


def test_page_list_links_to_the_exports_with_its_filters(client: Client, tree: Tree) -> None:
    make.page(tree.ubnd_cam_ngoc, display_name="Trang Cẩm Ngọc")
    client.force_login(factories.officer_of(tree.cam_thuy))

    content = client.get(reverse("registry:page_list"), {"platform": "facebook"}).content.decode()

    assert f"{reverse('registry:pages_export_xlsx')}?platform=facebook" in content
    assert f"{reverse('registry:pages_export_csv')}?platform=facebook" in content


def test_xlsx_header_row_stays_in_sight_when_scrolling_and_printing(
    client: Client, tree: Tree
) -> None:
    # Given a list of pages to export
    make.page(tree.ubnd_cam_ngoc, display_name="Trang Cẩm Ngọc")
    client.force_login(factories.officer_of(tree.cam_thuy))

    # When the officer downloads it as Excel
    response = client.get(reverse("registry:pages_export_xlsx"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]

    # Then the header row is frozen and repeated on every printed page
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert sheet.print_title_rows == "$1:$1"


def test_every_csv_field_is_quoted_so_commas_and_semicolons_stay_inside_their_cell(
    client: Client, tree: Tree
) -> None:
    # Excel in Vietnamese splits a CSV on ";", most other readers on ","
    make.page(tree.ubnd_cam_ngoc, display_name="Tuổi trẻ; Văn hóa, Thể thao")
    client.force_login(factories.staff_of(tree.ubnd_cam_ngoc))

    response = client.get(reverse("registry:pages_export_csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]

    # Every field is quoted: the separators inside a name never split it
    assert '"Tuổi trẻ; Văn hóa, Thể thao"' in text
    by_comma = list(csv.reader(io.StringIO(text)))
    assert any("Tuổi trẻ; Văn hóa, Thể thao" in row for row in by_comma)
    # and every other text field is quoted too, so a reader never guesses
    assert text.splitlines()[1].startswith('"')
