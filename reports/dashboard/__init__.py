"""The compliance dashboard of one unit (or of a user's whole scope) for one period.

``build_dashboard(user, unit=..., period=...)`` reads everything the page shows, with a fixed
number of queries whatever the size of the subtree: a district of 3 communes and a province
of 600 cost the same. Every count is an aggregate (``Count`` / ``Sum`` with ``filter=``)
over a subtree taken as a path prefix, grouped in SQL; nothing runs per child, body or page.

Four parts:

- **completeness and timeliness** of the units directly below, from their ``UnitReport``
  rows for the period (one query: a report may not exist yet, or be a draft, so the shown
  unit's ``ReportChildRow`` snapshot is not enough), and the same counts for everything
  further below each of them (one grouped query);
- **compliance by criterion** of Decision 874. Where the figures come from:

  * ``report`` — the shown unit's own report has been submitted or accepted: its frozen
    ``totals``, exactly what the unit sent up (and what the level above rolls up);
  * ``built`` — otherwise, at a province or for the whole country, once the period has
    been built: the registry of the subtree as the period's reports were built (their body
    and page rows, ``reports.dashboard.built``), with when they were built (``Dashboard.built``),
    and the declarations of the reports submitted or accepted;
  * ``live`` — otherwise (a district or a commune whose draft or returned report only covers
    the children already accepted; no report at all): the registry of the subtree now, with
    the same rules as the build, and the declarations of the period's reports of the subtree
    that have been submitted or accepted.

- **gaps**: bodies without a contact person or posting rules, pages needing
  re-confirmation or not verified — counted, and the first few listed: live through the
  registry's own scoped selectors, or from the built rows where the figures are ``built``;
- **trends** over the last periods of the same kind: children's reports on time, and a few
  key rates, from each period's frozen figures (the selected period, in ``live`` mode,
  from the live ones, so the last point matches the rest of the page).

Scope: the unit must be in ``users.scope.units(user)``. Officers and administrators see the
unit's whole subtree; staff of a body see their body's unit alone (no units below, their
own body's gaps). Without a unit, an administrator sees the whole country, an officer
anchored on several units all of them side by side.
"""

from __future__ import annotations

from reports.dashboard.build import build_dashboard
from reports.dashboard.links import dashboard_url
from reports.dashboard.model import Dashboard

__all__ = ["Dashboard", "build_dashboard", "dashboard_url"]
