"""Celery tasks of the notifications app: thin wrappers that take ids and call services."""

from __future__ import annotations

from celery import shared_task

from notifications import services


@shared_task(
    autoretry_for=(services.DeliveryDeferred,),
    # The service counts attempts and gives up first; this is only a backstop.
    max_retries=services.MAX_ATTEMPTS,
    retry_backoff=60,
    retry_backoff_max=60 * 60,
    retry_jitter=True,
)
def deliver_email(email_id: int) -> str:
    """Deliver one queued email; running it again for the same id sends nothing more."""
    return str(services.deliver(email_id))


@shared_task
def deliver_emails(email_ids: list[int]) -> dict[str, int]:
    """Deliver a batch of queued emails, each claimed on its own (``services.deliver_batch``).

    Running it again, or alongside the one-email task for the same ids, sends nothing more.
    """
    return services.deliver_batch(email_ids)


@shared_task
def enqueue_stale_emails() -> int:
    """Periodic: re-enqueue queued emails whose delivery message never reached a worker."""
    return services.enqueue_stale()
