"""The partner population: types, tiers, lifecycle, two-tier links, and how busy each one is.

Every later generator (deals, inventory, claims) draws its volume from `PartnerSet.intensity()`,
a partner × month matrix that carries the story of each partner: tier-dependent size, a growth or
decline trajectory, quarter-end seasonality, a start when the partner was onboarded and an end
when it went dormant, inactive or was terminated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from .config import MONTHS, SHOWCASE, Size, month_coverage, month_starts
from .names import partner_names, slugify
from .reference import REGION_WEIGHTS, TIER_NAMES, Reference

TYPES = ("reseller", "distributor", "system_integrator", "service_partner", "msp", "isv", "referral")
TYPE_SHARE = (0.36, 0.06, 0.14, 0.12, 0.14, 0.08, 0.10)
# Probability of Platinum, Gold, Silver, Bronze per type.
TIER_BY_TYPE = {
    "reseller": (0.05, 0.17, 0.35, 0.43),
    "distributor": (0.35, 0.45, 0.20, 0.0),
    "system_integrator": (0.08, 0.22, 0.40, 0.30),
    "service_partner": (0.03, 0.15, 0.40, 0.42),
    "msp": (0.04, 0.16, 0.40, 0.40),
    "isv": (0.02, 0.10, 0.38, 0.50),
    "referral": (0.0, 0.03, 0.27, 0.70),
}
STATUSES = ("active", "onboarding", "prospect", "inactive", "terminated")
STATUS_SHARE = (0.74, 0.07, 0.05, 0.08, 0.06)
# Relative monthly deal registrations: a Platinum partner registers ~14× a Bronze one.
DEAL_RATE_BY_TIER = np.array([7.0, 3.0, 1.3, 0.5])
TYPE_DEAL_FACTOR = {
    "reseller": 1.0,
    "distributor": 0.5,
    "system_integrator": 1.1,
    "service_partner": 0.08,
    "msp": 0.8,
    "isv": 0.35,
    "referral": 0.3,
}
SHOWCASE_BOOST = {"northwind": 4.0, "contoso": 3.0}


def seasonality(months: np.ndarray) -> np.ndarray:
    """Quarter-end peaks (the last month of a quarter sells most), a strong December, a quiet August."""
    month_of_year = (months.astype("datetime64[M]").astype(np.int64) % 12) + 1
    factor = np.array([0.8, 0.95, 1.35])[(month_of_year - 1) % 3]
    factor = factor * np.where(month_of_year == 12, 1.15, 1.0) * np.where(month_of_year == 8, 0.8, 1.0)
    return factor * np.where(month_of_year == 1, 0.9, 1.0)


@dataclass
class PartnerSet:
    ids: np.ndarray
    names: list[str]
    slugs: list[str]
    types: np.ndarray  # "U" codes
    tier: np.ndarray  # 0 = Platinum … 3 = Bronze
    status: np.ndarray
    region: np.ndarray  # region codes
    country: np.ndarray
    parent: np.ndarray  # partner id or -1
    manager: np.ndarray  # account manager user id
    joined: np.ndarray  # datetime64[D], NaT for prospects
    onboarded: np.ndarray
    start_month: np.ndarray  # first month with activity (0 … MONTHS)
    end_month: np.ndarray  # first month without activity again
    trend: np.ndarray  # yearly log-growth of activity
    weight: np.ndarray  # relative activity level
    season: np.ndarray  # per month
    coverage: np.ndarray  # per month: the share of its days before the anchor (config.month_coverage)
    showcase: dict[str, int] = field(default_factory=dict)  # key → partner index
    contact_user: np.ndarray | None = None  # a user id per partner, -1 where none
    showcase_logins: dict[str, list[int]] = field(default_factory=dict)  # key → [admin id, user id]

    def __len__(self) -> int:
        return len(self.ids)

    def intensity(self) -> np.ndarray:
        """Expected activity per partner (rows) and month (columns), before scaling to a volume."""
        month = np.arange(MONTHS)
        active = (month >= self.start_month[:, None]) & (month < self.end_month[:, None])
        growth = np.exp(self.trend[:, None] * (month - (MONTHS - 1) / 2) / 12)
        return self.weight[:, None] * growth * self.season[None, :] * active

    def volume_intensity(self) -> np.ndarray:
        """`intensity` for counting events per month: a month under way gets its share of them."""
        return self.intensity() * self.coverage[None, :]

    def index_of(self, key: str) -> int:
        return self.showcase[key]


def _counts(n: int, shares: tuple[float, ...], minimum: int) -> np.ndarray:
    """Integer counts summing to n, proportional to shares, each at least `minimum` (largest remainder)."""
    raw = np.array(shares) * n
    counts = np.maximum(np.floor(raw).astype(int), minimum)
    while counts.sum() > n:
        counts[np.argmax(counts)] -= 1
    while counts.sum() < n:
        counts[np.argmax(raw - counts)] += 1
    return counts


def generate_partners(
    rng: np.random.Generator,
    size: Size,
    ref: Reference,
    anchor: date,
    *,
    first_id: int,
    managers: dict[str, int],
    global_manager: int,
    reserved_names: set[str],
) -> PartnerSet:
    n = size.partners
    keys = list(SHOWCASE)
    # Types: the showcase partners are resellers; every type is represented even in `small`.
    type_counts = _counts(n, TYPE_SHARE, 2)
    pool = np.repeat(np.array(TYPES), type_counts)
    pool = np.delete(pool, np.flatnonzero(pool == "reseller")[: len(keys)])
    types = np.concatenate([np.array(["reseller"] * len(keys)), rng.permutation(pool)])
    statuses = np.repeat(np.array(STATUSES), _counts(n, STATUS_SHARE, 1))
    statuses = np.delete(statuses, np.flatnonzero(statuses == "active")[: len(keys)])
    status = np.concatenate([np.array(["active"] * len(keys)), rng.permutation(statuses)]).astype("U12")
    tier = np.array([rng.choice(4, p=TIER_BY_TYPE[t]) for t in types], dtype=np.int64)
    region = rng.choice(list(REGION_WEIGHTS), size=n, p=list(REGION_WEIGHTS.values())).astype("U8")
    for index, key in enumerate(keys):
        tier[index] = TIER_NAMES.index(SHOWCASE[key]["tier"])
        region[index] = SHOWCASE[key]["region"]
    for missing in sorted(set(range(4)) - set(tier[len(keys) :].tolist())):
        tier[rng.integers(len(keys), n)] = missing
    # Each region gets a distributor first, so two-tier links exist everywhere (and for Northwind).
    distributors = np.flatnonzero(types == "distributor")
    for code, index in zip(REGION_WEIGHTS, distributors, strict=False):
        region[index], status[index] = code, "active"
    country = np.empty(n, dtype="U2")
    for code, (countries, probabilities) in ref.region_countries.items():
        where = np.flatnonzero(region == code)
        country[where] = rng.choice(countries, size=len(where), p=probabilities)
    for index, key in enumerate(keys):
        country[index] = SHOWCASE[key]["country"]

    anchor_day = np.datetime64(anchor, "D")
    joined, onboarded, start, end = _lifecycle(rng, status, anchor_day)
    for index in range(len(keys)):
        joined[index] = anchor_day - 1900 - 40 * index
        onboarded[index] = joined[index] + 35
        start[index], end[index] = 0, MONTHS

    trend = _trends(rng, status)
    weight = DEAL_RATE_BY_TIER[tier] * np.array([TYPE_DEAL_FACTOR[t] for t in types]) * rng.lognormal(0, 0.45, n)
    weight = np.where(status == "onboarding", weight * 0.3, weight)
    for index, key in enumerate(keys):
        trend[index] = 0.45 if key == "northwind" else 0.1
        weight[index] *= SHOWCASE_BOOST[key]

    ids = np.arange(first_id, first_id + n, dtype=np.int64)
    parent = _parents(rng, ids, types, region, status)
    manager = np.array([managers[code] for code in region], dtype=np.int64)
    manager = np.where((tier == 0) & (rng.random(n) < 0.5), global_manager, manager)

    showcase_names = {SHOWCASE[key]["name"] for key in keys}
    names = [SHOWCASE[key]["name"] for key in keys]
    names += partner_names(rng, list(types[len(keys) :]), reserved_names | showcase_names)
    return PartnerSet(
        ids=ids,
        names=names,
        slugs=[slugify(name) for name in names],
        types=types,
        tier=tier,
        status=status,
        region=region,
        country=country,
        parent=parent,
        manager=manager,
        joined=joined,
        onboarded=onboarded,
        start_month=start,
        end_month=end,
        trend=trend,
        weight=weight,
        season=seasonality(month_starts(anchor)),
        coverage=month_coverage(anchor),
        showcase={key: index for index, key in enumerate(keys)},
    )


def _lifecycle(
    rng: np.random.Generator, status: np.ndarray, anchor_day: np.datetime64
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Joined/onboarded dates and the months in which each partner is active (MONTHS = the anchor)."""
    n = len(status)
    first_month = month_starts(anchor_day)[0].astype("datetime64[M]")
    tenure = (90 + 2100 * rng.beta(1.3, 1.0, n)).astype(np.int64)
    joined = anchor_day - tenure
    onboarded = joined + rng.integers(14, 120, n)
    onboarding, prospect = status == "onboarding", status == "prospect"
    joined = np.where(onboarding, anchor_day - rng.integers(20, 150, n), joined)
    onboarded = np.where(onboarding | prospect, np.datetime64("NaT"), onboarded)
    joined = np.where(prospect, np.datetime64("NaT"), joined).astype("datetime64[D]")
    onboarded = onboarded.astype("datetime64[D]")

    started = (onboarded.astype("datetime64[M]") - first_month).astype(np.int64)
    start = np.clip(np.where(np.isnat(onboarded), MONTHS, started), 0, MONTHS)
    start = np.where(onboarding, MONTHS - 2, start)  # first registrations while onboarding
    end = np.full(n, MONTHS, dtype=np.int64)
    dormant = (status == "active") & (rng.random(n) < 0.12)
    dormant[:2] = False  # the showcase partners are busy to the end
    end = np.where(dormant, MONTHS - rng.integers(3, 9, n), end)
    end = np.where(status == "inactive", MONTHS - rng.integers(4, 15, n), end)
    end = np.where(status == "terminated", MONTHS - rng.integers(2, 21, n), end)
    end = np.where(prospect, MONTHS, end)
    return joined, onboarded, start.astype(np.int64), end


