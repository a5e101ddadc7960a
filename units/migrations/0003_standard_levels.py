"""Install Vietnam's three standard levels; more can be added as data."""

from __future__ import annotations

from django.db import migrations

from units.standard_levels import install


def install_levels(apps, schema_editor):  # type: ignore[no-untyped-def]
    install(apps.get_model("units", "UnitLevel"))


class Migration(migrations.Migration):
    dependencies = [("units", "0002_initial")]
    operations = [migrations.RunPython(install_levels, migrations.RunPython.noop)]
