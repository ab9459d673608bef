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
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Protocol

import numpy as np
import pandas as pd

CENT = Decimal("0.01")


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
    """Each amount (to the cent) in the reporting currency at the rate of its date, rounded to the cent half to
    even like `RateTable.convert`; NaN when it has no rate.

    In floats the product of an amount and a rate may miss an exact half cent by 1e-12 and round the other way;
    the few rows that lie that close to a half cent are converted again in Decimal, so every figure equals the
    Decimal conversion.
    """
    amounts = np.asarray(amount, dtype="float64")
    cents = amounts * rates_of(currency, day_s, table) * 100.0
    out = np.round(cents) / 100.0
    fraction = np.abs(cents - np.floor(cents) - 0.5)
    for i in np.flatnonzero(fraction < 1e-6):
        code = np.asarray(currency, dtype=object)[i]
        day = datetime.fromtimestamp(int(np.asarray(day_s, dtype="float64")[i]), UTC).date()
        exact = Decimal(int(round(amounts[i] * 100))) / 100 * Decimal(table.rate(code, day))
        out[i] = float(exact.quantize(CENT, rounding=ROUND_HALF_EVEN))
    return out
