"""Demo activations and usage: the vendor's telemetry for a plausible share of the serials partners sold.

Reads the serialised units the demo's sell-out lines sold (sale or drop-shipment lines of demo partners), so
it runs after the sell-out stage and does nothing when there are none. Each partner gets its own propensity
(most between 50 % and 85 % of units activated, a few laggards), each activated unit a lag after its latest
sale (a gamma distribution, about three weeks on average, a long tail), a few deactivations, and monthly usage
(hours) for its last six months. Written as one delivery of each kind (an `ImportBatch` referenced
`seed_demo`, so a reload or a purge finds and removes them), then linked to the sellers and the stored
figures computed, as after a real delivery.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from activations.figures import activation_figures_compute, month_start, next_month
from activations.models import Activation, UsageRecord
from activations.services import SALE_TYPES, activation_sellers_relink
from ingest.models import ImportBatch
from ingest.services import import_batch_open
from sellout.models import SellOutSerial

DEMO_REFERENCE = "seed_demo"
USAGE_MONTHS = 6
CHUNK = 5000


def purge_demo_activations() -> dict[str, int]:
    """Delete what earlier demo deliveries wrote (their batches are referenced `seed_demo`)."""
    batches = ImportBatch.objects.filter(reference=DEMO_REFERENCE, kind__in=("activations", "usage"))
    usage, _ = UsageRecord.objects.filter(batch__in=batches).delete()
    activations = Activation.objects.filter(batch__in=batches)
    removed = activations.count()
    activations.delete()
    batches.delete()
    return {"activations deleted": removed, "usage months deleted": usage}


def seed_activations(rng: np.random.Generator, anchor: date) -> dict[str, int]:
    """Activations and usage for the demo's sold serials (see the module); returns counts for the stage log."""
    counts = purge_demo_activations()
    latest: dict[tuple[int, str], tuple[date, int]] = {}
    sold = SellOutSerial.objects.filter(
        line__reporter__is_demo=True, line__transaction_type__in=SALE_TYPES, line__date__lte=anchor
    ).values_list("product_id", "serial", "line__date", "line__reporter_id")
    for product_id, serial, day, reporter_id in sold.iterator(chunk_size=CHUNK):
        key = (product_id, serial)
        if key not in latest or day > latest[key][0]:
            latest[key] = (day, reporter_id)
    if not latest:
        return counts | {"sold serials": 0}
    units = sorted(latest.items())
    partners = sorted({reporter for _, (_, reporter) in units})
    propensity = dict(zip(partners, np.clip(rng.beta(7, 3, size=len(partners)), 0.05, 0.98), strict=True))
    for laggard in rng.choice(partners, size=max(1, len(partners) // 12), replace=False):
        propensity[int(laggard)] *= 0.5
    draws = rng.random(len(units))
    lags = np.rint(rng.gamma(1.6, 13.0, size=len(units))).astype(int)
    gone = rng.random(len(units)) < 0.06
    gone_after = rng.integers(30, 400, size=len(units))
    seats = np.where(rng.random(len(units)) < 0.1, rng.integers(2, 26, size=len(units)), 1)
    batch = import_batch_open(kind="activations", channel="api", reference=DEMO_REFERENCE)
    rows: list[Activation] = []
    for i, ((product_id, serial), (day, reporter)) in enumerate(units):
        if draws[i] >= propensity[reporter]:
            continue
        activated_on = day + timedelta(days=int(lags[i]))
        if activated_on > anchor:
            continue  # sold lately: not activated yet
        off = activated_on + timedelta(days=int(gone_after[i])) if gone[i] else None
        off = off if off is not None and off <= anchor else None
        rows.append(
            Activation(
                product_id=product_id,
                identifier=serial,
                activated_on=activated_on,
                units=int(seats[i]),
                status="deactivated" if off else "active",
                deactivated_on=off,
                batch=batch,
            )
        )
    Activation.objects.bulk_create(rows, batch_size=CHUNK)
    batch.created_count = len(rows)
    batch.save(update_fields=["created_count"])
    usage_batch = import_batch_open(kind="usage", channel="api", reference=DEMO_REFERENCE)
    first = month_start(anchor)
    for _ in range(USAGE_MONTHS - 1):
        first = month_start(first - timedelta(days=1))
    usage: list[UsageRecord] = []
    for activation in rows:
        month = max(first, month_start(activation.activated_on))
        while month <= anchor and (activation.deactivated_on is None or month < month_start(activation.deactivated_on)):
            in_use = activation.units if activation.units == 1 else max(1, int(activation.units * rng.uniform(0.5, 1)))
            hours = Decimal(str(round(float(rng.gamma(4.0, 18.0)) * in_use, 2)))
            usage.append(
                UsageRecord(
                    activation=activation,
                    month=month,
                    active_units=in_use,
                    usage=hours,
                    usage_unit="hours",
                    batch=usage_batch,
                )
            )
            month = next_month(month)
    UsageRecord.objects.bulk_create(usage, batch_size=CHUNK)
    usage_batch.created_count = len(usage)
    usage_batch.save(update_fields=["created_count"])
    activation_sellers_relink(activations=Activation.objects.filter(batch=batch))
    figures = activation_figures_compute(partner_ids=partners, today=anchor)
    return counts | {
        "sold serials": len(units),
        "activations": len(rows),
        "usage months": len(usage),
        "figure rows": figures,
    }
