"""Vietnam's standard levels, installed by a migration; more levels can be added as data."""

from __future__ import annotations

from typing import Any

# (code, Vietnamese name, English name, rank, width of official codes)
STANDARD_LEVELS = [
    ("province", "Cấp tỉnh", "Province level", 1, 2),
    ("district", "Cấp huyện", "District level", 2, 3),
    ("commune", "Cấp xã", "Commune level", 3, 5),
]


def install(level_model: Any) -> None:
    """Create or update the standard levels (``level_model`` may be a migration's model)."""
    for code, name, name_en, rank, width in STANDARD_LEVELS:
        level_model.objects.update_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "rank": rank, "code_width": width},
        )
