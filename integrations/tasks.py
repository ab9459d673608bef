"""Webhook delivery and housekeeping tasks. Deliveries run on the `webhooks` queue (CELERY_TASK_ROUTES)."""

from __future__ import annotations

import random
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .idempotency import idempotency_records_purge
from .models import WebhookDelivery
from .webhooks import webhook_attempt


def retry_delay(attempt: int) -> float:
    """Seconds before the next try after failed attempt number `attempt` (1-based).

    Exponential backoff, base × 2^(attempt-1), capped, plus up to 10% jitter so
    that many failing deliveries do not retry in lockstep.
    """
    delay = min(settings.PRM_WEBHOOK_RETRY_MAX_SECONDS, settings.PRM_WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1))
    return delay + random.uniform(0, delay / 10)


def _attempt(delivery_id: int) -> tuple[str, float]:
    """One attempt; returns (outcome, seconds before the next try when the outcome is 'retry')."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status == WebhookDelivery.Status.SUCCEEDED:
        return "skipped", 0
    if not delivery.endpoint.is_active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.FAILED, last_error="Endpoint deactivated; not sent."
        )
        return "endpoint inactive", 0
    if webhook_attempt(delivery):
        return "delivered", 0
    if delivery.status == WebhookDelivery.Status.FAILED:  # refused address: final, see webhook_attempt
        return "refused", 0
    if delivery.attempts >= settings.PRM_WEBHOOK_MAX_ATTEMPTS:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDelivery.Status.FAILED)
        return "failed", 0
    countdown = retry_delay(delivery.attempts)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() + timedelta(seconds=countdown))
    return "retry", countdown


@shared_task(bind=True, name="integrations.tasks.deliver_webhook", acks_late=True, max_retries=None)
def deliver_webhook(self, delivery_id: int) -> str:
    """Send one delivery; on failure retry until PRM_WEBHOOK_MAX_ATTEMPTS attempts were made, then mark it failed.

    On a worker the retry is scheduled (exponential backoff with jitter). Without a broker (the quick
    start and the tests run tasks eagerly) there is nothing to schedule on, so it tries again at once.
    """
    while True:
        outcome, countdown = _attempt(delivery_id)
        if outcome != "retry":
            return outcome
        if not self.request.is_eager:
            raise self.retry(countdown=countdown)


@shared_task(name="integrations.tasks.purge_idempotency_records")
def purge_idempotency_records() -> int:
    """Forget idempotency answers older than PRM_IDEMPOTENCY_TTL_HOURS."""
    return idempotency_records_purge()
