"""End customers: each partner sells to its own pool, so conflicts appear only where planted.

A partner's pool is sized to its deal volume (about four registrations per customer, the rest
being expansions and renewals). normalised_name and domain are filled with core.normalise here
because rows are bulk loaded and Customer.save() never runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from core.normalise import normalise_company_name, normalise_domain

from .names import LEGAL_FORMS, customer_names
from .partners import PartnerSet
from .reference import Reference


@dataclass
class CustomerSet:
    ids: np.ndarray
    names: list[str]
    domains: list[str]
    industries: np.ndarray
    pool_start: np.ndarray  # per partner: index of its first customer
    pool_size: np.ndarray  # per partner: number of customers (0 when it registers no deals)

    def __len__(self) -> int:
        return len(self.ids)

    def pick(self, rng: np.random.Generator, partner_index: np.ndarray) -> np.ndarray:
        """A customer index from each partner's own pool (the first customers are the regulars)."""
        size = self.pool_size[partner_index]
        offset = np.floor(size * rng.power(0.7, len(partner_index))).astype(np.int64)
        return self.pool_start[partner_index] + np.minimum(offset, np.maximum(size - 1, 0))


def generate_customers(
    rng: np.random.Generator, ps: PartnerSet, ref: Reference, deals_per_partner: np.ndarray, *, first_id: int
) -> CustomerSet:
    pool_size = np.where(deals_per_partner > 0, np.maximum(1, np.ceil(deals_per_partner / 4)), 0).astype(np.int64)
    pool_start = np.concatenate([[0], np.cumsum(pool_size)[:-1]]).astype(np.int64)
    n = int(pool_size.sum())
    names, industries, domains = customer_names(rng, n)
    return CustomerSet(
        ids=np.arange(first_id, first_id + n, dtype=np.int64),
        names=names,
        domains=domains,
        industries=np.array(industries),
        pool_start=pool_start,
        pool_size=pool_size,
    )


def customer_columns(
    rng: np.random.Generator, cs: CustomerSet, ps: PartnerSet, ref: Reference, anchor: date
) -> dict[str, np.ndarray]:
    n = len(cs)
    owner = np.repeat(np.arange(len(ps)), cs.pool_size)
    country = ps.country[owner].copy()
    # Some customers sit in another country of the partner's region (cross-border sales).
    abroad = rng.random(n) < 0.15
    for code, (countries, probabilities) in ref.region_countries.items():
        where = np.flatnonzero(abroad & (ps.region[owner] == code))
        country[where] = rng.choice(countries, size=len(where), p=probabilities)
    full_names = [f"{name} {LEGAL_FORMS.get(c, 'Ltd')}" for name, c in zip(cs.names, country.tolist(), strict=True)]
    start = np.datetime64(anchor, "D") - 24 * 31 - rng.integers(0, 900, n)
    created = start.astype("datetime64[s]") + np.timedelta64(10 * 3600, "s")
    return {
        "id": cs.ids,
        "created_at": created,
        "updated_at": created,
        "name": np.array(full_names),
        "normalised_name": np.array([normalise_company_name(name) for name in full_names]),
        "domain": np.array([normalise_domain(domain) for domain in cs.domains]),
        "country": country,
        "industry": cs.industries,
    }
