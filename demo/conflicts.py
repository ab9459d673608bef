"""Planted channel conflicts: a second partner registers a customer another partner already has open.

Rule honoured (DESIGN §2): the later registration is submitted while the earlier one is
`submitted`, or `approved` with protection not yet ended, for the same customer (hence the same
normalised name and domain), with at least one product in common. Both are flagged, and the link
is stored in both directions. The manager usually turns the later one down.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import MONTHS
from .lifecycle import HOUR
from .partners import PartnerSet

CONFLICT_SHARE = 0.015  # of registrations that are the later half of a conflict
SHOWCASE_PAIRS = 2  # per showcase partner, as the later registrant; one more as the earlier one
CONFLICT_APPROVE = 0.3  # the later registrant rarely wins the argument


@dataclass
class Pairs:
    first: np.ndarray  # the earlier registration (deal index)
    later: np.ndarray


def open_until(life: dict, anchor: np.datetime64) -> np.ndarray:
    """When each registration stopped being open (decision, withdrawal, close or expiry), else the anchor."""
    end = np.where(np.isnat(life["closed"]), np.datetime64(anchor, "s"), life["closed"])
    return np.where(life["status"] == "rejected", life["decided"], end)


def plant_conflicts(
    rng: np.random.Generator,
    ps: PartnerSet,
    partner: np.ndarray,
    submitted: np.ndarray,
    draws: dict,
    life: dict,
    forced: np.ndarray,
    anchor,
) -> Pairs:
    """Choose pairs and move each later registration into its earlier one's open window.

    Mutates `submitted` and `draws` of the later registrations; the caller re-resolves lifecycles
    and copies the customer and a product across.
    """
    n = len(partner)
    wanted = int(round(CONFLICT_SHARE * n))
    end = open_until(life, anchor)
    can_be_first = (life["status"] != "draft") & ~forced & (end - life["submitted"] >= 2 * HOUR)
    # The later registrant must have been around for the whole window (it may land anywhere in it).
    settled = (ps.status == "active") & (ps.start_month == 0) & (ps.end_month == MONTHS)
    can_be_later = (life["status"] != "draft") & ~forced & settled[partner]

    showcase = np.array(list(ps.showcase.values()))
    mine = np.isin(partner, showcase)
    firsts = np.concatenate(
        [_take(rng, can_be_first & (partner == p), 1) for p in showcase]
        + [rng.permutation(np.flatnonzero(can_be_first & ~mine))]
    )[:wanted]
    used = np.zeros(n, dtype=bool)
    used[firsts] = True
    # Interleaved in reverse so that no showcase deal is paired with its own partner's (Contoso's
    # later one answers Northwind's earlier one and the other way round).
    own_laters = [_take(rng, can_be_later & (partner == p) & ~used, SHOWCASE_PAIRS) for p in showcase[::-1]]
    interleaved = [rows[k] for k in range(SHOWCASE_PAIRS) for rows in own_laters if k < len(rows)]
    later_pool = np.concatenate(
        [np.array(interleaved, dtype=np.int64), rng.permutation(np.flatnonzero(can_be_later & ~mine & ~used))]
    )
    firsts, laters = _pair(rng, firsts, later_pool, partner)

    window = (end[firsts] - submitted[firsts]).astype(np.int64)
    offset = (rng.uniform(0.05, 0.9, len(firsts)) * window).astype(np.int64)
    submitted[laters] = submitted[firsts] + np.maximum(offset, 60).astype("timedelta64[s]")
    draws["draft"][laters] = 1.0
    draws["approve"][laters] = rng.random(len(laters)) < CONFLICT_APPROVE
    draws["pre_withdraw"][laters] = rng.random(len(laters)) < 0.1
    return Pairs(first=firsts, later=laters)


def _take(rng: np.random.Generator, mask: np.ndarray, k: int) -> np.ndarray:
    rows = np.flatnonzero(mask)
    return rng.permutation(rows)[:k] if len(rows) else rows


def _pair(
    rng: np.random.Generator, firsts: np.ndarray, pool: np.ndarray, partner: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Match each earlier registration with a later one from another partner (pool order first)."""
    firsts = firsts[: len(pool)]
    laters = pool[: len(firsts)].copy()
    spare = list(pool[len(firsts) :])
    keep = np.ones(len(firsts), dtype=bool)
    for index in np.flatnonzero(partner[laters] == partner[firsts]):
        swap = next((k for k, cand in enumerate(spare[:50]) if partner[cand] != partner[firsts[index]]), None)
        if swap is None:
            keep[index] = False
        else:
            laters[index] = spare.pop(swap)
    return firsts[keep], laters[keep]
