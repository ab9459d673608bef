from __future__ import annotations

import pytest

from core import events
from support.services import ticket_open
from tests import factories as f


@pytest.fixture
def product(db):
    return f.ProductFactory(sku="SRV-900", warranty_months=12)


@pytest.fixture
def category(db):
    # Seeded by the data migration; made again when a test that flushes the database ran before.
    return f.TicketCategoryFactory(code="hardware-fault", name="Hardware fault")


@pytest.fixture
def captured_events():
    seen: list[events.Event] = []
    events.subscribe(seen.append)
    yield seen
    events._subscribers.remove(seen.append)


@pytest.fixture
def open_ticket(world, product, category):
    """Open a ticket as user_a (partner A) with sensible defaults; override any argument."""

    def make(**overrides):
        arguments = {
            "partner": world.partner_a,
            "user": world.user_a,
            "product": product,
            "category": category,
            "severity": "high",
            "subject": "Switch reboots under load",
            "description": "The customer's core switch reboots twice a day since the last update.",
            "serial_number": "sn-0001",
        }
        arguments.update(overrides)
        return ticket_open(**arguments)

    return make


class Clock:
    """A settable `timezone.now` for tests of the SLA clock: `clock.advance(hours=3)`."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **delta):
        from datetime import timedelta

        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    from datetime import UTC, datetime

    from django.utils import timezone

    fake = Clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    monkeypatch.setattr(timezone, "now", fake)
    return fake
