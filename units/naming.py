"""How the names of administrative units read in running text and in letter headings.

Official names carry their type in front ("Xã Cẩm Ngọc", "Huyện Cẩm Thủy"); inside a body's
name or a letter's place line the type is written in lower case or left out.
"""

from __future__ import annotations

# Longest first, so that "Thành phố" wins over a shorter prefix of the same words.
_TYPE_PREFIXES = sorted(
    ("Thành phố", "Thị trấn", "Thị xã", "Tỉnh", "Huyện", "Quận", "Xã", "Phường", "Đặc khu"),
    key=len,
    reverse=True,
)


def in_sentence(unit_name: str) -> str:
    """ "Xã Cẩm Ngọc" → "xã Cẩm Ngọc": a unit's name as it reads inside a body's name."""
    for prefix in _TYPE_PREFIXES:
        if unit_name.startswith(prefix + " "):
            return prefix.lower() + unit_name[len(prefix) :]
    return unit_name


def bare_name(unit_name: str) -> str:
    """ "Huyện Cẩm Thủy" → "Cẩm Thủy"."""
    for prefix in _TYPE_PREFIXES:
        if unit_name.startswith(prefix + " "):
            return unit_name[len(prefix) + 1 :]
    return unit_name
