"""Amounts in the reporting currency inside the engine (pure: numpy and pandas, no ORM).

Deals, claims and sell-out lines keep their own currency and amount; the figures add them up in the
reporting currency (`settings.PRM_REPORTING_CURRENCY`) at the rate of the transaction's date, chosen by
the rule of `currencies.selectors.RateTable.rate` (a daily rate of the day or of at most 7 days before,
else the month's rate). An amount with no rate is left out of the sums and reported by currency and month
(`unconverted`), never converted at 1.0.

How it stays fast: the rule runs once per distinct (currency, day) among the rows — a few thousand at most
(currencies × days of history), whatever the number of rows — and the rates reach the rows through one
vectorised index lookup. Amounts in the reporting currency are used exactly as they are.

Rounding: each converted amount is rounded to the cent (half to even, as `RateTable.convert`), then summed.
Sums of open amounts at an instant (pipeline) are summed per currency first, then converted at that
instant's rate (`open_sums`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Protocol

import numpy as np
import pandas as pd

DAY_S = 86_400.0
DAY_KEY = 10_000_000  # more days than any date has since 1970: (currency, day) as one integer
EPOCH = date(1970, 1, 1)


class RateSource(Protocol):
    """What the engine needs of a rate table (`currencies.selectors.RateTable` is one)."""

    reporting: str

    def rate(self, currency: str, day: date) -> object: ...


@dataclass
class Rates:
    """A loaded rate table, with the rate of each (currency, day) looked up once and kept as float.

    `source` is None for frames already in the reporting currency (every amount kept as it is, whatever its
    label): only for callers that built such frames themselves.
    """

    source: RateSource | None
    reporting: str
    _cache: dict[tuple[str, int], float] = field(default_factory=dict)

    @classmethod
    def from_table(cls, table: RateSource) -> Rates:
        return cls(source=table, reporting=table.reporting)

    def rate_of(self, currency: str, day_number: int) -> float:
        """Rate of one currency on one day (days since 1970-01-01); NaN when the table has none."""
        if currency == self.reporting or self.source is None:
            return 1.0
        key = (currency, day_number)
        if key not in self._cache:
            value = self.source.rate(currency, EPOCH + timedelta(days=day_number))
            self._cache[key] = float(value) if value is not None else np.nan
        return self._cache[key]


def day_numbers(seconds: np.ndarray) -> np.ndarray:
    """The UTC calendar day (days since 1970-01-01) of each epoch-seconds time; -1 where the time is NaN."""
    t = np.asarray(seconds, dtype="float64")
    return np.where(np.isnan(t), -1, np.floor(np.nan_to_num(t, nan=0.0) / DAY_S)).astype("int64")


def month_start(day_number: int) -> date:
    day = EPOCH + timedelta(days=int(day_number))
    return day.replace(day=1)


def rates_at(currencies: np.ndarray, seconds: np.ndarray, rates: Rates) -> np.ndarray:
    """The rate of each row's currency on the UTC day of its time: 1.0 for the reporting currency, NaN when
    the table has none (or the time is not set)."""
    out = np.ones(len(currencies), dtype="float64")
    if rates.source is None or not len(currencies):
        return out
    # Integer codes first: hashing the labels once is cheaper than comparing a million strings.
    codes, labels = pd.factorize(np.asarray(currencies, dtype=object))
    labels = list(labels)
    days = day_numbers(seconds)
    foreign = codes != (labels.index(rates.reporting) if rates.reporting in labels else -2)
    out[foreign & ((days < 0) | (codes < 0))] = np.nan  # no time, or no currency: nothing to convert with
    need = foreign & (days >= 0) & (codes >= 0)
    if not need.any():
        return out
    # One integer key per (currency, day): the distinct keys are few, so the rule runs once for each.
    keys = codes[need].astype("int64") * DAY_KEY + days[need]
    inverse, unique = pd.factorize(keys)
    values = np.array([rates.rate_of(labels[k // DAY_KEY], int(k % DAY_KEY)) for k in unique], dtype="float64")
    out[need] = values[inverse]
    return out


def to_cents(amounts: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """amount × rate rounded to the cent (half to even); NaN where the rate is NaN; rate 1.0 keeps the amount."""
    amounts = np.asarray(amounts, dtype="float64")
    cents = np.rint(amounts * 100.0)
    converted = np.rint(cents * rates) / 100.0
    return np.where(rates == 1.0, amounts, converted)


def converted(frame: pd.DataFrame, time_column: str, rates: Rates | None, amount: str = "amount") -> np.ndarray:
    """Each row's `amount` in the reporting currency at the rate of the UTC day of `time_column`; NaN where no
    rate applies. A frame without a `currency` column, or `rates` None, is taken to be in the reporting
    currency already."""
    values = frame[amount].to_numpy(dtype="float64", na_value=np.nan)
    if rates is None or "currency" not in frame:
        return values
    labels = frame["currency"].to_numpy()
    seconds = frame[time_column].to_numpy(dtype="float64")
    factor = rates_at(labels, seconds, rates)
    out = to_cents(values, factor)
    # In floats a product that is exactly a half cent may come out 1e-12 either side of it and round the other
    # way: the few rows that close to a half cent are converted again in Decimal, as `RateTable.convert` does.
    product = np.rint(values * 100.0) * factor
    near_half = np.flatnonzero(np.abs(product - np.floor(product) - 0.5) < 1e-6)
    if len(near_half) and rates.source is not None:
        days = day_numbers(seconds)
        for i in near_half:
            exact = rates.source.rate(labels[i], EPOCH + timedelta(days=int(days[i])))
            cents = Decimal(int(np.rint(values[i] * 100.0)))
            out[i] = float((cents * Decimal(exact)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN) / 100)
    return out


def open_sums(
    codes: np.ndarray,
    currencies: np.ndarray | None,
    amounts: np.ndarray,
    points: np.ndarray,
    rates: Rates | None,
    summed: Callable[[np.ndarray, np.ndarray], np.ndarray],
) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Σ of amounts open at each point, in the reporting currency, per key: (sums, left out per currency).

    `summed(mask, weights)` returns the (key × point) sums of the rows selected by `mask` weighted by
    `weights` (None = a count): the caller's open-interval rule. Each currency's open amounts are summed first
    and converted at its rate on the UTC day of the instant just before each point (the last day of a period
    whose end is the point). Where a currency has no rate at a point its amounts are left out and returned
    as (amount, count) matrices under its code.
    """
    if rates is None or currencies is None:
        return summed(np.ones(len(codes), bool), amounts), {}
    currencies = np.asarray(currencies, dtype=object)
    total = summed(currencies == rates.reporting, amounts)
    missing: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    days = day_numbers(np.asarray(points, dtype="float64") - 1.0)
    for code in sorted(set(currencies.tolist()) - {rates.reporting}):
        mask = currencies == code
        native = summed(mask, amounts)
        factor = np.array([rates.rate_of(code, int(d)) for d in days], dtype="float64")
        ok = ~np.isnan(factor)
        total = total + np.where(ok, native * np.where(ok, factor, 0.0), 0.0)
        if not ok.all():
            counts = summed(mask, None)
            gone = np.where(ok, 0.0, native)
            if (np.where(ok, 0.0, counts) > 0).any():
                missing[code] = (gone, np.where(ok, 0.0, counts))
    return np.round(total, 2), missing


