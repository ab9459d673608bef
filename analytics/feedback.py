"""Product feedback, pure: units sold by the sell-out-or-stock rule, monthly figures per product and scope, and
the claim-rate early warning (pandas in, pandas out; no Django). `feedback_store` loads and writes.

A scope is a region id, or CHANNEL (-1) for every partner together. Months are first days of months, and
`months` lists every month loaded, oldest first: the trailing baseline of a month reads the 12 before it.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd

CHANNEL = -1  # the scope key of the whole channel (stored as an empty region)
BASELINE_MONTHS = 12

UNIT_COLUMNS = ["units_sold", "units_from_sellout", "units_from_inventory"]
COUNT_COLUMNS = [*UNIT_COLUMNS, "claims_submitted", "deals_lost"]
KEYS = ["scope", "product_id", "month"]


def poisson_sf(observed: int, expected: float) -> float:
    """P(X ≥ observed) for X ~ Poisson(expected), summed term by term away from the mode.

    Above the mean, the upper tail Σ_{i ≥ k} e^−λ λ^i / i!; at or below it, 1 − the lower tail
    Σ_{i < k}. Each sum starts at its largest term (computed in logs, so a large λ does not underflow)
    and stops when the terms no longer change it: exact to double precision, as scipy.stats.poisson.sf.
    """
    if observed <= 0:
        return 1.0
    if expected <= 0:
        return 0.0
    log_lam = math.log(expected)

    def tail(start: int, step: int) -> float:
        i, total = start, 0.0
        term = math.exp(-expected + i * log_lam - math.lgamma(i + 1))
        while i >= 0 and term > 0.0:
            total += term
            if term < total * 1e-17:
                break
            if step > 0:
                term *= expected / (i + 1)
            else:
                term *= i / expected
            i += step
        return total

    if observed > expected:
        return min(1.0, tail(observed, +1))
    return min(1.0, max(0.0, 1.0 - tail(observed - 1, -1)))


def units_sold(units: pd.DataFrame) -> pd.DataFrame:
    """Units sold per region, product and month, by the rule of each reporting partner, product and month:
    its sell-out (`sellout_units`, already signed) when it reported any sell-out line (`sellout_lines` > 0),
    else its stock reports' `inventory_units`.

    In: partner_id, region_id, product_id, month, sellout_units, sellout_lines, inventory_units (one row per
    partner, product and month). Out: region_id, product_id, month and UNIT_COLUMNS.
    """
    if units.empty:
        return pd.DataFrame(columns=["region_id", "product_id", "month", *UNIT_COLUMNS])
    frame = units.fillna({"sellout_units": 0, "sellout_lines": 0, "inventory_units": 0})
    from_sellout = frame["sellout_lines"].to_numpy() > 0
    frame = frame.assign(
        units_from_sellout=np.where(from_sellout, frame["sellout_units"], 0).astype("int64"),
        units_from_inventory=np.where(from_sellout, 0, frame["inventory_units"]).astype("int64"),
    )
    frame["units_sold"] = frame["units_from_sellout"] + frame["units_from_inventory"]
    return frame.groupby(["region_id", "product_id", "month"], as_index=False)[UNIT_COLUMNS].sum()


def _with_channel(frame: pd.DataFrame, keys: list[str], values: list[str]) -> pd.DataFrame:
    """The regional rows (scope = region) and their sums over every region (scope = CHANNEL)."""
    regional = frame.rename(columns={"region_id": "scope"})
    channel = regional.groupby(keys, as_index=False)[values].sum().assign(scope=CHANNEL)
    return pd.concat([regional[["scope", *keys, *values]], channel[["scope", *keys, *values]]], ignore_index=True)


def monthly_table(
    units: pd.DataFrame, claims: pd.DataFrame, losses: pd.DataFrame, products: pd.DataFrame
) -> pd.DataFrame:
    """One row per scope, product and month with anything to say: units_sold (and its split by source),
    claims_submitted, deals_lost, and product_line_id.

    `units` as for `units_sold`; `claims`: region_id, product_id, month, code, count (claims by failure code);
    `losses`: region_id, product_id, month, code, count (lost deals by loss reason); `products`: product_id,
    product_line_id.
    """
    parts = [
        _with_channel(units_sold(units), ["product_id", "month"], UNIT_COLUMNS),
        _with_channel(
            claims.groupby(["region_id", "product_id", "month"], as_index=False)["count"]
            .sum()
            .rename(columns={"count": "claims_submitted"}),
            ["product_id", "month"],
            ["claims_submitted"],
        ),
        _with_channel(
            losses.groupby(["region_id", "product_id", "month"], as_index=False)["count"]
            .sum()
            .rename(columns={"count": "deals_lost"}),
            ["product_id", "month"],
            ["deals_lost"],
        ),
    ]
    table = pd.concat(parts, ignore_index=True).groupby(KEYS, as_index=False).sum(min_count=1)
    for column in COUNT_COLUMNS:
        table[column] = table[column].fillna(0).astype("int64")
    lines = products.set_index("product_id")["product_line_id"]
    table["product_line_id"] = table["product_id"].map(lines)
    return table.dropna(subset=["product_line_id"]).astype({"product_line_id": "int64"}).reset_index(drop=True)


def counts_table(claims: pd.DataFrame, losses: pd.DataFrame) -> pd.DataFrame:
    """Claims by failure code and lost deals by loss reason per scope, product and month: scope, product_id,
    month, kind, code, count (regional rows and their channel sums; zero counts left out)."""
    frames = []
    for kind, frame in (("failure_code", claims), ("loss_reason", losses)):
        if frame.empty:
            continue
        frame = frame.assign(code=frame["code"].fillna("").astype(str))
        grouped = frame.groupby(["region_id", "product_id", "month", "code"], as_index=False)["count"].sum()
        frames.append(_with_channel(grouped, ["product_id", "month", "code"], ["count"]).assign(kind=kind))
    if not frames:
        return pd.DataFrame(columns=["scope", "product_id", "month", "kind", "code", "count"])
    out = pd.concat(frames, ignore_index=True)
    return out[out["count"] > 0].reset_index(drop=True)


def claim_warnings(table: pd.DataFrame, months: list[date], *, alpha: float, min_expected: float) -> pd.DataFrame:
    """`table` (from `monthly_table`) with the claim-rate test of every row.

    For a product P of line L in scope S and month m, over the BASELINE_MONTHS months before m:
      line_claim_rate = (claims of L's products other than P) / (units sold of L's products other than P),
        empty when those units are not positive (P alone in its line, or nothing sold);
      expected_claims = units_sold(P, m) × line_claim_rate, empty when P sold nothing in m;
      claim_p_value = P(X ≥ claims_submitted(P, m)) for X ~ Poisson(expected_claims);
      claim_flag = expected_claims ≥ min_expected and claim_p_value < alpha.
    The product itself is left out of its baseline, so a product whose claims jump does not raise the rate it
    is measured against. Rows without the test keep empty values and no flag.
    """
    out = table.copy()
    out["line_claim_rate"] = np.nan
    out["expected_claims"] = np.nan
    out["claim_p_value"] = np.nan
    out["claim_flag"] = False
    if out.empty:
        return out
    position = {month: i for i, month in enumerate(months)}
    out["m"] = out["month"].map(position)
    out = out.dropna(subset=["m"]).astype({"m": "int64"})
    count = len(months)
    series = ["claims_submitted", "units_sold"]
    grid = out.pivot_table(index=["scope", "product_id"], columns="m", values=series, aggfunc="sum", fill_value=0)
    trailing = {}
    for name in series:
        values = grid[name].reindex(columns=range(count), fill_value=0).to_numpy(dtype="float64")
        cumulative = np.concatenate([np.zeros((len(values), 1)), np.cumsum(values, axis=1)], axis=1)
        ends = np.arange(count)  # the months before m: [m − 12, m)
        starts = np.maximum(ends - BASELINE_MONTHS, 0)
        trailing[name] = cumulative[:, ends] - cumulative[:, starts]
    lines = out.drop_duplicates(["scope", "product_id"]).set_index(["scope", "product_id"])["product_line_id"]
    index = grid.index
    line_of = lines.reindex(index).to_numpy()
    scope_of = index.get_level_values("scope").to_numpy()
    group = pd.MultiIndex.from_arrays([scope_of, line_of])
    others = {}
    for name, own in trailing.items():
        line_total = pd.DataFrame(own, index=group).groupby(level=[0, 1]).transform("sum").to_numpy()
        others[name] = line_total - own
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(others["units_sold"] > 0, others["claims_submitted"] / others["units_sold"], np.nan)
    row = index.get_indexer(pd.MultiIndex.from_arrays([out["scope"], out["product_id"]]))
    rates = rate[row, out["m"].to_numpy()]
    units = out["units_sold"].to_numpy(dtype="float64")
    expected = np.where(units > 0, units * rates, np.nan)
    observed = out["claims_submitted"].to_numpy()
    pairs = zip(observed.tolist(), expected.tolist(), strict=True)
    p_values = np.array([np.nan if np.isnan(lam) else poisson_sf(int(k), lam) for k, lam in pairs], dtype="float64")
    out["line_claim_rate"] = rates
    out["expected_claims"] = expected
    out["claim_p_value"] = p_values
    with np.errstate(invalid="ignore"):
        out["claim_flag"] = (expected >= min_expected) & (p_values < alpha)
    return out.drop(columns=["m"]).reset_index(drop=True)
