"""The sell-out KPI formulas (pure: pandas in, pandas out; no ORM), beside those of `kpis.py`.

Frames (built by `loaders.load_sellout` and `loaders.load_sellout_customers`):
- `lines`: one row per sell-out line dated in the window: key, partner_id (the reporter), day (epoch s of the
  line's date), sign (+1 sale and drop-ship, −1 return, 0 transfer: `SellOutLine.SIGN`), quantity (> 0),
  amount (quantity × unit price in the reporting currency at the rate of the line's date, NaN when its currency
  has no rate then: `analytics.currency`), product_line_id, country (the end customer's, "" when not given);
- `customers`: one row per sale or drop-ship line with an end customer (matched customer, or candidate),
  dated in the window, plus each (reporter, customer, product line)'s first such line before the window:
  key, partner_id, customer (a customer id, or minus a candidate's id), day, product_line_id.
Periods are [start, end) as everywhere in the engine.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .bins import _f, bin_sum, key_codes, to_frame
from .periods import Periods

# A group of sell-out counted per end-customer country: the reporters' region, tier and type, the product line
# (the groups of `LineRevenue`), and the country.
SELLOUT_GROUP = ["region_id", "tier_id", "partner_type", "product_line_id", "country"]
SELLOUT_SUMS = [
    "sellout_units",
    "sellout_revenue",
    "sellout_units_sold",
    "sellout_units_returned",
    "sellout_lines_unconverted",
]
LINE_COLUMNS = ["key", "partner_id", "day", "sign", "quantity", "amount", "product_line_id", "country"]
CUSTOMER_COLUMNS = ["key", "partner_id", "customer", "day", "product_line_id"]


def empty_lines() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object if c == "country" else "float64") for c in LINE_COLUMNS})


def empty_customers() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64") for c in CUSTOMER_COLUMNS})


def _line_measures(lines: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per line: its signed units, units sold, units returned, signed revenue (NaN without a rate) and whether
    it is left out of the revenue (a sale, drop-ship or return with no rate; a transfer counts nothing)."""
    sign = _f(lines, "sign")
    quantity = _f(lines, "quantity")
    amount = _f(lines, "amount")
    return {
        "sellout_units": sign * quantity,
        "sellout_units_sold": np.where(sign > 0, quantity, 0.0),
        "sellout_units_returned": np.where(sign < 0, quantity, 0.0),
        "sellout_revenue": np.where(sign == 0, 0.0, sign * amount),
        "sellout_lines_unconverted": ((sign != 0) & np.isnan(amount)).astype("float64"),
    }


def sellout_kpis(lines: pd.DataFrame, keys: Sequence, periods: Periods) -> pd.DataFrame:
    """The additive sell-out KPIs per key and period, over the lines dated in P.

    - sellout_units = Σ sign × quantity (sales and drop-ships +, returns −, transfers 0)
    - sellout_revenue = Σ sign × quantity × unit price in the reporting currency at the rate of the line's date,
      over the lines with a rate
    - sellout_units_sold = Σ quantity of sale and drop-ship lines; sellout_units_returned = Σ quantity of returns
    - sellout_lines_unconverted = lines other than transfers with no rate at their date (left out of the revenue)
    """
    shape = (len(keys), len(periods))
    codes = key_codes(lines["key"], keys)
    idx = periods.index_of(_f(lines, "day"))
    # bin_sum leaves NaN weights out: exactly the lines without a rate, for the revenue.
    return to_frame(
        {name: bin_sum(codes, idx, values, shape) for name, values in _line_measures(lines).items()}, keys, len(periods)
    )


