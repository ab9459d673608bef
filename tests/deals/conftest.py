from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from core import events
from deals.services import deal_approve, deal_create
from tests import factories as f


@pytest.fixture
def products(db):
    """Two network products and a storage product."""
    return [f.ProductFactory(sku=sku) for sku in ("NET-100", "NET-200", "STO-300")]


@pytest.fixture
def emitted():
    """Collects the domain events delivered after commit."""
    seen: list = []

    def collect(event):
        seen.append(event)

    events.subscribe(collect)
    yield seen
    events._subscribers.remove(collect)


def register(user, *, customer=None, products=(), submit=True, **kwargs):
    """Register a deal through the service, as the portal does."""
    customer = customer or f.CustomerFactory()
    lines = [{"product": p, "quantity": 2, "unit_price": Decimal("100.00")} for p in products]
    return deal_create(
        partner=user.partner,
        user=user,
        customer=customer,
        lines=lines,
        expected_close_date=kwargs.pop("expected_close_date", date.today() + timedelta(days=30)),
        submit=submit,
        **kwargs,
    )


def approved(user, manager, **kwargs):
    deal = register(user, **kwargs)
    return deal_approve(deal=deal, user=manager)
