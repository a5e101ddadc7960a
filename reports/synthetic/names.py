"""Names the way Vietnamese bodies and people are named, for the synthetic registry."""

from __future__ import annotations

import random
import re

from portal.text import fold
from units.models import BodyKind

_PREFIXES = ("Thành phố ", "Thị trấn ", "Thị xã ", "Tỉnh ", "Huyện ", "Quận ", "Xã ", "Phường ")


_PARTY = {
    "Tỉnh ": "Tỉnh ủy",
    "Thành phố ": "Thành ủy",
    "Huyện ": "Huyện ủy",
    "Quận ": "Quận ủy",
    "Thị xã ": "Thị ủy",
}


K = BodyKind


# ({u}: "xã Cẩm Ngọc", {b}: "Cẩm Ngọc", {p}: "Huyện ủy"), kind. The first ones come first.
_TEMPLATES: dict[str, list[tuple[str, str]]] = {
    "commune": [
        ("UBND {u}", K.PEOPLES_COMMITTEE),
        ("HĐND {u}", K.PEOPLES_COUNCIL),
        ("Đảng ủy {u}", K.PARTY_ORGANISATION),
        ("Trạm Y tế {u}", K.PUBLIC_SERVICE_UNIT),
        ("Trường THCS {b}", K.PUBLIC_SERVICE_UNIT),
        ("Trường Tiểu học {b}", K.PUBLIC_SERVICE_UNIT),
        ("Trường Mầm non {b}", K.PUBLIC_SERVICE_UNIT),
        ("Ủy ban MTTQ Việt Nam {u}", K.MASS_ORGANISATION),
        ("Đoàn Thanh niên {u}", K.MASS_ORGANISATION),
        ("Hội Liên hiệp Phụ nữ {u}", K.MASS_ORGANISATION),
        ("Hội Nông dân {u}", K.MASS_ORGANISATION),
        ("Hội Cựu chiến binh {u}", K.MASS_ORGANISATION),
        ("Công an {u}", K.OTHER),
        ("Ban Chỉ huy Quân sự {u}", K.OTHER),
    ],
    "district": [
        ("UBND {u}", K.PEOPLES_COMMITTEE),
        ("HĐND {u}", K.PEOPLES_COUNCIL),
        ("{p} {b}", K.PARTY_ORGANISATION),
        ("Văn phòng HĐND và UBND {u}", K.DEPARTMENT),
        ("Phòng Văn hóa và Thông tin {u}", K.DEPARTMENT),
        ("Phòng Giáo dục và Đào tạo {u}", K.DEPARTMENT),
        ("Phòng Nội vụ {u}", K.DEPARTMENT),
        ("Phòng Tư pháp {u}", K.DEPARTMENT),
        ("Phòng Tài chính - Kế hoạch {u}", K.DEPARTMENT),
        ("Phòng Tài nguyên và Môi trường {u}", K.DEPARTMENT),
        ("Phòng Lao động - Thương binh và Xã hội {u}", K.DEPARTMENT),
        ("Phòng Y tế {u}", K.DEPARTMENT),
        ("Thanh tra {u}", K.DEPARTMENT),
        ("Trung tâm Y tế {u}", K.PUBLIC_SERVICE_UNIT),
        ("Trung tâm Văn hóa, Thông tin và Thể thao {u}", K.PUBLIC_SERVICE_UNIT),
        ("Trung tâm Giáo dục nghề nghiệp - GDTX {u}", K.PUBLIC_SERVICE_UNIT),
        ("Bệnh viện Đa khoa {u}", K.PUBLIC_SERVICE_UNIT),
        ("Trường THPT {b}", K.PUBLIC_SERVICE_UNIT),
        ("Ủy ban MTTQ Việt Nam {u}", K.MASS_ORGANISATION),
        ("Đoàn Thanh niên {u}", K.MASS_ORGANISATION),
        ("Hội Liên hiệp Phụ nữ {u}", K.MASS_ORGANISATION),
        ("Công an {u}", K.OTHER),
        ("Ban Chỉ huy Quân sự {u}", K.OTHER),
    ],
    "province": [
        ("UBND {u}", K.PEOPLES_COMMITTEE),
        ("HĐND {u}", K.PEOPLES_COUNCIL),
        ("{p} {b}", K.PARTY_ORGANISATION),
        ("Văn phòng UBND {u}", K.DEPARTMENT),
        ("Sở Thông tin và Truyền thông {u}", K.DEPARTMENT),
        ("Sở Giáo dục và Đào tạo {u}", K.DEPARTMENT),
        ("Sở Y tế {u}", K.DEPARTMENT),
        ("Sở Nội vụ {u}", K.DEPARTMENT),
        ("Sở Tư pháp {u}", K.DEPARTMENT),
        ("Sở Tài chính {u}", K.DEPARTMENT),
        ("Sở Kế hoạch và Đầu tư {u}", K.DEPARTMENT),
        ("Sở Công Thương {u}", K.DEPARTMENT),
        ("Sở Xây dựng {u}", K.DEPARTMENT),
        ("Sở Giao thông vận tải {u}", K.DEPARTMENT),
        ("Sở Nông nghiệp và Phát triển nông thôn {u}", K.DEPARTMENT),
        ("Sở Tài nguyên và Môi trường {u}", K.DEPARTMENT),
        ("Sở Lao động - Thương binh và Xã hội {u}", K.DEPARTMENT),
        ("Sở Văn hóa, Thể thao và Du lịch {u}", K.DEPARTMENT),
        ("Sở Khoa học và Công nghệ {u}", K.DEPARTMENT),
        ("Thanh tra {u}", K.DEPARTMENT),
        ("Báo {b}", K.PRESS_AGENCY),
        ("Đài Phát thanh và Truyền hình {b}", K.PRESS_AGENCY),
        ("Bệnh viện Đa khoa {u}", K.PUBLIC_SERVICE_UNIT),
        ("Trung tâm Kiểm soát bệnh tật {u}", K.PUBLIC_SERVICE_UNIT),
        ("Ủy ban MTTQ Việt Nam {u}", K.MASS_ORGANISATION),
        ("Tỉnh đoàn {b}", K.MASS_ORGANISATION),
        ("Hội Liên hiệp Phụ nữ {u}", K.MASS_ORGANISATION),
        ("Công an {u}", K.OTHER),
        ("Bộ Chỉ huy Quân sự {u}", K.OTHER),
        ("Công ty TNHH MTV Thủy lợi {b}", K.STATE_ENTERPRISE),
    ],
}


