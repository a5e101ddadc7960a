"""Install the standard platforms; more can be added as data."""

from __future__ import annotations

from django.db import migrations

from accounts_registry.standard_platforms import install


def install_platforms(apps, schema_editor):  # type: ignore[no-untyped-def]
    install(apps.get_model("accounts_registry", "Platform"))


class Migration(migrations.Migration):
    dependencies = [("accounts_registry", "0001_initial")]
    operations = [migrations.RunPython(install_platforms, migrations.RunPython.noop)]
