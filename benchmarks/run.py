"""Run the benchmarks against a throw-away copy of the configured database and print figures.

`make bench` runs this module. The configured database (DATABASE_URL, or the embedded
SQLite file) is never written: Django's test-database machinery creates a fresh one,
migrates it, and drops it at the end.
"""

from __future__ import annotations

import os
import platform
import sys


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from benchmarks import import_divisions

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    if connection.vendor != "sqlite":
        # Not the test suite's "test_<name>", which a concurrent pytest --reuse-db may hold.
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_{old_name}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        vendor = connection.vendor
        version = ".".join(str(part) for part in connection.get_database_version())
        print(f"Database: {vendor} {version} (scratch database {connection.settings_dict['NAME']})")
        print(f"Python {platform.python_version()} on {platform.machine()}")
        print()
        print("Divisions import (units/importers.py)")
        for figure in import_divisions.run():
            if not figure.seconds:
                print(f"  {figure.label}")
                continue
            print(
                f"  {figure.label:<44} {figure.seconds:6.2f} s  "
                f"{figure.queries:5d} queries  {figure.units_written:6d} units written"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
