"""Inventory reports from distributors and resellers: weekly or monthly stock and sell-through.

Each (partner, product) series is simulated period by period with a simple replenishment policy:
demand follows the partner's activity curve (seasonality, trend), sales are capped by stock, stock
below the reorder point is topped up and arrives the next period (`on_order` meanwhile). So
`units_sold` and `on_hand` hang together: on_hand(t) = on_hand(t-1) + arrivals - units_sold(t).
A few series stop being replenished and end at zero: the stockouts.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from .config import MONTHS, month_starts
from .partners import PartnerSet
from .reference import Catalog

TIER_STOCK = np.array([2.0, 1.5, 1.0, 0.7])
STARVED_SHARE = 0.03  # series that run dry before their last report
SOURCES = np.array(["portal", "csv", "api"])


def report_dates(anchor: date) -> tuple[np.ndarray, np.ndarray]:
    """The weekly grid (Mondays) and the monthly grid (month ends) of the two years before the anchor."""
    starts = month_starts(anchor)
    end = np.datetime64(anchor, "D")
    first_monday = starts[0] + (7 - (starts[0].astype(np.int64) + 3) % 7) % 7
    weekly = np.arange(first_monday, end, 7).astype("datetime64[D]")
    monthly = np.concatenate([starts[1:], [end]]) - 1
    return weekly, monthly.astype("datetime64[D]")


def inventory_columns(
    rng: np.random.Generator,
    ps: PartnerSet,
    catalog: Catalog,
    anchor: date,
    *,
    target_rows: int,
    first_id: int,
) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    reporting = np.isin(ps.types, ["reseller", "distributor"]) & (ps.start_month < ps.end_month)
    reporters = np.flatnonzero(reporting)
    weekly_grid, monthly_grid = report_dates(anchor)
    weekly = (ps.types[reporters] == "distributor") | (ps.tier[reporters] <= 1)
    month_of = {
        True: (weekly_grid.astype("datetime64[M]") - month_starts(anchor)[0].astype("datetime64[M]")).astype(int),
        False: np.arange(MONTHS),
    }
    periods = np.array([_active(ps, p, month_of[bool(w)]).sum() for p, w in zip(reporters, weekly, strict=True)])

    stockable = np.flatnonzero(catalog.is_hardware)
    weight = np.where(ps.types[reporters] == "distributor", 4.0, 1.0) * TIER_STOCK[ps.tier[reporters]]
    weight = weight * rng.lognormal(0, 0.3, len(reporters))
    products_per = _products_per_partner(weight, periods, target_rows, len(stockable))
    popularity = catalog.typical_qty[stockable] / catalog.typical_qty[stockable].sum()

    series_partner, series_product = [], []
    for p, k in zip(reporters, products_per, strict=True):
        series_partner.append(np.full(k, p))
        series_product.append(rng.choice(stockable, size=k, replace=False, p=popularity))
    series_partner = np.concatenate(series_partner)
    series_product = np.concatenate(series_product)
    is_weekly = np.isin(series_partner, reporters[weekly])

    shape = ps.intensity()
    shape = shape / np.maximum(shape.max(axis=1, keepdims=True), 1e-9)
    chunks = []
    for frequency, grid in ((True, weekly_grid), (False, monthly_grid)):
        rows = np.flatnonzero(is_weekly == frequency)
        if len(rows):
            chunks.append(
                _simulate(
                    rng, ps, catalog, series_partner[rows], series_product[rows], grid, month_of[frequency], shape
                )
            )
    merged = {key: np.concatenate([c[key] for c in chunks]) for key in chunks[0]}
    order = np.lexsort((merged["product"], merged["partner"], merged["date"]))
    merged = {key: values[order] for key, values in merged.items()}
    n = len(order)

    preferred = np.where(ps.types == "distributor", 2, rng.integers(0, 2, len(ps)))
    reporter = ps.contact_user
    created = merged["date"].astype("datetime64[s]") + np.timedelta64(17 * 3600, "s")
    last = _is_last(merged)
    counts = {
        "rows": n,
        "series": len(series_partner),
        "reporting partners": len(reporters),
        "stockouts": int(((merged["on_hand"] == 0) & last).sum()),
    }
    return {
        "id": np.arange(first_id, first_id + n, dtype=np.int64),
        "created_at": created,
        "updated_at": created,
        "partner_id": ps.ids[merged["partner"]],
        "product_id": catalog.product_ids[merged["product"]],
        "date": merged["date"],
        "on_hand": merged["on_hand"],
        "units_sold": merged["sold"],
        "on_order": merged["on_order"],
        "source": SOURCES[preferred[merged["partner"]]],
        "reported_by_id": reporter[merged["partner"]],
    }, counts


def _active(ps: PartnerSet, p: int, month_index: np.ndarray) -> np.ndarray:
    return (month_index >= ps.start_month[p]) & (month_index < ps.end_month[p])


def _products_per_partner(weight: np.ndarray, periods: np.ndarray, target: int, limit: int) -> np.ndarray:
    """Products stocked per partner, scaled so that Σ products × reports ≈ target rows (bisection)."""

    def rows(scale: float) -> tuple[np.ndarray, int]:
        k = np.clip(np.round(scale * weight), 2, limit).astype(np.int64)
        return k, int((k * periods).sum())

    low, high = 0.0, 1.0
    while rows(high)[1] < target and high < 1e6:
        high *= 2
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if rows(middle)[1] < target else (low, middle)
    return rows(high)[0]


def _simulate(
    rng: np.random.Generator,
    ps: PartnerSet,
    catalog: Catalog,
    partner: np.ndarray,
    product: np.ndarray,
    grid: np.ndarray,
    month_index: np.ndarray,
    shape: np.ndarray,
) -> dict[str, np.ndarray]:
    """Period-by-period stock simulation of many series at once."""
    s = len(partner)
    per_period = 7 / 30.4 if len(grid) > MONTHS else 1.0
    scale = np.where(ps.types[partner] == "distributor", 8.0, 1.0) * TIER_STOCK[ps.tier[partner]] * per_period
    base = catalog.typical_qty[product] * scale * rng.lognormal(0.3, 0.6, s)
    cover = rng.uniform(1.5, 3.0, s)  # periods of demand the partner likes to hold
    target = np.ceil(base * (cover + 1)).astype(np.int64) + 1
    reorder = np.floor(base * cover / 2).astype(np.int64)
    active = (month_index[None, :] >= ps.start_month[partner][:, None]) & (
        month_index[None, :] < ps.end_month[partner][:, None]
    )
    last = np.where(active.any(axis=1), len(grid) - 1 - np.argmax(active[:, ::-1], axis=1), -1)
    starved = rng.random(s) < STARVED_SHARE
    for key in ps.showcase:  # every showcase partner shows at least one stockout
        own = np.flatnonzero(partner == ps.index_of(key))
        starved[own[:1]] = True
    starve_from = last - rng.integers(2, 6, s)
    on_hand, on_order = target.copy(), np.zeros(s, dtype=np.int64)
    out: dict[str, list[np.ndarray]] = {
        "partner": [],
        "product": [],
        "date": [],
        "on_hand": [],
        "sold": [],
        "on_order": [],
    }
    for t in range(len(grid)):
        demand = rng.poisson(base * shape[partner, month_index[t]])
        available = on_hand + on_order
        sold = np.minimum(demand, available)
        sold = np.where(starved & (t == last), available, sold)  # the last units go: a stockout
        on_hand = available - sold
        order = np.where(on_hand <= reorder, target - on_hand, 0)
        on_order = np.where(starved & (t >= starve_from), 0, order)
        rows = np.flatnonzero(active[:, t])
        for key, values in (("partner", partner), ("product", product), ("on_hand", on_hand), ("sold", sold)):
            out[key].append(values[rows])
        out["on_order"].append(on_order[rows])
        out["date"].append(np.full(len(rows), grid[t]))
    return {key: np.concatenate(values) for key, values in out.items()}


def _is_last(rows: dict[str, np.ndarray]) -> np.ndarray:
    """Rows that are the latest report of their (partner, product) series."""
    key = rows["partner"] * 1_000_000 + rows["product"]
    order = np.lexsort((rows["date"], key))
    last = np.zeros(len(key), dtype=bool)
    ends = np.r_[key[order][1:] != key[order][:-1], True]
    last[order[ends]] = True
    return last
