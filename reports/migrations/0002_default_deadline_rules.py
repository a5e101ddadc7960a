"""Install the default deadline rules: communes +5, districts +10, the province +15 days."""

from django.db import migrations


def install(apps, schema_editor):
    from reports.periods import install_default_rules

    install_default_rules(apps.get_model("reports", "DeadlineRule"), apps.get_model("units", "UnitLevel"))


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("units", "0003_standard_levels"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
