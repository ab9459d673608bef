"""Sold serials for the activation tests: sell-out lines with their serials, written directly."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import pytest

from sellout.models import SellOutSerial
from tests import factories as f


@pytest.fixture
def sell(db) -> Callable[..., object]:
    """`sell(partner, product, ["SN1", "SN2"], date(...), transaction_type="sale")`: one line with its serials."""

    def make(partner, product, serials: Sequence[str], day: date, transaction_type: str = "sale"):
        line = f.SellOutLineFactory(
            reporter=partner,
            product=product,
            date=day,
            quantity=max(len(serials), 1),
            transaction_type=transaction_type,
        )
        SellOutSerial.objects.bulk_create([SellOutSerial(line=line, product=product, serial=s) for s in serials])
        return line

    return make
