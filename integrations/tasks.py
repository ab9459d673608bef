"""Webhook delivery and housekeeping tasks. Deliveries run on the `webhooks` queue (CELERY_TASK_ROUTES).

A delivery follows the task policy (`core.tasks.Task`) with its own retry: a failed attempt is retried
with exponential backoff (PRM_WEBHOOK_RETRY_BASE_SECONDS × 2ⁿ, at most PRM_WEBHOOK_RETRY_MAX_SECONDS)
and full jitter, until PRM_WEBHOOK_MAX_ATTEMPTS attempts were made (the delivery row counts them).
Without a broker (the quick start, the tests) the retry happens at once.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from core.tasks import TRANSIENT_ERRORS

from .idempotency import idempotency_records_purge
from .webhooks import WebhookAttemptFailedError, webhook_deliveries_requeue_stalled, webhook_delivery_send


@shared_task(
    name="integrations.tasks.deliver_webhook",
    autoretry_for=(WebhookAttemptFailedError, *TRANSIENT_ERRORS),
    retry_backoff=settings.PRM_WEBHOOK_RETRY_BASE_SECONDS,
    retry_backoff_max=settings.PRM_WEBHOOK_RETRY_MAX_SECONDS,
    # The delivery row stops the attempts (PRM_WEBHOOK_MAX_ATTEMPTS); this bounds retries it never counted.
    max_retries=settings.PRM_WEBHOOK_MAX_ATTEMPTS,
)
def deliver_webhook(delivery_id: int) -> str:
    """Send one delivery; a failed attempt raises, and the retry policy above schedules the next one."""
    return webhook_delivery_send(delivery_id=delivery_id)


@shared_task(name="integrations.tasks.requeue_stalled_webhooks", soft_time_limit=120, time_limit=180)
def requeue_stalled_webhooks() -> int:
    """Beat: queue again the deliveries whose message was lost (see `webhook_deliveries_requeue_stalled`)."""
    return webhook_deliveries_requeue_stalled()


@shared_task(name="integrations.tasks.purge_idempotency_records")
def purge_idempotency_records() -> int:
    """Forget idempotency answers older than PRM_IDEMPOTENCY_TTL_HOURS."""
    return idempotency_records_purge()
