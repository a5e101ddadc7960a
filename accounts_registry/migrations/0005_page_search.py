"""A trigram index on the pages' folded name and address (PostgreSQL only; units/search.py)."""

from django.db import migrations

from units.search import trigram_index


class Migration(migrations.Migration):
    dependencies = [
        ("accounts_registry", "0004_page_verify_indexes"),
        ("units", "0005_search_trigram"),
    ]

    operations = [
        trigram_index(table="accounts_registry_socialpage", name="page_search_trgm"),
    ]
