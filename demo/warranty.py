"""Warranty claims from service partners (and some resellers), with their review history.

Flags follow the warranty service's rules exactly: out of warranty when the failure date is after
purchase date + the product's warranty in calendar months (31 Jan + 1 month = 28/29 Feb); duplicate
when the same serial number was claimed in the previous 30 days (`duplicate_of` = that claim).
About 6% of claims are filed after the warranty ended and 2% repeat a serial; managers mostly
reject both. Decisions take days, payment follows approval by one to four weeks.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from .config import MONTHS, month_starts
from .customers import CustomerSet
from .lifecycle import DAY, HOUR, NAT
from .partners import PartnerSet
from .reference import Reference

OUT_OF_WARRANTY_SHARE = 0.06
DUPLICATE_SHARE = 0.02
CLAIM_RATE_BY_TIER = np.array([3.0, 2.0, 1.3, 0.8])
REJECTIONS = np.array(
    [
        b"No fault found on the returned unit.",
        b"Damage caused by misuse is not covered.",
        b"Serial number does not match the registered product.",
        b"Labour hours exceed the standard repair time.",
    ]
)
OUT_OF_WARRANTY_REJECTION = b"The failure happened after the warranty ended."


def add_months(days: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Calendar-month addition clamped to the month's end, as warranty.services.warranty_end counts cover."""
    month = days.astype("datetime64[M]") + months.astype("timedelta64[M]")
    day_of_month = (days - days.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)
    month_length = ((month + 1).astype("datetime64[D]") - month.astype("datetime64[D]")).astype(np.int64)
    return month.astype("datetime64[D]") + np.minimum(day_of_month, month_length - 1)


