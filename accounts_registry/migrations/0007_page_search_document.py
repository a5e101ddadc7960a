"""The directory's search document of each page, kept in step by PostgreSQL triggers.

``SocialPage.search_document`` holds the page's folded name and address, its body's folded
names and the folded names of the body's unit and of every unit above it, separated by
spaces: one column, one trigram index (``page_document_trgm``), one ``LIKE '%word%'`` per
word of a directory search (``accounts_registry.selectors.public``).

It is written by the database, whoever writes the rows (``save()``, ``bulk_create``,
``bulk_update``, ``QuerySet.update``, the division importers, the reconciler,
reorganisations, the synthetic generator, fixtures):

- a page's row trigger computes it before every insert and every update that sets its body,
  its ``search_name`` or the document itself (whatever was written there is replaced);
- a statement trigger on bodies touches (``SET body_id = body_id``, which runs the page
  trigger) the pages of the bodies inserted, or whose ``search_name`` or unit changed;
- a statement trigger on units touches the pages of the bodies in every unit whose
  ``search_name`` or ``path`` changed, or below it (one prefix range of the path index per
  changed unit: a renamed province touches its pages once, however many of its units moved).

PostgreSQL only: on SQLite the column stays empty and the directory keeps searching the
three tables (``directory_pages``). A ``pg_restore`` loads the rows with their documents
before it creates the triggers, so a restored backup is in step too.
"""

from typing import Any

from django.db import migrations, models

from units.search import trigram_index

PAGES = "accounts_registry_socialpage"

FORWARDS = """
CREATE FUNCTION accounts_registry_page_search_document() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- The body's unit and the units above it are the steps of the unit's path.
    NEW.search_document := concat_ws(' ', NEW.search_name, (
        SELECT concat_ws(' ', b.search_name, (
            SELECT string_agg(a.search_name, ' ' ORDER BY a.depth DESC)
            FROM units_administrativeunit a
            WHERE a.id = ANY (string_to_array(rtrim(u.path, '.'), '.')::bigint[])
        ))
        FROM units_body b
        JOIN units_administrativeunit u ON u.id = b.unit_id
        WHERE b.id = NEW.body_id
    ));
    RETURN NEW;
END
$$;

CREATE TRIGGER page_search_document
BEFORE INSERT OR UPDATE OF body_id, search_name, search_document ON accounts_registry_socialpage
FOR EACH ROW EXECUTE FUNCTION accounts_registry_page_search_document();

CREATE FUNCTION accounts_registry_body_inserted_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Pages are normally created after their body; fixtures may load them first.
    UPDATE accounts_registry_socialpage p SET body_id = p.body_id
    WHERE p.body_id IN (SELECT n.id FROM new_rows n);
    RETURN NULL;
END
$$;

CREATE TRIGGER body_inserted_search
AFTER INSERT ON units_body REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION accounts_registry_body_inserted_search();

CREATE FUNCTION accounts_registry_body_updated_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE accounts_registry_socialpage p SET body_id = p.body_id
    WHERE p.body_id IN (
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.search_name IS DISTINCT FROM o.search_name
           OR n.unit_id IS DISTINCT FROM o.unit_id
    );
    RETURN NULL;
END
$$;

CREATE TRIGGER body_updated_search
AFTER UPDATE ON units_body REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION accounts_registry_body_updated_search();

CREATE FUNCTION accounts_registry_unit_updated_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- A unit is under a changed one when its path starts with the changed unit's path:
    -- ~>=~ and ~<~ compare bytes, as the path index (varchar_pattern_ops) is sorted.
    UPDATE accounts_registry_socialpage p SET body_id = p.body_id
    FROM units_body b
    WHERE p.body_id = b.id AND b.unit_id IN (
        SELECT u.id
        FROM new_rows n
        JOIN old_rows o ON o.id = n.id
        JOIN units_administrativeunit u
          ON u.path ~>=~ n.path::text AND u.path ~<~ (n.path || '~')::text
        WHERE n.path <> ''
          AND (n.search_name IS DISTINCT FROM o.search_name OR n.path IS DISTINCT FROM o.path)
    );
    RETURN NULL;
END
$$;

CREATE TRIGGER unit_updated_search
AFTER UPDATE ON units_administrativeunit REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION accounts_registry_unit_updated_search();

-- The pages already there.
UPDATE accounts_registry_socialpage SET body_id = body_id;
"""

BACKWARDS = """
DROP TRIGGER IF EXISTS unit_updated_search ON units_administrativeunit;
DROP FUNCTION IF EXISTS accounts_registry_unit_updated_search();
DROP TRIGGER IF EXISTS body_updated_search ON units_body;
DROP FUNCTION IF EXISTS accounts_registry_body_updated_search();
DROP TRIGGER IF EXISTS body_inserted_search ON units_body;
DROP FUNCTION IF EXISTS accounts_registry_body_inserted_search();
DROP TRIGGER IF EXISTS page_search_document ON accounts_registry_socialpage;
DROP FUNCTION IF EXISTS accounts_registry_page_search_document();
"""


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARDS)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARDS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts_registry", "0006_spokesperson"),
        ("units", "0005_search_trigram"),
    ]

    operations = [
        migrations.AddField(
            model_name="socialpage",
            name="search_document",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
        # After the pages' documents are written: one build of the index, not 150,000 updates.
        trigram_index(table=PAGES, name="page_document_trgm", column="search_document"),
    ]
