"""Reading rates: which rate converts an amount of a given date, and which rates are missing."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from django.conf import settings

from .models import ExchangeRate, rate_text

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


@dataclass
class CurrencyCoverage:
    """What the rate table holds for one currency: its latest rate and the months it cannot convert."""

    currency: str
    rates: int
    latest_date: date
    latest_granularity: str
    latest_rate: Decimal
    first_month: date
    gaps: list[tuple[date, date]]  # (first month, last month) of each run of months without a rate

    @property
    def latest_rate_text(self) -> str:
        return rate_text(self.latest_rate)

    @property
    def gap_months(self) -> int:
        return sum((b.year - a.year) * 12 + b.month - a.month + 1 for a, b in self.gaps)


def _months(first: date, last: date) -> list[date]:
    out, month = [], first
    while month <= last:
        out.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return out


def _month_covered(month: date, today: date, monthly: set[date], days: list[date]) -> bool:
    """A month converts every day (up to today) when it has a monthly rate, or every day has a daily rate of
    that day or of at most `DAILY_RATE_REACH_DAYS` before."""
    if month in monthly:
        return True
    last = min((month + timedelta(days=32)).replace(day=1) - timedelta(days=1), today)
    day = month
    while day <= last:
        index = bisect.bisect_right(days, day) - 1
        if index < 0 or (day - days[index]).days > DAILY_RATE_REACH_DAYS:
            return False
        day += timedelta(days=1)
    return True


def rate_coverage(*, today: date) -> list[CurrencyCoverage]:
    """Per currency of the rate table: how many rates, the latest, and the runs of months from its first rate
    to this month in which some day has no rate by the rule of `RateTable.rate` (gaps). One query."""
    rows = ExchangeRate.objects.order_by("currency", "date").values_list("currency", "granularity", "date", "rate")
    by_currency: dict[str, list[tuple[str, date, Decimal]]] = {}
    for currency, granularity, day, rate in rows:
        by_currency.setdefault(currency, []).append((granularity, day, rate))
    out = []
    for currency, entries in by_currency.items():
        monthly = {d for g, d, _ in entries if g == ExchangeRate.Granularity.MONTH}
        days = [d for g, d, _ in entries if g == ExchangeRate.Granularity.DAY]
        latest = max(entries, key=lambda e: (e[1], e[0] == ExchangeRate.Granularity.DAY))
        first_month = entries[0][1].replace(day=1)
        gaps: list[tuple[date, date]] = []
        for month in _months(first_month, today.replace(day=1)):
            if _month_covered(month, today, monthly, days):
                continue
            if gaps and (gaps[-1][1] + timedelta(days=32)).replace(day=1) == month:
                gaps[-1] = (gaps[-1][0], month)
            else:
                gaps.append((month, month))
        out.append(
            CurrencyCoverage(
                currency=currency,
                rates=len(entries),
                latest_date=latest[1],
                latest_granularity=latest[0],
                latest_rate=latest[2],
                first_month=first_month,
                gaps=gaps,
            )
        )
    return out


@dataclass
class ConvertedTotal:
    """A sum of amounts in several currencies: per currency as they are, and in the reporting currency."""

    reporting: str
    by_currency: dict[str, Decimal]
    total: Decimal  # in the reporting currency, of the amounts that have a rate
    missing: dict[str, tuple[int, Decimal]]  # currency → (how many amounts, their sum) with no rate


def converted_total(items: Iterable[tuple[Decimal | None, str, date]]) -> ConvertedTotal:
    """Σ of (amount, currency, day) in the reporting currency at each day's rate (`RateTable.convert`, to the
    cent), for the few amounts a page lists; amounts with no rate are counted in `missing`, never at 1.0."""
    rows = [(amount, currency, day) for amount, currency, day in items if amount is not None]
    table = rate_table(
        currencies={c for _, c, _ in rows},
        start=min((d for _, _, d in rows), default=date.today()),
        end=max((d for _, _, d in rows), default=date.today()),
    )
    by_currency: dict[str, Decimal] = {}
    missing: dict[str, tuple[int, Decimal]] = {}
    total = Decimal("0.00")
    for amount, currency, day in rows:
        by_currency[currency] = by_currency.get(currency, Decimal("0.00")) + amount
        value = table.convert(amount, currency, day)
        if value is None:
            count, lost = missing.get(currency, (0, Decimal("0.00")))
            missing[currency] = (count + 1, lost + amount)
        else:
            total += value
    return ConvertedTotal(
        reporting=table.reporting, by_currency=dict(sorted(by_currency.items())), total=total, missing=missing
    )
