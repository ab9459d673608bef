from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from core import events
from tests import factories as f
from warranty.services import claim_create


@pytest.fixture
def product(db):
    return f.ProductFactory(sku="SRV-900", warranty_months=12)


@pytest.fixture
def failure_code(db):
    return f.FailureCodeFactory(code="PSU", description="Power supply failure")


@pytest.fixture
def captured_events():
    seen: list[events.Event] = []
    events.subscribe(seen.append)
    yield seen
    events._subscribers.remove(seen.append)


@pytest.fixture
def file_claim(world, product, failure_code):
    """File a claim as user_a (partner A) with sensible defaults; override any argument."""

    def make(**overrides):
        arguments = {
            "partner": world.partner_a,
            "user": world.user_a,
            "product": product,
            "serial_number": "SN-0001",
            "purchase_date": date.today() - timedelta(days=200),
            "failure_date": date.today() - timedelta(days=3),
            "failure_code": failure_code,
            "parts_amount": Decimal("120.00"),
            "labour_amount": Decimal("80.50"),
            "description": "Unit does not power on.",
        }
        arguments.update(overrides)
        return claim_create(**arguments)

    return make
