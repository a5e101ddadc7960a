"""Name search at national scale: trigram indexes on the folded ``search_name`` columns.

Units, bodies and pages keep a folded copy of their names in ``search_name`` (lower case,
no diacritics, NFC before folding: ``portal.text.fold``), written by ``save()`` and by every
bulk writer (importers, the reconciler, reorganisations, the synthetic generator). A search
folds what was typed the same way and asks for rows whose ``search_name`` contains each word.

On PostgreSQL ``LIKE '%word%'`` over 100,000 bodies or 150,000 pages is a sequential scan;
a GIN index with ``gin_trgm_ops`` (extension ``pg_trgm``) answers it from the index for any
word of three letters or more. The indexes are created by migrations through
``trigram_index`` below, on PostgreSQL only: the embedded SQLite default keeps the plain
``LIKE`` on the same folded column, which is fast enough for a demo's few thousand rows.
The indexes are not declared in the models' ``Meta``: Django would then try to build them
on SQLite too, where ``USING gin`` does not exist.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import migrations
from django.db.models import Model, QuerySet
from django.db.models.functions import Length

from portal.search import search_words
from portal.text import fold

M = TypeVar("M", bound=Model)


def trigram_index(*, table: str, name: str, column: str = "search_name") -> migrations.RunPython:
    """A migration step creating (and dropping) a trigram GIN index, on PostgreSQL only.

    The step needs ``pg_trgm``: put ``TrigramExtension()`` (or a dependency on
    ``units.0005_search_trigram``, which has it) before it.
    """

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        quote = schema_editor.quote_name
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(table)} "
            f"USING gin ({quote(column)} gin_trgm_ops)"
        )

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")

    return migrations.RunPython(forwards, backwards, elidable=False)


def matching(queryset: QuerySet[M], text: str, *, column: str = "search_name") -> QuerySet[M]:
    """Rows whose folded ``column`` contains every word of ``text``, in any order.

    "ubnd cam ngoc", "UBND Cẩm Ngọc" and the same words typed in NFD all find
    "Ủy ban nhân dân xã Cẩm Ngọc" when its folded name holds them. Each word is one
    ``LIKE '%word%'`` that the trigram index answers on PostgreSQL.
    """
    for word in search_words(text):
        queryset = queryset.filter(**{f"{column}__contains": word})
    return queryset


def best_first(queryset: QuerySet[M], *, column: str = "search_name") -> QuerySet[M]:
    """Shorter names first (the closest to what was typed), then by name: a stable order."""
    return queryset.order_by(Length(column), column, "pk")


def exact(candidates: list[M], text: str, *, attribute: str = "name") -> M | None:
    """The one candidate whose whole name is what was typed (case and accents aside)."""
    wanted = fold(text)
    found = [item for item in candidates if fold(str(getattr(item, attribute))) == wanted]
    return found[0] if len(found) == 1 else None
