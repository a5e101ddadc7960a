"""Celery tasks of the exports: thin wrappers that take ids and call the services."""

from __future__ import annotations

from celery import shared_task

from reports.exports import services


@shared_task(name="reports.build_export", acks_late=True)
def build_export_task(job_id: int) -> str:
    """Build one queued export; a finished job is not built again by a duplicate message."""
    return services.run_export(job_id)
