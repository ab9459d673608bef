"""Domain events: services announce what happened; subscribers react after commit.

A service calls `emit("deal.approved", partner_id=…, data={…})` inside its
transaction. Subscribers (webhook delivery, analytics refresh) are called only
once that transaction commits, so a rolled-back change announces nothing.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

EVENT_TYPES = (
    "deal.submitted",
    "deal.approved",
    "deal.rejected",
    "deal.withdrawn",
    "deal.expired",
    "deal.won",
    "deal.lost",
    "deal.extended",
    "deal.conflict_detected",
    "claim.submitted",
    "claim.decided",
    "claim.paid",
    "inventory.reported",
    "partner.health_band_changed",
)


@dataclass(frozen=True)
class Event:
    name: str
    partner_id: int | None
    data: dict
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: datetime = field(default_factory=timezone.now)


Subscriber = Callable[[Event], None]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> Subscriber:
    """Register a callable (usable as a decorator); apps subscribe in `AppConfig.ready`."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def emit(name: str, *, partner_id: int | None, data: dict) -> Event:
    """Announce an event to every subscriber once the current transaction commits."""
    if name not in EVENT_TYPES:
        raise ValueError(f"unknown event type {name!r}")
    event = Event(name=name, partner_id=partner_id, data=data)

    def deliver() -> None:
        for subscriber in list(_subscribers):
            try:
                subscriber(event)
            except Exception:  # one failing subscriber must not stop the others
                logger.exception("event subscriber %r failed for %s", subscriber, name)

    transaction.on_commit(deliver)
    return event
