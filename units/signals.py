"""Signals of the hierarchy for writers that bypass ``save()``.

The division importer and the reconciler write units in bulk (``bulk_create``,
``bulk_update_with_history``, path ``UPDATE``s), which send no ``post_save``. Apps that keep
something derived from the units (the public verification's verdict cache) listen to
``units_bulk_written`` instead, so the base app never imports the apps above it.
"""

from django.dispatch import Signal

# Sent once per level of an import or a reconciliation that changed units, inside the
# writer's transaction; no arguments beyond ``sender`` (the writer's class).
units_bulk_written = Signal()
