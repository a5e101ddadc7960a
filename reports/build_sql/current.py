"""The registry as it is now: the bodies, contacts, rules, pages and incidents of a period
not over yet, read from the current rows."""

from __future__ import annotations

# ruff: noqa: S608 - table and column names and choice constants only (see common)
from typing import Any

from accounts_registry.models import ContactPerson, PageState, Platform, PostingRules, SocialPage
from incidents.models import Incident
from reports.build_sql.common import (
    OWN_CONTACTS,
    Run,
    Sources,
    bodies_with_flags,
    incidents,
    table,
)
from units.models import Body


def current_registry(run: Run, p: dict[str, Any]) -> Sources:
    """The bodies and contacts into temporary tables; returns the queries of the pages and
    of the incidents per body, for ``rows``."""
    run(
        f"""CREATE TEMPORARY TABLE _rb_placed ON COMMIT DROP AS
        SELECT t.report_id, b.id AS body_id, b.name, b.kind, b.unit_id, t.unit_name
        FROM {table(Body)} b JOIN _rb_target t ON t.unit_id = b.unit_id
        WHERE b.archived_at IS NULL OR b.archived_at >= %(ends)s""",
        p,
    )
    run(
        f"""CREATE TEMPORARY TABLE _rb_contact ON COMMIT DROP AS
        SELECT c.body_id, c.page_id,
            (c.notice_number <> '' AND c.notice_date IS NOT NULL) AS notified
        FROM {table(ContactPerson)} c
        WHERE c.archived_at IS NULL AND c.body_id IN (SELECT body_id FROM _rb_placed)"""
    )
    bodies_with_flags(
        run,
        p,
        f"""SELECT DISTINCT r.body_id FROM {table(PostingRules)} r
        WHERE r.superseded_at IS NULL AND r.body_id IN (SELECT body_id FROM _rb_placed)""",
    )
    pages = f"""SELECT g.id AS page_id, g.body_id, f.name AS platform, g.url, g.display_name AS name,
            g.state, g.is_platform_verified AS verified,
            (b.has_default_contact OR own.page_id IS NOT NULL) AS has_contact,
            g.responsible_unit <> '' AS has_responsible_unit,
            COALESCE(g.state = '{PageState.APPROVED}' AND g.confirmed_at < %(cutoff)s, false)
                AS needs_review
        FROM {table(SocialPage)} g
        JOIN _rb_body b ON b.body_id = g.body_id
        JOIN {table(Platform)} f ON f.id = g.platform_id
        LEFT JOIN ({OWN_CONTACTS}) own ON own.body_id = g.body_id AND own.page_id = g.id
        WHERE g.state <> '{PageState.ARCHIVED}'"""
    return Sources(
        pages=pages,
        incidents=incidents(
            table(Incident) + " i WHERE i.body_id IN (SELECT body_id FROM _rb_body)"
        ),
    )
