"""Reading rates: which rate converts an amount of a given date, and which rates are missing."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from django.conf import settings

from .models import ExchangeRate

# A daily rate stands for the days after it that have none (weekends, holidays), up to this many days.
DAILY_RATE_REACH_DAYS = 7
CENT = Decimal("0.01")


def reporting_currency() -> str:
    return settings.PRM_REPORTING_CURRENCY


@dataclass
class RateTable:
    """The rates of some currencies over a span of dates, loaded once, for converting many amounts.

    Rule for an amount of currency C on day D:
    - C is the reporting currency: the amount as it is;
    - else the daily rate of D, or of the latest day before D with one, at most `DAILY_RATE_REACH_DAYS` back;
    - else the monthly rate of D's month;
    - else there is no rate: `rate()` returns None and the caller reports the amount as unconverted,
      never converting at 1.0.
    """

    reporting: str
    daily: dict[str, tuple[list[date], list[Decimal]]] = field(default_factory=dict)
    monthly: dict[tuple[str, date], Decimal] = field(default_factory=dict)

    def rate(self, currency: str, day: date) -> Decimal | None:
        if currency == self.reporting:
            return Decimal(1)
        days, rates = self.daily.get(currency, ([], []))
        index = bisect.bisect_right(days, day) - 1
        if index >= 0 and (day - days[index]).days <= DAILY_RATE_REACH_DAYS:
            return rates[index]
        return self.monthly.get((currency, day.replace(day=1)))

    def convert(self, amount: Decimal, currency: str, day: date) -> Decimal | None:
        """The amount in the reporting currency, to the cent (banker's rounding); None when no rate applies."""
        rate = self.rate(currency, day)
        if rate is None:
            return None
        return (amount * rate).quantize(CENT, rounding=ROUND_HALF_EVEN)


def rate_table(*, currencies: Iterable[str], start: date, end: date) -> RateTable:
    """Load the rates that can convert amounts of `currencies` dated in [start, end]."""
    wanted = sorted({c for c in currencies if c} - {reporting_currency()})
    table = RateTable(reporting=reporting_currency())
    if not wanted:
        return table
    rows = (
        ExchangeRate.objects.filter(
            currency__in=wanted, date__gte=start.replace(day=1) - timedelta(days=DAILY_RATE_REACH_DAYS), date__lte=end
        )
        .order_by("currency", "date")
        .values_list("currency", "granularity", "date", "rate")
    )
    for currency, granularity, day, rate in rows:
        if granularity == ExchangeRate.Granularity.MONTH:
            table.monthly[(currency, day)] = rate
        else:
            days, rates = table.daily.setdefault(currency, ([], []))
            days.append(day)
            rates.append(rate)
    return table