def cents_text(cents: np.ndarray) -> np.ndarray:
    """Integer cents as "1234.56" bytes, exactly."""
    units = (cents // 100).astype("S18")
    rest = (cents % 100).astype(np.int64)
    return np.char.add(np.char.add(units, b"."), np.char.add((rest // 10).astype("S1"), (rest % 10).astype("S1")))


def claim_volume(rng: np.random.Generator, ps: PartnerSet, total: int) -> np.ndarray:
    """Claims per filing partner and month: service partners, a fifth of resellers and the showcase partners."""
    files = (ps.types == "service_partner") | ((ps.types == "reseller") & (rng.random(len(ps)) < 0.2))
    files[list(ps.showcase.values())] = True
    shape = ps.volume_intensity() / np.maximum(ps.weight[:, None], 1e-9)
    weight = CLAIM_RATE_BY_TIER[ps.tier] * np.where(ps.types == "service_partner", 1.0, 0.3) * files
    for key in ps.showcase:  # they file claims like a Gold reseller that repairs in house
        weight[ps.index_of(key)] = max(weight[ps.index_of(key)], 0.6)
    intensity = weight[:, None] * shape
    return rng.multinomial(total, (intensity / intensity.sum()).ravel()).reshape(intensity.shape)


def generate_claims(
    rng: np.random.Generator, ps: PartnerSet, ref: Reference, cs: CustomerSet, anchor: date, total: int
) -> dict[str, np.ndarray]:
    """Per-claim arrays in generation order (originals first, then their duplicates)."""
    duplicates = int(round(total * DUPLICATE_SHARE))
    counts = claim_volume(rng, ps, total - duplicates)
    cells = np.repeat(np.arange(counts.size), counts.ravel())
    partner, month = np.divmod(cells, MONTHS)
    n = len(partner)
    anchor_day = np.datetime64(anchor, "D")
    starts = month_starts(anchor)
    lengths = np.diff(np.concatenate([starts, [anchor_day]])).astype(np.int64)
    failure = starts[month] + np.floor(rng.random(n) * lengths[month]).astype(np.int64)
    delay = (rng.uniform(0, 12, n) * DAY).astype("timedelta64[s]") + (8 * HOUR)
    submitted = np.minimum(failure.astype("datetime64[s]") + delay, np.datetime64(anchor, "s") - 2 * HOUR)
    failure = np.minimum(failure, submitted.astype("datetime64[D]"))

    catalog = ref.catalog
    hardware = np.flatnonzero(catalog.is_hardware)
    popularity = catalog.typical_qty[hardware] / catalog.typical_qty[hardware].sum()
    product = rng.choice(hardware, size=n, p=popularity)
    cover = (catalog.warranty_months[product] * 30.4).astype(np.int64)
    late = rng.random(n) < OUT_OF_WARRANTY_SHARE
    age = np.where(late, cover + rng.integers(5, 300, n), np.floor(rng.uniform(0.02, 0.97, n) * cover))
    purchase = (failure - age.astype(np.int64)).astype("datetime64[D]")
    serial = rng.choice(10**9, size=n, replace=False)

    # Duplicates: the same unit claimed again within 30 days of an earlier claim.
    eligible = np.flatnonzero(submitted < np.datetime64(anchor, "s") - 31 * DAY)
    original = rng.choice(eligible, size=min(duplicates, len(eligible)), replace=False)
    k = len(original)
    files = np.flatnonzero(counts.sum(axis=1) > 0)
    dup_partner = np.where(rng.random(k) < 0.85, partner[original], files[rng.integers(0, len(files), k)])
    dup_submitted = submitted[original] + (rng.uniform(1, 29, k) * DAY).astype("timedelta64[s]")
    dup_failure = np.minimum(failure[original] + rng.integers(0, 20, k), dup_submitted.astype("datetime64[D]"))

    partner = np.concatenate([partner, dup_partner])
    product = np.concatenate([product, product[original]])
    purchase = np.concatenate([purchase, purchase[original]])
    failure = np.concatenate([failure, dup_failure]).astype("datetime64[D]")
    submitted = np.concatenate([submitted, dup_submitted])
    serial = np.concatenate([serial, serial[original]])
    duplicate_of = np.concatenate([np.full(n, -1), original])
    out_of_warranty = failure > add_months(purchase, catalog.warranty_months[product])
    has_customer = rng.random(n + k) < 0.6
    pool = cs.pool_size[partner]
    own = cs.pool_start[partner] + np.floor(rng.random(n + k) * np.maximum(pool, 1)).astype(np.int64)
    anyone = rng.integers(0, len(cs), n + k)
    customer = np.where(has_customer, np.where(pool > 0, own, anyone), -1)
    customer = np.concatenate([customer[:n], customer[original]])
    return {
        "partner": partner,
        "product": product,
        "purchase": purchase,
        "failure": failure,
        "submitted": submitted,
        "serial": serial,
        "duplicate_of": duplicate_of,
        "out_of_warranty": out_of_warranty,
        "customer": customer,
    }


def claim_lifecycle(rng: np.random.Generator, claims: dict, anchor: date, ps: PartnerSet) -> dict[str, np.ndarray]:
    """Review, decision and payment times, and the status as of the anchor.

    The latest unflagged claims of each showcase partner are held at submitted, under review and
    approved (not yet paid), so their portal shows claims in every state.
    """
    submitted = claims["submitted"]
    n = len(submitted)
    anchor_s = np.datetime64(anchor, "s")
    straight = rng.random(n) < 0.15  # decided without a separate review step
    review = submitted + (np.clip(rng.lognormal(np.log(1.5), 0.7, n), 0.05, 20) * DAY).astype("timedelta64[s]")
    review = np.where(straight, NAT, review)
    start = np.where(straight, submitted, review)
    decided = start + (np.clip(rng.lognormal(np.log(4), 0.7, n), 0.1, 45) * DAY).astype("timedelta64[s]")
    flagged_late, flagged_dup = claims["out_of_warranty"], claims["duplicate_of"] >= 0
    approve_p = np.where(flagged_dup, 0.08, np.where(flagged_late, 0.12, 0.86))
    approve = rng.random(n) < approve_p
    paid = decided + (rng.uniform(4, 25, n) * DAY).astype("timedelta64[s]")
    clean = ~flagged_late & ~flagged_dup
    for key in ps.showcase:
        own = np.flatnonzero((claims["partner"] == ps.index_of(key)) & clean)
        latest = own[np.argsort(submitted[own])[::-1][:3]]
        if len(latest) < 3:
            continue
        waiting, reviewing_now, approved_now = latest
        straight[latest] = False
        review[waiting] = anchor_s + DAY
        review[[reviewing_now, approved_now]] = submitted[[reviewing_now, approved_now]] + HOUR // 2
        decided[[waiting, reviewing_now]] = anchor_s + 2 * DAY
        decided[approved_now] = submitted[approved_now] + HOUR
        approve[approved_now] = True
        paid[approved_now] = anchor_s + 5 * DAY

    status = np.full(n, "submitted", dtype="U12")
    reviewing = ~straight & (review <= anchor_s)
    status[reviewing] = "under_review"
    done = decided <= anchor_s
    status[done & approve] = "approved"
    status[done & ~approve] = "rejected"
    status[done & approve & (paid <= anchor_s)] = "paid"
    return {
        "status": status,
        "review": np.where(reviewing, review, NAT),
        "decided": np.where(done, decided, NAT),
        "paid": np.where(status == "paid", paid, NAT),
        "approved": done & approve,
        "straight": straight,
    }
