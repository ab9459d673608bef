"""Scheduled deal jobs (Celery beat names them in settings); each calls its service and returns the count.

The jobs are idempotent, so the task policy's retry after a lost database connection is safe.
"""

from __future__ import annotations

from celery import shared_task

from .jobs import deals_expire, deals_warn_expiring


@shared_task(name="deals.tasks.expire_deals")
def expire_deals() -> int:
    """Expire approved registrations whose protection ended (never won or lost ones)."""
    return deals_expire()


@shared_task(name="deals.tasks.warn_expiring_deals")
def warn_expiring_deals() -> int:
    """Warn partners once, a week before an approved registration's protection ends."""
    return deals_warn_expiring()