def end_customer_kpis(customers: pd.DataFrame, keys: Sequence, periods: Periods) -> pd.DataFrame:
    """Distinct end customers per key and period (the key is a reporter, a group of reporters or a product line).

    - end_customers_reached = distinct customers with a sale or drop-ship line dated in P
    - new_end_customers = distinct customers whose first sale or drop-ship line of the key (any of its
      reporters; of its product line) is dated in P
    Both are recomputed for every period and key from the lines: a customer reached in two months of a quarter,
    or by two partners of a region, counts once.
    """
    shape = (len(keys), len(periods))
    codes = key_codes(customers["key"], keys)
    customer = _f(customers, "customer")
    ok = (codes >= 0) & ~np.isnan(customer)
    frame = pd.DataFrame({"code": codes[ok], "customer": customer[ok], "day": _f(customers, "day")[ok]})
    reached = frame.assign(period=periods.index_of(frame["day"].to_numpy()))
    reached = reached[reached["period"] >= 0].drop_duplicates(["code", "period", "customer"])
    first = frame.groupby(["code", "customer"], sort=False)["day"].min().reset_index()
    first_idx = periods.index_of(first["day"].to_numpy())
    return to_frame(
        {
            "end_customers_reached": bin_sum(reached["code"].to_numpy(), reached["period"].to_numpy(), None, shape),
            "new_end_customers": bin_sum(first["code"].to_numpy(), first_idx, None, shape),
        },
        keys,
        len(periods),
    )


def end_customers_over(
    customers: pd.DataFrame, keys: Sequence, starts: Sequence, ends: Sequence, now: float, granularity: str
) -> pd.DataFrame:
    """`end_customer_kpis` over ranges that may overlap or be out of order (the like-for-like comparisons of
    periods in progress), one range at a time; rows indexed (key, position of the range)."""
    frames = []
    for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
        frame = end_customer_kpis(customers, keys, Periods(granularity, (start,), (end,), now))
        frame.index = frame.index.set_levels([i], level="period")
        frames.append(frame)
    return pd.concat(frames).sort_index() if frames else pd.DataFrame()


def sellout_groups(lines: pd.DataFrame, partners: pd.DataFrame, periods: Periods) -> pd.DataFrame:
    """Sell-out per group of reporters, product line and end-customer country, and period (`LineSellOut`).

    `partners`: partner_id, region_id, tier_id, partner_type. The same measures as `sellout_kpis`, summed per
    SELLOUT_GROUP (region, tier — empty for untiered partners —, type, product line, country), so the groups
    of a product line add up to its figures. One row per group and period with a line in it: SELLOUT_GROUP,
    period (index in `periods`), SELLOUT_SUMS.
    """
    period = periods.index_of(_f(lines, "day"))
    measures = pd.DataFrame(_line_measures(lines), index=lines.index)
    frame = pd.concat([lines[["partner_id", "product_line_id", "country"]], measures], axis=1)
    frame = frame.assign(period=period)[period >= 0]
    frame = frame.merge(partners[["partner_id", "region_id", "tier_id", "partner_type"]], on="partner_id", how="inner")
    frame["country"] = frame["country"].fillna("").astype(str)
    grouped = frame.groupby([*SELLOUT_GROUP, "period"], dropna=False, sort=True)
    # Sums skip NaN: a line without a rate adds nothing to the revenue (it is counted as unconverted).
    out = grouped[SELLOUT_SUMS].sum().reset_index()
    return out[[*SELLOUT_GROUP, "period", *SELLOUT_SUMS]]


def add_sellout_groups(parts: list[pd.DataFrame], mapping: np.ndarray | None = None) -> pd.DataFrame:
    """Add up `sellout_groups` of several partner chunks, and (with `mapping`, month → quarter or year index,
    -1 for none) roll months up into longer periods: every measure adds up."""
    columns = [*SELLOUT_GROUP, "period", *SELLOUT_SUMS]
    frames = [p for p in parts if not p.empty]
    if not frames:
        return pd.DataFrame(columns=columns)
    stacked = pd.concat(frames, ignore_index=True)
    if mapping is not None:
        stacked["period"] = mapping[stacked["period"].to_numpy(dtype="int64")]
        stacked = stacked[stacked["period"] >= 0]
    grouped = stacked.groupby([*SELLOUT_GROUP, "period"], dropna=False, sort=True)[SELLOUT_SUMS].sum()
    return grouped.reset_index()[columns]
