"""The synthetic registry's defaults: seed, marker domain, batch size and period."""

from __future__ import annotations

from datetime import date

DEFAULT_SEED = 874
SYNTHETIC_DOMAIN = "synthetic.invalid"
BATCH = 5000
# The last quarter of the three-tier country (it ends on 30/06/2025): its units are the
# ones in force at its end.
DEFAULT_FROM = date(2025, 1, 1)
DEFAULT_UNTIL = date(2025, 3, 31)

# Share of the bodies held by each tier (renormalised when a tier does not exist).
TIER_SHARES = {"province": 0.05, "district": 0.15, "commune": 0.80}
