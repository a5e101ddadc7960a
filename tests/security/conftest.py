"""Fixtures borrowed from the reports and directives suites, for the audit tests."""

from __future__ import annotations

from tests.directives.conftest import world
from tests.reports.conftest import now, people, quarter, registry

__all__ = ["now", "people", "quarter", "registry", "world"]
