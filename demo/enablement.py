"""Certifications: how many a partner holds follows its tier, and some have lapsed."""

from __future__ import annotations

from datetime import date

import numpy as np

from .names import person_names
from .partners import PartnerSet
from .reference import Reference

LEVELS = ("Associate", "Professional", "Expert")
# Certifications held per tier (Platinum … Bronze): low, high (inclusive).
CERTS_BY_TIER = np.array([[8, 12], [5, 8], [2, 4], [0, 2]])
VALID_DAYS = 730  # a certification is valid for two years


def certification_columns(
    rng: np.random.Generator, ps: PartnerSet, ref: Reference, anchor: date, *, first_id: int
) -> dict[str, np.ndarray]:
    low, high = CERTS_BY_TIER[ps.tier, 0], CERTS_BY_TIER[ps.tier, 1]
    count = rng.integers(low, high + 1)
    count = np.where(ps.types == "service_partner", count + 2, count)
    count = np.where(ps.status == "prospect", 0, np.where(ps.status == "onboarding", np.minimum(count, 1), count))
    owner = np.repeat(np.arange(len(ps)), count)
    n = len(owner)
    anchor_day = np.datetime64(anchor, "D")
    joined = np.where(np.isnat(ps.joined), anchor_day - 60, ps.joined)[owner]
    leaving = np.isin(ps.status, ["inactive", "terminated"])[owner]
    # Current partners mostly renew (earned in the last two years); leaving ones let them lapse.
    renewed = rng.random(n) < np.where(leaving, 0.3, 0.8)
    age = np.where(renewed, rng.integers(10, VALID_DAYS - 5, n), rng.integers(VALID_DAYS, 1500, n))
    earned = np.maximum(anchor_day - age, joined + 7)
    earned = np.minimum(earned, anchor_day - 1).astype("datetime64[D]")
    expires = (earned + VALID_DAYS).astype("datetime64[D]")
    catalog = ref.catalog
    line = rng.integers(0, len(catalog.line_ids), n)
    level = np.minimum(rng.integers(0, 3, n) + (ps.tier[owner] <= 1), 2)
    names = np.array([f"{catalog.line_names[li]} {LEVELS[lv]}" for li, lv in zip(line, level, strict=True)])
    created = earned.astype("datetime64[s]") + np.timedelta64(12 * 3600, "s")
    return {
        "id": np.arange(first_id, first_id + n, dtype=np.int64),
        "created_at": created,
        "updated_at": created,
        "partner_id": ps.ids[owner],
        "name": names,
        "product_line_id": catalog.line_ids[line],
        "holder_name": np.array(person_names(rng, n)),
        "earned_on": earned,
        "expires_on": expires,
    }
