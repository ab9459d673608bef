"""Demo exchange rates and the partners that deal in euros or pounds.

Rates are monthly, for every month of the history plus a few before it and the anchor's month, so every
demo amount converts (the missing-rate case is left to the tests). Values move smoothly around plausible
levels (deterministic: the same anchor gives the same rates). They are stated in the reporting currency:
USD per unit by default, cross rates through USD otherwise.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from django.conf import settings

from currencies.models import ExchangeRate

from .config import month_starts
from .partners import PartnerSet

# USD for one unit of each currency, around recent levels.
USD_PER_UNIT = {"USD": 1.0, "EUR": 1.085, "GBP": 1.27, "JPY": 0.0068, "CAD": 0.74, "AUD": 0.66}
# Partners based in these countries register their deals in the country's currency (showcase partners stay USD).
COUNTRY_CURRENCY = {
    **dict.fromkeys(("DE", "FR", "IT", "ES", "NL", "BE", "AT", "IE", "FI", "PT"), "EUR"),
    "GB": "GBP",
}
MONTHS_BEFORE = 3


def partner_currencies(ps: PartnerSet) -> np.ndarray:
    """The currency each demo partner deals in ("S3" codes, as the writer takes them)."""
    codes = np.array([COUNTRY_CURRENCY.get(str(c), "USD") for c in ps.country], dtype="S3")
    codes[list(ps.showcase.values())] = b"USD"
    return codes


def demo_rate_rows(anchor: date) -> list[ExchangeRate]:
    """Monthly rates of every demo currency but the reporting one, from a few months before the history to the
    anchor's month."""
    reporting = settings.PRM_REPORTING_CURRENCY
    base = USD_PER_UNIT.get(reporting)
    if base is None:
        return []  # no cross rate to offer for this reporting currency
    first = month_starts(anchor)[0].astype("datetime64[M]") - MONTHS_BEFORE
    last = np.datetime64(anchor, "M")
    months = np.arange(first, last + 1)
    step = np.arange(len(months), dtype="float64")
    rows = []
    for phase, (code, usd) in enumerate(sorted(USD_PER_UNIT.items())):
        if code == reporting:
            continue
        drift = 1 + 0.03 * np.sin(2 * np.pi * step / 17 + phase) + 0.012 * np.sin(2 * np.pi * step / 5 + 2 * phase)
        for month, factor in zip(months, drift, strict=True):
            value = usd * factor / base
            rows.append(
                ExchangeRate(
                    currency=code,
                    date=month.astype("datetime64[D]").item(),
                    granularity=ExchangeRate.Granularity.MONTH,
                    rate=f"{value:.6g}" if value < 0.1 else f"{value:.4f}",
                    source=ExchangeRate.Source.DEMO,
                )
            )
    return rows


def seed_rates(anchor: date) -> dict[str, int]:
    """Replace the demo rates (rates entered by people are kept, and win over a demo rate of the same month)."""
    ExchangeRate.objects.filter(source=ExchangeRate.Source.DEMO).delete()
    kept = set(ExchangeRate.objects.values_list("currency", "granularity", "date"))
    rows = [r for r in demo_rate_rows(anchor) if (r.currency, r.granularity, r.date) not in kept]
    ExchangeRate.objects.bulk_create(rows)
    return {"exchange rates": len(rows)}