UNCONVERTED_COLUMNS = ["kind", "currency", "month", "items", "amount"]


def unconverted(frame: pd.DataFrame, time_column: str, rates: Rates | None, kind: str) -> pd.DataFrame:
    """The rows whose amount has no rate, by currency and calendar month of `time_column`: kind, currency,
    month (its first day), items (how many rows) and amount (Σ in their own currency)."""
    if rates is None or "currency" not in frame or not len(frame):
        return pd.DataFrame(columns=UNCONVERTED_COLUMNS)
    times = frame[time_column].to_numpy(dtype="float64")
    factor = rates_at(frame["currency"].to_numpy(), times, rates)
    lost = np.isnan(factor) & ~np.isnan(times)
    if not lost.any():
        return pd.DataFrame(columns=UNCONVERTED_COLUMNS)
    days = day_numbers(times[lost])
    months = pd.to_datetime(days, unit="D").to_period("M").to_timestamp().date
    rows = pd.DataFrame(
        {
            "currency": frame["currency"].to_numpy()[lost],
            "month": months,
            "amount": frame["amount"].to_numpy(dtype="float64")[lost],
        }
    )
    out = rows.groupby(["currency", "month"], sort=True).agg(items=("amount", "size"), amount=("amount", "sum"))
    return out.reset_index().assign(kind=kind, amount=lambda f: f["amount"].round(2))[UNCONVERTED_COLUMNS]


def add_unconverted(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Several reports as one: items and amounts of the same kind, currency and month add up."""
    frames = [p for p in parts if len(p)]
    if not frames:
        return pd.DataFrame(columns=UNCONVERTED_COLUMNS)
    stacked = pd.concat(frames, ignore_index=True)
    out = stacked.groupby(["kind", "currency", "month"], sort=True)[["items", "amount"]].sum().reset_index()
    return out.assign(amount=out["amount"].round(2))[UNCONVERTED_COLUMNS]
