"""Domain events: services announce what happened; subscribers react in the transaction or after commit.

A service calls `emit("deal.approved", partner_id=…, data={…})` inside its transaction. Two kinds of
subscribers hear it:

- in-transaction subscribers (`subscribe(fn, in_transaction=True)`) are called at once, inside the
  caller's transaction: they write what must not be lost (webhooks' outbox rows), which then commits
  or rolls back with the change itself. An error there fails the change: both or neither;
- after-commit subscribers (the default: the analytics refresh) are called only once the transaction
  commits, so a rolled-back change announces nothing; one failing does not stop the others.
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
    "ticket.created",
    "ticket.status_changed",
    "ticket.commented",
    "sellout.reported",
    "edi.processed",
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
_in_transaction: list[Subscriber] = []


def subscribe(subscriber: Subscriber, *, in_transaction: bool = False) -> Subscriber:
    """Register a callable; apps subscribe in `AppConfig.ready`. See the module for the two kinds."""
    registry = _in_transaction if in_transaction else _subscribers
    if subscriber not in registry:
        registry.append(subscriber)
    return subscriber


def emit(name: str, *, partner_id: int | None, data: dict) -> Event:
    """Announce an event: in-transaction subscribers now, the others once the current transaction commits."""
    if name not in EVENT_TYPES:
        raise ValueError(f"unknown event type {name!r}")
    event = Event(name=name, partner_id=partner_id, data=data)
    for subscriber in list(_in_transaction):
        subscriber(event)

    def deliver() -> None:
        for subscriber in list(_subscribers):
            try:
                subscriber(event)
            except Exception:  # one failing subscriber must not stop the others
                logger.exception("event subscriber %r failed for %s", subscriber, name)

    if _subscribers:
        transaction.on_commit(deliver)
    return event
