"""The stored activation figures: per partner × product line × month, computed by a worker.

Sold units are the serials on a partner's sell-out lines of type sale or drop-shipment (one serial on one
line is one unit sold; a distributor's sale to a reseller and the reseller's sale to its customer each count
for their reporter). For the month M of the line's date:

- `sold_units`       = serialised units sold in M;
- `activated_units`  = those of them whose serial has an activation of the same product (whenever it was
                       activated: a unit sold late in a window may be activated after it);
- `lag_days`         = histogram {days: units} of (activated_on − line date) over the activated units sold
                       in M whose activation is on or after the sale (an earlier activation belongs to an
                       earlier life of the unit and says nothing about this sale);
- `installed_base`   = units (seats) of the activations the partner sold (`Activation.partner`) that are
                       active at the end of M: activated_on ≤ end of M and not deactivated on or before it;
- `active_units`, `usage` = the sum of the usage months M reported for those activations.

Over a window of months (`selectors`): share activated = Σ activated_units / Σ sold_units; median lag = the
median of the merged histograms (the mean of the two middle values for an even count); installed base =
the value of the window's last month. Rows run from a partner's first month with data to the current month.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from partners.models import Partner
from sellout.models import SellOutSerial

from .models import Activation, ActivationFigure, UsageRecord
from .services import SALE_TYPES, activation_sellers_relink

PARTNER_CHUNK = 200


@dataclass
class _Cell:
    sold: int = 0
    activated: int = 0
    lag: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    base: int = 0
    active: int = 0
    usage: Decimal = Decimal(0)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def _cells(partner_ids: Sequence[int], current: date) -> dict[tuple[int, int, date], _Cell]:
    cells: dict[tuple[int, int, date], _Cell] = defaultdict(_Cell)
    first_activation = (
        Activation.objects.filter(product_id=OuterRef("product_id"), identifier=OuterRef("serial"))
        .order_by("activated_on")
        .values("activated_on")[:1]
    )
    sold = (
        SellOutSerial.objects.filter(line__reporter_id__in=partner_ids, line__transaction_type__in=SALE_TYPES)
        .annotate(activated_on=Subquery(first_activation))
        .values("line__reporter_id", "product__product_line_id", "line__date", "activated_on")
        .annotate(units=Count("pk"))
        .order_by()
    )
    for row in sold.iterator(chunk_size=5000):
        day, activated_on = row["line__date"], row["activated_on"]
        cell = cells[(row["line__reporter_id"], row["product__product_line_id"], month_start(day))]
        cell.sold += row["units"]
        if activated_on is not None:
            cell.activated += row["units"]
            if activated_on >= day:
                cell.lag[(activated_on - day).days] += row["units"]
    base = (
        Activation.objects.filter(partner_id__in=partner_ids, activated_on__lt=next_month(current))
        .annotate(start=TruncMonth("activated_on"), stop=TruncMonth("deactivated_on"))
        .values("partner_id", "product__product_line_id", "start", "stop")
        .annotate(units=Sum("units"))
        .order_by()
    )
    for row in base.iterator(chunk_size=5000):
        month = _as_date(row["start"])
        # Deactivated in month X: not active at the end of X (the last day is the latest it could be).
        stop = _as_date(row["stop"]) if row["stop"] is not None else next_month(current)
        while month < stop and month <= current:
            cells[(row["partner_id"], row["product__product_line_id"], month)].base += row["units"]
            month = next_month(month)
    usage = (
        UsageRecord.objects.filter(activation__partner_id__in=partner_ids, month__lte=current)
        .values("activation__partner_id", "activation__product__product_line_id", "month")
        .annotate(active=Sum("active_units"), usage=Sum("usage"))
        .order_by()
    )
    for row in usage.iterator(chunk_size=5000):
        cell = cells[(row["activation__partner_id"], row["activation__product__product_line_id"], row["month"])]
        cell.active += row["active"] or 0
        cell.usage += row["usage"] or Decimal(0)
    return cells


def activation_figures_compute(
    *, partner_ids: Sequence[int] | None = None, today: date | None = None, relink: bool = False
) -> int:
    """Replace the stored figures of these partners (all partners when None); returns the rows written.

    `relink=True` first re-links every activation to its seller (the nightly run: catches sell-out changes
    whose events were missed). Partners are done in chunks, each in its own transaction.
    """
    current = month_start(today or timezone.localdate())
    if relink:
        activation_sellers_relink(activations=Activation.objects.all())
    ids = sorted(partner_ids) if partner_ids is not None else list(Partner.objects.values_list("pk", flat=True))
    written = 0
    now = timezone.now()
    for start in range(0, len(ids), PARTNER_CHUNK):
        chunk = ids[start : start + PARTNER_CHUNK]
        cells = _cells(chunk, current)
        rows = [
            ActivationFigure(
                partner_id=partner_id,
                product_line_id=line_id,
                month=month,
                sold_units=cell.sold,
                activated_units=cell.activated,
                lag_days={str(days): units for days, units in sorted(cell.lag.items())},
                installed_base=cell.base,
                active_units=cell.active,
                usage=cell.usage,
                computed_at=now,
            )
            for (partner_id, line_id, month), cell in cells.items()
            if month <= current
        ]
        with transaction.atomic():
            ActivationFigure.objects.filter(partner_id__in=chunk).delete()
            ActivationFigure.objects.bulk_create(rows, batch_size=2000)
        written += len(rows)
    return written