# Once the templates are used up: numbered bodies, cycling through these ({i}: 1, 2, …).
_EXTRAS: dict[str, list[tuple[str, str]]] = {
    "commune": [
        ("Ban công tác Mặt trận thôn {i}, {u}", K.VILLAGE_BOARD),
        ("Trường Tiểu học {b} số {i}", K.PUBLIC_SERVICE_UNIT),
    ],
    "district": [
        ("Trường THCS {b} số {i}", K.PUBLIC_SERVICE_UNIT),
        ("Trường THPT {b} số {i}", K.PUBLIC_SERVICE_UNIT),
    ],
    "province": [
        ("Trường THPT chuyên {b} số {i}", K.PUBLIC_SERVICE_UNIT),
        ("Trung tâm Y tế khu vực {i} {u}", K.PUBLIC_SERVICE_UNIT),
    ],
}


_ABBREVIATIONS = {
    K.PEOPLES_COMMITTEE: "UBND",
    K.PEOPLES_COUNCIL: "HĐND",
    K.PARTY_ORGANISATION: "ĐU",
    K.DEPARTMENT: "VP",
    K.PUBLIC_SERVICE_UNIT: "ĐV",
    K.MASS_ORGANISATION: "MT",
    K.PRESS_AGENCY: "BBT",
    K.STATE_ENTERPRISE: "CT",
    K.VILLAGE_BOARD: "BCT",
    K.OTHER: "VP",
}


# A body's pages, in this order of platforms (a fifth page is a second Facebook page …).
_PLATFORM_ORDER = ("facebook", "zalo", "youtube", "tiktok")


_SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Trịnh",
    "Đinh",
]


_MIDDLES = [
    "Văn",
    "Thị",
    "Hữu",
    "Đức",
    "Minh",
    "Thanh",
    "Ngọc",
    "Quang",
    "Thu",
    "Hoài",
    "Xuân",
    "Kim",
]


_GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hoa",
    "Hùng",
    "Hương",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phong",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Trang",
    "Trung",
    "Tuấn",
    "Vân",
    "Yến",
]


_POSITIONS = (
    "Chánh Văn phòng",
    "Phó Chánh Văn phòng",
    "Chuyên viên",
    "Công chức Văn hóa - Xã hội",
    "Văn thư",
)


_RESPONSIBLE = ("Văn phòng", "Bộ phận Văn hóa - Thông tin", "Tổ biên tập trang", "Bộ phận Một cửa")


def _names(unit_name: str) -> dict[str, str]:
    for prefix in _PREFIXES:
        if unit_name.startswith(prefix):
            bare = unit_name[len(prefix) :]
            return {"u": prefix.lower() + bare, "b": bare, "p": _PARTY.get(prefix, "Đảng ủy")}
    return {"u": unit_name, "b": unit_name, "p": "Đảng ủy"}


def _slug(text: str, width: int = 16) -> str:
    # 16 letters + 7 digits: within every platform's handle rules (TikTok: 24 at most).
    return re.sub(r"[^a-z0-9]", "", fold(text))[:width] or "trang"


def _phone(rng: random.Random) -> str:
    return f"09{rng.randint(0, 99):02d} {rng.randint(0, 999):03d} {rng.randint(0, 999):03d}"


def _person(rng: random.Random) -> str:
    return f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLES)} {rng.choice(_GIVEN)}"
