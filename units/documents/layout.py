"""The parts of an official document in the layout of Decree 30/2020/NĐ-CP, Appendix I, as
data: the issuer block, the national title and motto, number and symbol, place and date,
"Kính gửi", "Nơi nhận" and the signing block, with the page and type the decree asks for.

Everything here is text: no document, no database query beyond the bodies it is given.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from portal.text import fold
from units.models import AdministrativeUnit, Body, BodyKind, UnitType
from units.naming import bare_name, in_sentence

COUNTRY = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

# Page and type of Decree 30/2020/NĐ-CP, Appendix I (A4; margins in mm; sizes in points).
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 20, 20, 30, 15
TEXT_WIDTH = 210 - MARGIN_LEFT - MARGIN_RIGHT
LEFT_COLUMN = 70  # the issuing authority, number and subject; the motto takes the rest
BODY_SIZE = 14
FONT = "Times New Roman"

# Bodies whose name is a kind of body followed by a place: written on two lines, the kind
# above the place ("ỦY BAN NHÂN DÂN" / "HUYỆN CẨM THỦY"), as every People's Committee does.
_TWO_LINE_KINDS = {
    "uy ban nhan dan": ("ỦY BAN NHÂN DÂN", "UBND"),
    "ubnd": ("ỦY BAN NHÂN DÂN", "UBND"),
    "hoi dong nhan dan": ("HỘI ĐỒNG NHÂN DÂN", "HĐND"),
    "hdnd": ("HỘI ĐỒNG NHÂN DÂN", "HĐND"),
}
_LIST_MARK = re.compile(r"^\s*[-\u2013\u2014+\u2022*]\s*")
_END_MARK = re.compile(r"[\s;,.]+$")


def rule_width(lines: list[str]) -> int:
    """The rule under the issuer: two fifths of its longest line (the decree asks a third to
    a half), in millimetres."""
    longest = max((len(line) for line in lines), default=10)
    return max(12, min(35, round(longest * 3.0 * 0.4)))


@dataclass(frozen=True, kw_only=True)
class OfficialDocument:
    """What every official document shows around its own text, in reading order: the header
    (issuer, national title and motto, number, place and date), "Kính gửi", then "Nơi nhận"
    beside the signing block. A letter or a report adds its own parts to it."""

    supervising: str  # the supervising body, upper case ("UBND TỈNH GIA LAI"), or ""
    authority: list[str]  # the issuer, upper case, one item per line
    number_line: str  # "Số: 1067/UBND-VHTT"
    place_date: str  # "Cẩm Thủy, ngày 24 tháng 4 năm 2024"
    addressees: list[str]  # "- …;" lines, or one line written after "Kính gửi:"
    addressed_inline: bool = True
    distribution: list[str] = field(default_factory=lambda: ["- Như trên;", "- Lưu: VT."])
    signing: list[str] = field(default_factory=list)  # "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"
    signer: str = ""
    subject_line: str = ""  # a letter's "V/v …", under its number
    country: str = COUNTRY
    motto: str = MOTTO

    @property
    def authority_rule_mm(self) -> int:
        return rule_width(self.authority)


# --- Dates and places ------------------------------------------------------------------------


def vietnamese_date(value: date | None) -> str:
    """``ngày 03 tháng 11 năm 2021``: the decree pads days below 10 and months 1 and 2."""
    if value is None:
        return "ngày     tháng     năm 20.."
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"


def place_date(place: str, day: date | None) -> str:
    """ "Cẩm Thủy, ngày 24 tháng 4 năm 2024"; a blank date is left for the pen."""
    return f"{place}, {vietnamese_date(day)}"


def number_line(number: str | None, symbol: str) -> str:
    """ "Số: 1067/UBND-VHTT"; a number not yet given is left blank for the clerk (văn thư)
    to write in when the document is issued."""
    return f"Số: {number.strip() if number else '     '}/{symbol}"


# The word a unit's type is written with inside a name ("Ủy ban nhân dân tỉnh Thanh Hóa").
# The two-tier list names provinces without it ("Thanh Hóa", since 01/07/2025) where the
# three-tier list wrote "Tỉnh Thanh Hóa": the header must read the same for both.
_TYPE_WORDS: dict[str, str] = {
    UnitType.CENTRAL_CITY: "thành phố",
    UnitType.PROVINCE: "tỉnh",
    UnitType.CITY: "thành phố",
    UnitType.URBAN_DISTRICT: "quận",
    UnitType.RURAL_DISTRICT: "huyện",
    UnitType.TOWN: "thị xã",
    UnitType.COMMUNE: "xã",
    UnitType.WARD: "phường",
    UnitType.TOWNSHIP: "thị trấn",
    UnitType.SPECIAL_ZONE: "đặc khu",
}


def place_in_sentence(unit: AdministrativeUnit) -> str:
    """ "tỉnh Thanh Hóa" for "Tỉnh Thanh Hóa" and for the two-tier "Thanh Hóa" alike."""
    name = " ".join(unit.name.split())
    written = in_sentence(name)
    if written != name:
        return written
    # TextChoices members are their values: the stored "tinh" finds UnitType.PROVINCE.
    word = _TYPE_WORDS.get(unit.unit_type)
    return f"{word} {name}" if word else name


# --- The issuer block ------------------------------------------------------------------------


def upper(text: str) -> str:
    """Upper case in NFC, as the header writes names."""
    return unicodedata.normalize("NFC", text.upper())


def _split_kind(name: str) -> tuple[tuple[str, str] | None, str]:
    """``("ỦY BAN NHÂN DÂN", "UBND"), "huyện Cẩm Thủy"`` for a People's Committee's name."""
    words = name.split()
    for size in (4, 1):
        if len(words) > size and fold(" ".join(words[:size])) in _TWO_LINE_KINDS:
            return _TWO_LINE_KINDS[fold(" ".join(words[:size]))], " ".join(words[size:])
    return None, name


def _place_with_type(rest: str, unit: AdministrativeUnit) -> str:
    """ "thanh hóa" of "UBND Thanh Hóa" becomes "tỉnh Thanh Hóa": a People's Committee's
    place always carries its type (Decree 30/2020 writes "UBND TỈNH …", never "UBND …")."""
    if fold(rest) == fold(bare_name(unit.name)):
        return place_in_sentence(unit)
    return rest


def issuer_lines(issuer: Body) -> tuple[str, list[str]]:
    """The supervising body's line and the issuer's lines of the header, upper case, for the
    body as given (a caller that dates its document passes the body as it stood then).

    It reads the same for the three-tier names ("Tỉnh Thanh Hóa") and the two-tier ones
    ("Thanh Hóa"): "UBND TỈNH THANH HÓA" / "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH" either way.
    """
    supervising = ""
    name = " ".join(issuer.name.split())
    # Decree 30/2020 writes the superior's name above a body that belongs to one (a
    # department under its People's Committee), never above a People's Committee or Council:
    # "ỦY BAN NHÂN DÂN / XÃ CẨM NGỌC" stands alone, as letter 000 shows.
    elected = issuer.kind in (BodyKind.PEOPLES_COMMITTEE, BodyKind.PEOPLES_COUNCIL)
    superior = None if elected else issuer.supervising_body
    if superior is not None:
        kind, rest = _split_kind(" ".join(superior.name.split()))
        if kind:
            rest = _place_with_type(rest, superior.unit)
        supervising = upper(f"{kind[1]} {rest}" if kind else rest)
        # "Phòng Văn hóa và Thông tin huyện Cẩm Thủy" under "UBND HUYỆN CẨM THỦY", and
        # "Sở Văn hóa, Thể thao và Du lịch tỉnh Thanh Hóa" under "UBND TỈNH THANH HÓA": the
        # place, with its type word, is said on the line above, as the letters do. The place
        # is tried with its type first, so that no "TỈNH" is left dangling at the end.
        bare = fold(bare_name(issuer.unit.name))
        if fold(supervising).endswith(" " + bare):
            for place in (place_in_sentence(issuer.unit), bare_name(issuer.unit.name)):
                words = place.split()
                if fold(name).endswith(" " + fold(place)) and len(name.split()) > len(words):
                    name = " ".join(name.split()[: -len(words)])
                    break
    kind, rest = _split_kind(name)
    if kind:
        rest = _place_with_type(rest, issuer.unit)
    lines = [kind[0], upper(rest)] if kind else [upper(name)]
    return supervising, lines


# --- Lists: "Kính gửi" and "Nơi nhận" --------------------------------------------------------


def text_lines(text: str) -> list[str]:
    """The non-blank lines of ``text``, each with its runs of spaces made single."""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def list_entries(text: str) -> list[str]:
    """List lines without their dash and final punctuation: ``- Như trên;`` → ``Như trên``."""
    entries = []
    for line in text_lines(text):
        entry = _END_MARK.sub("", _LIST_MARK.sub("", line))
        if entry:
            entries.append(entry)
    return entries


def as_list(entries: list[str]) -> list[str]:
    """``["- Như trên;", "- Lưu: VT."]``: dashes, semicolons, a full stop at the end."""
    return [f"- {entry}{'.' if i == len(entries) - 1 else ';'}" for i, entry in enumerate(entries)]


def addressees(entries: list[str]) -> tuple[list[str], bool]:
    """The "Kính gửi" lines and whether they are one line written after "Kính gửi:" (a
    single addressee) rather than a list under it."""
    if len(entries) == 1:
        return [f"{entries[0]}."], True
    return as_list(entries), False


def distribution(entries: list[str]) -> list[str]:
    """The "Nơi nhận" list: the file copy ("Lưu: VT, …") closes it, whatever order it was
    typed in, and is added when missing."""
    kept = [entry for entry in entries if not fold(entry).startswith("luu")]
    filed = [entry for entry in entries if fold(entry).startswith("luu")] or ["Lưu: VT"]
    return as_list(kept + filed)
