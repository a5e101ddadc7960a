"""Bulk registration of pages from an XLSX template: the template, the checks, the import.

The flow is check-everything-then-write: ``validate_workbook`` reads every row and reports
every problem of every row without touching the register; ``import_workbook`` re-validates
inside one transaction and registers all rows through ``services.pages.page_register`` or
none. The uploaded file is checked by its content (a ZIP package holding
``xl/workbook.xml``, with bounded entries) before openpyxl ever opens it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from accounts_registry.files import inflates_too_much, zip_entries
from accounts_registry.models import Platform, SocialPage
from accounts_registry.services import pages as services
from portal.text import nfc
from units.models import Body
from users import scope
from users.models import User
from users.scope import Action

# Bounds far above a real list of a province's pages, far below what would hurt the server.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ZIP_ENTRIES = 200
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 2000

# The template's columns: (key, Vietnamese title, required). The titles are the file format
# the provinces fill in, so they are fixed Vietnamese, not translated UI text.
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("body", "Cơ quan (mã/ID hoặc tên chính xác)", True),
    ("platform", "Nền tảng (mã hoặc tên)", True),
    ("url", "Địa chỉ trang", True),
    ("display_name", "Tên hiển thị", True),
    ("permanent_id", "Mã định danh", False),
    ("is_platform_verified", "Đã xác thực (có/không)", False),
    ("platform_verified_on", "Ngày xác thực (dd/mm/yyyy)", False),
    ("responsible_unit", "Bộ phận chịu trách nhiệm", False),
    ("set_up_on", "Ngày lập (dd/mm/yyyy)", False),
    ("notes", "Ghi chú", False),
)
HEADERS = [title for _key, title, _required in COLUMNS]
TITLES = {key: title for key, title, _required in COLUMNS}
LISTS_SHEET = "Danh mục"
_YES = {"có", "co", "c", "yes", "y", "x", "true", "1", "đã xác thực", "rồi"}
_NO = {"không", "khong", "k", "no", "n", "false", "0", "chưa", ""}

NOT_XLSX = _(
    "Only Excel workbooks (.xlsx) are accepted (the file's content was checked, not its "
    "name). Download the template, fill it in and upload it again."
)


class BulkError(Exception):
    """The import was refused as a whole; ``preview`` says why, row by row."""

    def __init__(self, preview: Preview) -> None:
        super().__init__("bulk import refused")
        self.preview = preview


@dataclass
class Row:
    """One data row of the upload: what was typed, what it means, and what is wrong."""

    number: int
    raw: dict[str, str]
    errors: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Preview:
    rows: list[Row]
    errors: list[str] = field(default_factory=list)  # about the file as a whole

    @property
    def good(self) -> list[Row]:
        return [row for row in self.rows if row.ok]

    @property
    def bad(self) -> list[Row]:
        return [row for row in self.rows if not row.ok]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows) and not self.bad


def editable_bodies(user: User) -> QuerySet[Body]:
    """The live bodies whose pages ``user`` may register."""
    return (
        scope.bodies(user, Action.EDIT)
        .filter(archived_at__isnull=True)
        .select_related("unit")
        .order_by("name", "pk")
    )


def active_platforms() -> list[Platform]:
    return list(Platform.objects.filter(is_active=True).order_by("order", "pk"))


# --- the template -------------------------------------------------------------------------


def build_template(user: User) -> bytes:
    """The XLSX template: headers, one example row, and the lists of bodies and platforms."""
    bodies = list(editable_bodies(user))
    platforms = active_platforms()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Trang"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    example = [
        str(bodies[0].pk) if bodies else "",
        platforms[0].code if platforms else "facebook",
        "https://www.facebook.com/ubndxacamngoc",
        "UBND xã Cẩm Ngọc",
        "",
        "có",
        "01/03/2024",
        "Văn phòng HĐND-UBND",
        "15/01/2020",
        "Dòng ví dụ: xoá dòng này trước khi tải lên",
    ]
    sheet.append(example)
    for cell in sheet[2]:
        cell.font = Font(italic=True, color="777777")
    sheet["A1"].comment = Comment(
        "Ghi mã (ID) hoặc tên chính xác của cơ quan, xem trang “Danh mục”. "
        "Dòng 2 là ví dụ (chữ nghiêng): xoá hoặc ghi đè trước khi tải lên.",
        "Cổng",
    )
    for index, width in enumerate((34, 18, 45, 30, 20, 14, 16, 28, 14, 30), start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    sheet.freeze_panes = "A2"

    lists = book.create_sheet(LISTS_SHEET)
    lists.append(["Mã cơ quan (ID)", "Tên cơ quan", "Đơn vị hành chính", "", "Mã nền tảng", "Tên"])
    for cell in lists[1]:
        cell.font = Font(bold=True)
    for index in range(max(len(bodies), len(platforms))):
        body = bodies[index] if index < len(bodies) else None
        platform = platforms[index] if index < len(platforms) else None
        lists.append(
            [
                body.pk if body else None,
                body.name if body else None,
                body.unit.name if body else None,
                None,
                platform.code if platform else None,
                platform.name if platform else None,
            ]
        )
    last = MAX_ROWS + 1
    if platforms:
        # A dropdown of platform codes; a typed name is still accepted (the check is ours).
        platform_list = DataValidation(
            type="list",
            formula1=f"='{LISTS_SHEET}'!$E$2:$E${len(platforms) + 1}",
            allow_blank=True,
            showErrorMessage=False,
        )
        platform_list.add(f"B2:B{last}")
        sheet.add_data_validation(platform_list)
    yes_no = DataValidation(
        type="list", formula1='"có,không"', allow_blank=True, showErrorMessage=False
    )
    yes_no.add(f"F2:F{last}")
    sheet.add_data_validation(yes_no)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the uploaded file --------------------------------------------------------------------


def check_xlsx(file: IO[bytes], size: int) -> None:
    """Refuse anything but a plausible, bounded XLSX package (checked by content)."""
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is larger than 5 MB."))
    entries = zip_entries(file)
    if entries is None:
        raise ValidationError(NOT_XLSX)
    names = {entry.filename for entry in entries}
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise ValidationError(NOT_XLSX)
    # Declared sizes bound the work openpyxl will do: a few KB must not inflate to GB.
    if inflates_too_much(
        entries, max_entries=MAX_ZIP_ENTRIES, max_uncompressed_bytes=MAX_UNCOMPRESSED_BYTES
    ):
        raise ValidationError(NOT_XLSX)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return nfc(str(value)).strip()


def read_rows(path: Path) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    """The non-empty data rows of the first sheet as (row number, {column key: value})."""
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged package
        raise ValidationError(NOT_XLSX) from exc
    try:
        sheet = book.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = [_text(value) for value in next(lines, ())]
        problems: list[str] = []
        if [title.casefold() for title in header[: len(HEADERS)]] != [
            title.casefold() for title in HEADERS
        ]:
            problems.append(
                str(
                    _(
                        "The first row is not the template's header row. Download the "
                        "template and keep its columns in order."
                    )
                )
            )
            return [], problems
        rows: list[tuple[int, dict[str, Any]]] = []
        for number, values in enumerate(lines, start=2):
            cells = dict(zip((key for key, _t, _r in COLUMNS), values, strict=False))
            if all(_text(value) == "" for value in cells.values()):
                continue
            if len(rows) >= MAX_ROWS:
                problems.append(
                    str(_("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS})
                )
                break
            rows.append((number, cells))
        return rows, problems
    finally:
        book.close()


# --- validation ---------------------------------------------------------------------------


def _parse_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            # A calendar date, not a moment: no time zone applies.
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    raise ValueError(text)


def _parse_yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).casefold()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(text)


def _messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


@dataclass
class _Lookups:
    """Everything the checks need, read once for the whole file."""

    bodies_by_id: dict[int, Body]
    bodies_by_name: dict[str, list[Body]]
    platforms: dict[str, Platform]


def _lookups(user: User) -> _Lookups:
    bodies = list(editable_bodies(user))
    by_name: dict[str, list[Body]] = {}
    for body in bodies:
        by_name.setdefault(nfc(body.name).casefold().strip(), []).append(body)
    platforms: dict[str, Platform] = {}
    for platform in active_platforms():
        for name in (platform.code, platform.name, platform.name_en):
            if name:
                platforms.setdefault(nfc(name).casefold().strip(), platform)
    return _Lookups({body.pk: body for body in bodies}, by_name, platforms)


def _check_row(row: Row, cells: dict[str, Any], lookups: _Lookups) -> None:
    """Fill ``row.data`` and ``row.errors`` from the cells, without any query."""
    for key, title, required in COLUMNS:
        if required and not row.raw[key]:
            row.errors.append(str(_("“%(column)s” is empty.") % {"column": title}))
    body_text = row.raw["body"]
    body: Body | None = None
    if body_text:
        named = (
            [lookups.bodies_by_id[int(body_text)]]
            if body_text.isdigit() and int(body_text) in lookups.bodies_by_id
            else lookups.bodies_by_name.get(body_text.casefold(), [])
        )
        if len(named) > 1:
            row.errors.append(
                str(
                    _("Several of your bodies are named “%(name)s”: write its ID instead.")
                    % {"name": body_text}
                )
            )
        elif not named:
            row.errors.append(
                str(
                    _("“%(body)s” is not a body whose pages you may register.")
                    % {"body": body_text}
                )
            )
        else:
            body = named[0]
    platform = (
        lookups.platforms.get(row.raw["platform"].casefold()) if row.raw["platform"] else None
    )
    if row.raw["platform"] and platform is None:
        row.errors.append(
            str(_("Unknown platform “%(platform)s”.") % {"platform": row.raw["platform"]})
        )
    if platform is not None and row.raw["url"]:
        try:
            found = services.canonicalise_for(platform, row.raw["url"])
        except ValidationError as error:
            row.errors.extend(_messages(error))
        else:
            typed_id = row.raw["permanent_id"]
            if typed_id and found.platform_id and typed_id != found.platform_id:
                row.errors.append(
                    str(
                        _(
                            "The address carries the permanent id %(url_id)s, which differs "
                            "from the one entered."
                        )
                        % {"url_id": found.platform_id}
                    )
                )
            row.data.update(
                canonical_key=found.key,
                effective_id=found.platform_id or typed_id,
            )
    try:
        verified = _parse_yes_no(cells.get("is_platform_verified"))
    except ValueError:
        verified = False
        row.errors.append(
            str(
                _("“%(value)s” is not yes or no (write có or không).")
                % {"value": row.raw["is_platform_verified"]}
            )
        )
    dates: dict[str, date | None] = {}
    for key in ("platform_verified_on", "set_up_on"):
        try:
            dates[key] = _parse_date(cells.get(key))
        except ValueError:
            dates[key] = None
            row.errors.append(
                str(
                    _("“%(value)s” is not a date in dd/mm/yyyy (column “%(column)s”).")
                    % {"value": row.raw[key], "column": TITLES[key]}
                )
            )
    if dates["platform_verified_on"] and not verified:
        row.errors.append(
            str(_("A verification date is given but the page is not marked as verified."))
        )
    for key, limit in (("display_name", 255), ("responsible_unit", 255), ("permanent_id", 100)):
        if len(row.raw[key]) > limit:
            row.errors.append(
                str(
                    _("“%(column)s” is longer than %(limit)d characters.")
                    % {"column": TITLES[key], "limit": limit}
                )
            )
    row.data.update(
        body=body,
        platform=platform,
        url=row.raw["url"],
        display_name=row.raw["display_name"],
        permanent_id=row.raw["permanent_id"],
        is_platform_verified=verified,
        platform_verified_on=dates["platform_verified_on"],
        responsible_unit=row.raw["responsible_unit"],
        set_up_on=dates["set_up_on"],
        notes=row.raw["notes"],
    )


def _check_duplicates(rows: list[Row], lookups: _Lookups) -> None:
    """Refuse pages given twice in the file, or already in the register (one query)."""
    seen_keys: dict[tuple[int, str], int] = {}
    seen_ids: dict[tuple[int, str], int] = {}
    for row in rows:
        platform = row.data.get("platform")
        if platform is None or "canonical_key" not in row.data:
            continue
        for seen, value in (
            (seen_keys, row.data["canonical_key"]),
            (seen_ids, row.data["effective_id"]),
        ):
            if not value:
                continue
            first = seen.setdefault((platform.pk, value), row.number)
            if first != row.number:
                row.errors.append(
                    str(_("The same page as row %(row)d of this file.") % {"row": first})
                )
                break
    wanted = [row for row in rows if "canonical_key" in row.data and row.data.get("platform")]
    if not wanted:
        return
    condition = Q(canonical_key__in={row.data["canonical_key"] for row in wanted})
    ids = {row.data["effective_id"] for row in wanted if row.data["effective_id"]}
    if ids:
        condition |= Q(permanent_id__in=ids)
    existing = list(
        SocialPage.objects.live()
        .filter(condition, platform__in={row.data["platform"].pk for row in wanted})
        .select_related("body")
        .only("platform_id", "canonical_key", "permanent_id", "display_name", "body__name")
    )
    by_key = {(page.platform_id, page.canonical_key): page for page in existing}
    by_id = {(page.platform_id, page.permanent_id): page for page in existing if page.permanent_id}
    for row in wanted:
        platform_id = row.data["platform"].pk
        other = by_key.get((platform_id, row.data["canonical_key"]))
        if other is None and row.data["effective_id"]:
            other = by_id.get((platform_id, row.data["effective_id"]))
        if other is None:
            continue
        if other.body_id in lookups.bodies_by_id:
            # A body may know its own pages; anyone else learns only that it is taken.
            row.errors.append(
                str(
                    _("This page is already registered by %(body)s as “%(name)s”.")
                    % {"body": other.body.name, "name": other.display_name}
                )
            )
        else:
            row.errors.append(str(services.TAKEN_ELSEWHERE))


def validate_workbook(path: Path, user: User) -> Preview:
    """Check every row of the workbook at ``path`` for ``user``; never writes."""
    cells_by_row, problems = read_rows(path)
    lookups = _lookups(user)
    rows: list[Row] = []
    for number, cells in cells_by_row:
        row = Row(number=number, raw={key: _text(cells.get(key)) for key, _t, _r in COLUMNS})
        _check_row(row, cells, lookups)
        rows.append(row)
    _check_duplicates(rows, lookups)
    if not rows and not problems:
        problems.append(str(_("The file has no rows to import below the header.")))
    return Preview(rows=rows, errors=problems)


def import_workbook(path: Path, user: User, *, submit: bool = False) -> list[SocialPage]:
    """Register every row of the workbook as a draft, or none; BulkError says why not.

    With ``submit`` the drafts are also sent for review in the same transaction, and each
    reviewer is told once, listing their pages (``services.pages_submit``), not once a page.
    """
    with transaction.atomic():
        # Re-checked here: the register may have changed since the preview.
        preview = validate_workbook(path, user)
        if not preview.ok:
            raise BulkError(preview)
        pages: list[SocialPage] = []
        failed: Row | None = None
        savepoint = transaction.savepoint()
        for row in preview.rows:
            data = {key: value for key, value in row.data.items() if key in _SERVICE_ARGS}
            try:
                pages.append(services.page_register(by=user, **data))
            except ValidationError as error:
                # A page registered by someone else between our check and our insert.
                row.errors.extend(_messages(error))
                failed = row
                break
        if failed is not None:
            transaction.savepoint_rollback(savepoint)
            transaction.set_rollback(True)
        elif submit:
            pages = services.pages_submit(pages=pages, by=user)
    if failed is not None:
        raise BulkError(preview)
    return pages


_SERVICE_ARGS = {
    "body",
    "platform",
    "url",
    "display_name",
    "permanent_id",
    "is_platform_verified",
    "platform_verified_on",
    "responsible_unit",
    "set_up_on",
    "notes",
}
