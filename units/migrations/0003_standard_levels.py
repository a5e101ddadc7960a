"""Install Vietnam's three standard levels; more can be added as data."""

from __future__ import annotations

from django.db import migrations

LEVELS = [
    ("province", "Tỉnh / Thành phố trực thuộc trung ương", "Province", 1, 2),
    ("district", "Huyện / Quận / Thị xã / Thành phố thuộc tỉnh", "District", 2, 3),
    ("commune", "Xã / Phường / Thị trấn", "Commune", 3, 5),
]


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    UnitLevel = apps.get_model("units", "UnitLevel")
    for code, name, name_en, rank, width in LEVELS:
        UnitLevel.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "rank": rank, "code_width": width}
        )


class Migration(migrations.Migration):
    dependencies = [("units", "0002_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
