"""The registry list's search document of each page, kept by the triggers of 0007.

``SocialPage.staff_search_document`` holds the page's folded name and address and its body's
folded names, separated by a space: what the staff list's search (``/registry/pages/?q=``,
the registry API's ``q``) has always matched, word by word — the page's or the body's name,
not the units' (``accounts_registry.selectors.pages.filter_pages``). One column, one trigram
index (``page_staff_document_trgm``), one ``LIKE '%word%'`` per word, instead of two
sub-queries per word (pages by name, bodies by name) that the planner could only join back
by reading every page.

The page's row trigger of 0007 now writes both documents, and also fires when this column is
written (whatever Django writes there is replaced). The bodies' triggers of 0007 already
rewrite the pages of a body whose ``search_name`` changed; the units' trigger rewrites pages
whose staff document does not change, at no harm. PostgreSQL only, as 0007: on SQLite the
column stays empty and the list keeps its two sub-queries per word.
"""

from typing import Any

from django.db import migrations, models

from units.search import trigram_index

PAGES = "accounts_registry_socialpage"

FORWARDS = """
CREATE OR REPLACE FUNCTION accounts_registry_page_search_document() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    body_name text;
    unit_names text;
BEGIN
    SELECT b.search_name, (
        SELECT string_agg(a.search_name, ' ' ORDER BY a.depth DESC)
        FROM units_administrativeunit a
        WHERE a.id = ANY (string_to_array(rtrim(u.path, '.'), '.')::bigint[])
    )
    INTO body_name, unit_names
    FROM units_body b
    JOIN units_administrativeunit u ON u.id = b.unit_id
    WHERE b.id = NEW.body_id;
    -- The directory's: the page, its body, the body's unit and every unit above it.
    -- (Without its body, as fixtures may load it, the page's own names only.)
    NEW.search_document := concat_ws(
        ' ', NEW.search_name, CASE WHEN FOUND THEN concat_ws(' ', body_name, unit_names) END
    );
    -- The registry list's: the page and its body only.
    NEW.staff_search_document := concat_ws(' ', NEW.search_name, body_name);
    RETURN NEW;
END
$$;

DROP TRIGGER page_search_document ON accounts_registry_socialpage;
CREATE TRIGGER page_search_document
BEFORE INSERT OR UPDATE OF body_id, search_name, search_document, staff_search_document
ON accounts_registry_socialpage
FOR EACH ROW EXECUTE FUNCTION accounts_registry_page_search_document();

-- The pages already there.
UPDATE accounts_registry_socialpage SET body_id = body_id;
"""

# 0007's function and trigger, as they were.
BACKWARDS = """
CREATE OR REPLACE FUNCTION accounts_registry_page_search_document() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
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

DROP TRIGGER page_search_document ON accounts_registry_socialpage;
CREATE TRIGGER page_search_document
BEFORE INSERT OR UPDATE OF body_id, search_name, search_document ON accounts_registry_socialpage
FOR EACH ROW EXECUTE FUNCTION accounts_registry_page_search_document();
"""


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARDS)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARDS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts_registry", "0007_page_search_document"),
    ]

    operations = [
        migrations.AddField(
            model_name="socialpage",
            name="staff_search_document",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
        # After the documents are written: one build of the index, not 150,000 updates.
        trigram_index(table=PAGES, name="page_staff_document_trgm", column="staff_search_document"),
    ]
