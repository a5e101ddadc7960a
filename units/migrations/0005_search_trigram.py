"""Trigram indexes on the folded names of units and bodies (PostgreSQL only; units/search.py)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from units.search import trigram_index


class Migration(migrations.Migration):
    dependencies = [
        ("units", "0004_reorganisation_plan"),
    ]

    operations = [
        # Does nothing on SQLite.
        TrigramExtension(),
        trigram_index(table="units_administrativeunit", name="unit_search_trgm"),
        trigram_index(table="units_body", name="body_search_trgm"),
    ]