def _trends(rng: np.random.Generator, status: np.ndarray) -> np.ndarray:
    n = len(status)
    kind = rng.choice(3, size=n, p=[0.3, 0.2, 0.5])  # growth, decline, flat
    leaving = np.isin(status, ["inactive", "terminated"])
    kind = np.where(leaving & (rng.random(n) < 0.6), 1, kind)
    growth = rng.uniform(0.4, 1.2, n)
    return np.select([kind == 0, kind == 1], [growth, -growth], rng.normal(0, 0.15, n))


def _parents(
    rng: np.random.Generator, ids: np.ndarray, types: np.ndarray, region: np.ndarray, status: np.ndarray
) -> np.ndarray:
    """Two-tier: about half the resellers (and some MSPs) buy through a distributor in their region."""
    parent = np.full(len(ids), -1, dtype=np.int64)
    supplier = (types == "distributor") & (status != "prospect")
    by_region = {code: ids[supplier & (region == code)] for code in np.unique(region)}
    chance = np.where(types == "reseller", 0.55, np.where(types == "msp", 0.3, 0.0))
    chance[0], chance[1] = 1.0, 0.0  # Northwind buys through a distributor, Contoso buys direct
    for index in np.flatnonzero(rng.random(len(ids)) < chance):
        candidates = by_region.get(region[index], ids[:0])
        if len(candidates):
            parent[index] = candidates[rng.integers(len(candidates))]
    return parent


