"""What the build's statements share: table names, figure names, and the statements that
read the same whether the registry is read now or as it stood (flags, incidents)."""

from __future__ import annotations

# Every piece put into these statements by string formatting is a table or column name from
# the models' metadata, or a choice constant of the models: values always go as parameters.
# ruff: noqa: S608
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Model

from incidents.models import IncidentState

# Runs one statement of the build with its parameters, and returns its row count.
Run = Callable[..., int]


@dataclass(frozen=True)
class Sources:
    """The queries the rows are written from, once the bodies are in ``_rb_body``: the live
    pages with their gap flags, the incidents of the period per body."""

    pages: str
    incidents: str


# Temporary tables of one batch, dropped at its end (and with the transaction if it fails).
TEMP = "_rb_target, _rb_child, _rb_placed, _rb_contact, _rb_body"

DECLARED_COUNTS = (
    "impersonation_scans",
    "fake_pages_found",
    "fake_pages_reported",
    "fake_pages_taken_down",
    "dissemination_sessions",
    "participants",
    "positive_posts",
    "comments_answered",
)

# The pages with a contact of their own (else a page has its body's default contact, if any).
OWN_CONTACTS = "SELECT DISTINCT body_id, page_id FROM _rb_contact WHERE page_id IS NOT NULL"


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def history_table(model: type[Model]) -> str:
    return connection.ops.quote_name(model.history.model._meta.db_table)  # type: ignore[attr-defined]


def hours_sql(interval: str) -> str:
    """A summed interval as hours rounded to two decimals (exact, half away from zero)."""
    return f"round(extract(epoch FROM {interval}) / 3600, 2)::double precision"


def bodies_with_flags(run: Run, p: dict[str, Any], rules: str) -> None:
    """The placed bodies with has-contact, contact-notified, has-rules (grouped joins);
    ``rules`` selects the ids of the bodies with posting rules in force."""
    run(
        f"""CREATE TEMPORARY TABLE _rb_body ON COMMIT DROP AS
        SELECT b.*, c.body_id IS NOT NULL AS has_contact,
            COALESCE(c.notified, false) AS contact_notified,
            COALESCE(c.has_default, false) AS has_default_contact,
            r.body_id IS NOT NULL AS has_rules
        FROM _rb_placed b
        LEFT JOIN (SELECT body_id, bool_or(notified) AS notified,
                          bool_or(page_id IS NULL) AS has_default
                   FROM _rb_contact GROUP BY body_id) c ON c.body_id = b.body_id
        LEFT JOIN ({rules}) r ON r.body_id = b.body_id""",
        p,
    )


def incidents(source: str) -> str:
    """Per body, the incidents discovered, reported and resolved in [starts, ends): a query
    for the body rows' statement (``rows.insert_body_rows``)."""

    def within(column: str) -> str:
        return f"(i.{column} >= %(starts)s AND i.{column} < %(ends)s)"

    hours = hours_sql(
        f"sum(i.reported_to_platform_at - i.discovered_at) FILTER "
        f"(WHERE {within('reported_to_platform_at')})"
    )
    return f"""SELECT i.body_id,
            count(*) FILTER (WHERE {within("discovered_at")}) AS opened,
            count(*) FILTER (WHERE {within("reported_to_platform_at")}) AS reported,
            count(*) FILTER (WHERE {within("closed_at")}
                             AND i.state = '{IncidentState.RESOLVED}') AS resolved,
            {hours} AS hours
        FROM {source}
          AND ({within("discovered_at")} OR {within("reported_to_platform_at")}
               OR {within("closed_at")})
        GROUP BY i.body_id"""
