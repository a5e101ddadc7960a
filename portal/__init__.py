from __future__ import annotations

# Load the Celery app when Django starts so that @shared_task uses it.
from portal.celery_app import app as celery_app

__all__ = ("celery_app",)