def partner_columns(ps: PartnerSet, ref: Reference, anchor: date) -> dict[str, np.ndarray]:
    """The partners_partner rows (every one marked is_demo)."""
    n = len(ps)
    created = np.where(np.isnat(ps.joined), np.datetime64(anchor, "D") - 30, ps.joined).astype("datetime64[s]")
    created = created + np.timedelta64(9 * 3600, "s")
    updated = np.where(np.isnat(ps.onboarded), created, ps.onboarded.astype("datetime64[s]") + 10 * 3600)
    tier_ids = np.array([ref.tiers[name] for name in TIER_NAMES], dtype=np.int64)[ps.tier]
    return {
        "id": ps.ids,
        "created_at": created,
        "updated_at": updated.astype("datetime64[s]"),
        "name": np.array(ps.names),
        "partner_type": ps.types,
        "tier_id": np.where(ps.status == "prospect", -1, tier_ids),
        "program_id": np.full(n, ref.program_id, dtype=np.int64),
        "status": ps.status,
        "region_id": np.array([ref.regions[code] for code in ps.region], dtype=np.int64),
        "country": ps.country,
        "parent_id": ps.parent,
        # Partners still onboarding and prospects have no account manager yet: the managers in scope hear of them.
        "account_manager_id": np.where(np.isin(ps.status, ["onboarding", "prospect"]), -1, ps.manager),
        "website": np.array([f"https://www.{slug}.example" for slug in ps.slugs]),
        "contact_email": np.array([f"partners@{slug}.example" for slug in ps.slugs]),
        "joined_on": ps.joined,
        "onboarded_on": ps.onboarded,
        "is_demo": np.ones(n, dtype=bool),
    }
