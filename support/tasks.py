"""Scheduled support jobs: each calls a service."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from .services import tickets_close_resolved


@shared_task(name="support.tasks.close_resolved_tickets")
def close_resolved_tickets() -> int:
    """Close tickets resolved more than PRM_TICKET_AUTOCLOSE_DAYS ago that the partner neither closed nor reopened."""
    return tickets_close_resolved(days=settings.PRM_TICKET_AUTOCLOSE_DAYS)
