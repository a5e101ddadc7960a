"""The retention job, run every night by Celery beat (portal/schedules.py)."""

from __future__ import annotations

from celery import shared_task

from privacy import services


@shared_task(name="privacy.erase_expired_personal_data")
def erase_expired_personal_data() -> dict[str, int]:
    """Erase archived contacts' and closed reports' personal data kept past its time."""
    erased = services.erase_expired()
    return {
        "contacts": erased.contacts,
        "contact_versions": erased.contact_versions,
        "reporters": erased.reporters,
        "reporter_versions": erased.reporter_versions,
    }
