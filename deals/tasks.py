"""Scheduled deal jobs (Celery beat names them in settings); each calls its service and returns the count."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .jobs import deals_expire, deals_warn_expiring

# The jobs are idempotent, so a retry after a lost database connection is safe.
_RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 3,
}


@shared_task(name="deals.tasks.expire_deals", **_RETRY)
def expire_deals() -> int:
    """Expire approved registrations whose protection ended (never won or lost ones)."""
    return deals_expire()


@shared_task(name="deals.tasks.warn_expiring_deals", **_RETRY)
def warn_expiring_deals() -> int:
    """Warn partners once, a week before an approved registration's protection ends."""
    return deals_warn_expiring()
