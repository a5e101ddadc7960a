"""Fill the registry with synthetic bodies, pages, contacts, rules and incidents.

For the reports benchmark (``benchmarks/reports.py``, ``docs/benchmarks.md``): about
100,000 bodies and 150,000 pages spread over the units in force, with names the way
Vietnamese bodies are named ("UBND xã Cẩm Ngọc", "Trường THCS Cẩm Ngọc", "Trạm Y tế …").
The same seed over the same units gives the same data, row for row: every random draw
comes from one ``random.Random(seed)`` in a fixed order, and the units are walked in the
order of their official codes, not of their database ids.

Rows are written with ``bulk_create`` (5,000 per statement, in one transaction): no
``save()``, no history rows, no signals. Every synthetic body has an e-mail address at
``SYNTHETIC_DOMAIN``, which is how the command tells its own data from a real registry: it
refuses to run on a database holding real bodies unless ``--force``, and refuses to run
twice on the same database (the names would collide).
"""

from __future__ import annotations

from reports.synthetic.constants import (
    DEFAULT_FROM,
    DEFAULT_SEED,
    DEFAULT_UNTIL,
    SYNTHETIC_DOMAIN,
)
from reports.synthetic.registry import Generated, generate

__all__ = [
    "DEFAULT_FROM",
    "DEFAULT_SEED",
    "DEFAULT_UNTIL",
    "SYNTHETIC_DOMAIN",
    "Generated",
    "generate",
]
