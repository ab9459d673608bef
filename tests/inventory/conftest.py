from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests import factories as f


@pytest.fixture
def products(db):
    """Three catalog products with known SKUs."""
    return [f.ProductFactory(sku=sku) for sku in ("NET-100", "NET-200", "SRV-300")]


@pytest.fixture
def yesterday() -> date:
    return date.today() - timedelta(days=1)


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()
