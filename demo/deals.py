"""Deal registrations: how many each partner registers and when, for whom, and which products.

Volume: the partner × month intensity (tier, trajectory, seasonality, activity window) is scaled
to exactly the requested number of registrations with one multinomial draw. Submission times fall
in working hours, mostly on weekdays. Lines favour the partner's focus product line; quantities
grow with tier and unit prices carry the tier discount. Lifecycles come from `lifecycle`, planted
conflicts and the event history from `deal_history`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import MONTHS, month_starts
from .lifecycle import FORCIBLE, force
from .partners import PartnerSet
from .reference import Catalog

LINE_COUNT_P = (0.5, 0.28, 0.15, 0.07)  # 1, 2, 3 or 4 product lines
TIER_QTY = np.array([2.2, 1.5, 1.0, 0.7])
TIER_DISCOUNT = np.array([0.30, 0.22, 0.15, 0.08])
# networking, wireless, storage, servers, security, software
LINE_POPULARITY = np.array([0.26, 0.12, 0.14, 0.18, 0.12, 0.18])
FORCED_PER_STATUS = 2  # per showcase partner, so their portal shows every status


@dataclass
class Lines:
    deal: np.ndarray  # index of the deal (generation order)
    product: np.ndarray  # index into the catalog
    quantity: np.ndarray
    unit_cents: np.ndarray


def deal_volume(rng: np.random.Generator, ps: PartnerSet, total: int) -> np.ndarray:
    """Registrations per partner (rows) and month (columns), summing to exactly `total`."""
    intensity = ps.volume_intensity()
    probabilities = (intensity / intensity.sum()).ravel()
    return rng.multinomial(total, probabilities).reshape(intensity.shape)


def submission_times(rng: np.random.Generator, counts: np.ndarray, anchor) -> tuple[np.ndarray, np.ndarray]:
    """(partner index, submission time) per registration, in working hours, weekends mostly skipped."""
    cells = np.repeat(np.arange(counts.size), counts.ravel())
    partner, month = np.divmod(cells, MONTHS)
    starts = month_starts(anchor)
    lengths = np.diff(np.concatenate([starts, [np.datetime64(anchor, "D")]])).astype(np.int64)
    day = starts[month] + np.floor(rng.random(len(cells)) * lengths[month]).astype(np.int64)
    weekday = (day.astype(np.int64) + 3) % 7  # 0 = Monday
    day = np.where((weekday >= 5) & (rng.random(len(cells)) < 0.85), day - (weekday - 4), day)
    day = np.maximum(day, starts[month])  # never back into the previous month
    seconds = (7.5 * 3600 + rng.random(len(cells)) * 11 * 3600).astype(np.int64)
    return partner, day.astype("datetime64[s]") + seconds.astype("timedelta64[s]")


def generate_lines(rng: np.random.Generator, partner: np.ndarray, ps: PartnerSet, catalog: Catalog) -> Lines:
    """1–4 distinct products per deal, mostly from the partner's focus line."""
    n_lines = len(catalog.line_ids)
    popularity = LINE_POPULARITY[:n_lines] / LINE_POPULARITY[:n_lines].sum()
    focus = rng.choice(n_lines, size=len(ps), p=popularity)
    per_deal = rng.choice(np.arange(1, 5), size=len(partner), p=LINE_COUNT_P)
    deal = np.repeat(np.arange(len(partner)), per_deal)
    owner = partner[deal]
    line = np.where(rng.random(len(deal)) < 0.6, focus[owner], rng.choice(n_lines, size=len(deal), p=popularity))
    product = catalog.line_start[line] + np.floor(rng.random(len(deal)) * catalog.line_count[line]).astype(np.int64)
    # A product appears once per deal: keep the first of any repeat.
    _keys, first = np.unique(deal * len(catalog.product_ids) + product, return_index=True)
    first.sort()
    deal, product, owner = deal[first], product[first], owner[first]
    tier = ps.tier[owner]
    quantity = np.maximum(1, np.round(catalog.typical_qty[product] * TIER_QTY[tier] * rng.lognormal(0, 0.7, len(deal))))
    return Lines(
        deal=deal, product=product, quantity=quantity.astype(np.int64), unit_cents=_price(rng, catalog, product, tier)
    )


def _price(rng: np.random.Generator, catalog: Catalog, product: np.ndarray, tier: np.ndarray) -> np.ndarray:
    discount = TIER_DISCOUNT[tier] + rng.uniform(-0.04, 0.06, len(product))
    return np.round(catalog.list_cents[product] * (1 - discount)).astype(np.int64)


def give_product(
    rng: np.random.Generator,
    lines: Lines,
    catalog: Catalog,
    ps: PartnerSet,
    partner: np.ndarray,
    deals: np.ndarray,
    products: np.ndarray,
) -> None:
    """Make sure each of `deals` has `products` (one each) on a line: the first line is swapped if needed.

    Used for planted conflicts, which need a product in common with the earlier registration.
    """
    keys = lines.deal * len(catalog.product_ids) + lines.product
    has = np.isin(deals * len(catalog.product_ids) + products, keys)
    first_line = np.searchsorted(lines.deal, deals)
    swap = first_line[~has]
    lines.product[swap] = products[~has]
    lines.unit_cents[swap] = _price(rng, catalog, products[~has], ps.tier[partner[deals[~has]]])


def amounts(lines: Lines, n_deals: int) -> np.ndarray:
    """Deal amount in cents = Σ quantity × unit price over its lines (exact integer arithmetic)."""
    totals = np.zeros(n_deals, dtype=np.int64)
    np.add.at(totals, lines.deal, lines.quantity * lines.unit_cents)
    return totals


def force_showcase(
    rng: np.random.Generator, ps: PartnerSet, partner: np.ndarray, draws: dict, submitted: np.ndarray, anchor
) -> np.ndarray:
    """Give each showcase partner FORCED_PER_STATUS deals in every status; returns the forced mask."""
    forced = np.zeros(len(partner), dtype=bool)
    anchor_s = np.datetime64(anchor, "s")
    for key in ps.showcase:
        own = rng.permutation(np.flatnonzero(partner == ps.index_of(key)))
        for number, status in enumerate(FORCIBLE):
            rows = own[number * FORCED_PER_STATUS : (number + 1) * FORCED_PER_STATUS]
            force(rng, draws, submitted, rows, status, anchor_s)
            forced[rows] = True
    return forced
