"""Amounts in the reporting currency for the engine (pure: arrays in, arrays out; no ORM).

Rule (`currencies.selectors.RateTable`): an amount of currency C dated D is converted at the rate the table
picks for (C, D) — the reporting currency as it is, else the daily rate of D or of the latest day before it
within the reach of daily rates, else the monthly rate of D's month — and rounded to the cent (half to even,
as `RateTable.convert`). Without a rate the amount is NaN: callers leave it out of their sums and report it,
never converting at 1.0.

The table is asked once per distinct (currency, day) pair, not once per row: a million lines in a few
currencies over two years ask a few thousand times.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

import numpy as np
import pandas as pd


class Rates(Protocol):
    """What conversion needs of a rate table (`currencies.selectors.RateTable`)."""

    def rate(self, currency: str, day): ...


def rates_of(currency: np.ndarray | pd.Series, day_s: np.ndarray | pd.Series, table: Rates) -> np.ndarray:
    """The rate of each row (reporting-currency units per unit of its currency; NaN when there is none).

    `currency`: ISO codes; `day_s`: the rows' dates as epoch seconds of their midnight (UTC), NaN = no date.
    """
    codes = np.asarray(currency, dtype=object)
    days = np.asarray(day_s, dtype="float64")
    out = np.full(len(codes), np.nan)
    if not len(codes):
        return out
    known = ~np.isnan(days)
    pairs = pd.DataFrame({"currency": codes[known], "day": days[known].astype("int64")})
    unique = pairs.drop_duplicates()
    values = []
    for code, seconds in zip(unique["currency"], unique["day"], strict=True):
        rate = table.rate(code, datetime.fromtimestamp(int(seconds), UTC).date())
        values.append(np.nan if rate is None else float(rate))
    lookup = pd.Series(values, index=pd.MultiIndex.from_frame(unique), dtype="float64")
    out[known] = lookup.reindex(pd.MultiIndex.from_frame(pairs)).to_numpy()
    return out


def to_reporting(
    amount: np.ndarray | pd.Series, currency: np.ndarray | pd.Series, day_s: np.ndarray | pd.Series, table: Rates
) -> np.ndarray:
    """Each amount in the reporting currency at the rate of its date, to the cent; NaN when it has no rate."""
    converted = np.asarray(amount, dtype="float64") * rates_of(currency, day_s, table)
    return np.round(converted, 2)
