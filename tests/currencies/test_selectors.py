"""Which rate converts an amount: the day's, else the last within a week, else the month's; never 1.0."""

from datetime import date
from decimal import Decimal

import pytest

from currencies.selectors import rate_table
from tests.factories import ExchangeRateFactory

pytestmark = pytest.mark.django_db


def test_daily_then_recent_daily_then_monthly_else_missing(settings):
    settings.PRM_REPORTING_CURRENCY = "USD"
    ExchangeRateFactory(currency="EUR", date=date(2026, 3, 6), rate=Decimal("1.08"))  # a Friday
    ExchangeRateFactory(currency="EUR", date=date(2026, 3, 1), granularity="month", rate=Decimal("1.05"))
    ExchangeRateFactory(currency="GBP", date=date(2026, 2, 1), granularity="month", rate=Decimal("1.27"))
    table = rate_table(currencies=["EUR", "GBP", "USD", "JPY"], start=date(2026, 2, 1), end=date(2026, 3, 31))
    assert table.rate("EUR", date(2026, 3, 6)) == Decimal("1.08")
    assert table.rate("EUR", date(2026, 3, 8)) == Decimal("1.08")  # the weekend reads Friday's rate
    assert table.rate("EUR", date(2026, 3, 20)) == Decimal("1.05")  # two weeks on: the month's rate
    assert table.rate("EUR", date(2026, 3, 2)) == Decimal("1.05")  # before the first daily rate
    assert table.rate("GBP", date(2026, 2, 14)) == Decimal("1.27")
    assert table.rate("GBP", date(2026, 3, 14)) is None
    assert table.rate("JPY", date(2026, 3, 14)) is None
    assert table.rate("USD", date(2026, 3, 14)) == 1
    assert table.convert(Decimal("100.005"), "EUR", date(2026, 3, 6)) == Decimal("108.01")
    assert table.convert(Decimal("100"), "JPY", date(2026, 3, 6)) is None
