"""Celery signal handlers of webhook delivery (connected in `IntegrationsConfig.ready`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from core.tasks import task_argument

from .webhooks import webhook_delivery_retry_at


def record_next_attempt(sender: Any = None, request: Any = None, reason: Any = None, **_) -> None:
    """`task_retry`: the delivery task scheduled its next attempt; the row shows when (`next_attempt_at`)."""
    if sender is None or sender.name != "integrations.tasks.deliver_webhook":
        return
    delivery_id = task_argument(sender, request.args, request.kwargs, "delivery_id")
    when = getattr(reason, "when", None)
    if delivery_id is None or when is None:
        return
    at = when if isinstance(when, datetime) else timezone.now() + timedelta(seconds=float(when))
    webhook_delivery_retry_at(delivery_id=delivery_id, at=at)
