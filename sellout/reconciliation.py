"""Two-tier reconciliation: what a distributor says it sold to a reseller against what the reseller's own
reports say it received.

Per distributor D → reseller R, product P and calendar month M (UTC):

- `distributor_units` = Σ signed quantity of D's sell-out lines with `sold_to_partner` = R, product P, dated
  in M (sale and drop-shipment +quantity, return −quantity, transfer 0: `SellOutLine.SIGN`);
- `stock_change` = on_hand(R, P, end of M) − on_hand(R, P, end of M−1), where on_hand(end of X) is the
  latest `on_hand` R reported for P dated on or before the last day of X (the KPI `on_hand_end` rule). The
  opening position must be a report dated in the `BASELINE_DAYS` days before M; without one, or without a
  report dated in M, the change is unknown (None) and the row is incomplete, never an exception;
- `stock_sold` = Σ `units_sold` of R's inventory rows for P dated in M;
- `received_by_stock` = stock_change + stock_sold (units that came in, by the stock reports);
- `reseller_sellout` = Σ signed quantity of R's own sell-out lines for P dated in M (None when R reported no
  sell-out line at all that month: it does not report sell-out, which is not the same as selling nothing);
- `received_by_sellout` = stock_change + reseller_sellout;
- `expected` = the units all distributors reported selling to R for P in M (D's, plus any other
  distributor's: R's receipts cover them all);
- gap = received − expected, for each of the two measures that is known.

A row is an exception when a known gap exceeds the tolerance: |gap| > max(`units`, `share` × |expected|)
(defaults 2 units and 5 %: settings PRM_SELLOUT_RECONCILIATION_UNITS and PRM_SELLOUT_RECONCILIATION_SHARE).
Every number is read through the visibility rule of its model: a manager sees the pairs of partners in
their regions, a distributor its own sales and its resellers' stock and sell-out; a stock report the user
may not read counts as missing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Case, F, IntegerField, Sum, Value, When

from catalog.models import Product
from inventory.models import InventoryReport
from partners.models import Partner

from .models import SellOutLine

BASELINE_DAYS = 92
DEFAULT_UNITS = 2
DEFAULT_SHARE = Decimal("0.05")


@dataclass(frozen=True)
class Tolerance:
    """A gap is tolerated while |gap| ≤ max(units, share × |expected|)."""

    units: int = DEFAULT_UNITS
    share: Decimal = DEFAULT_SHARE

    @classmethod
    def from_settings(cls) -> Tolerance:
        return cls(
            units=int(getattr(settings, "PRM_SELLOUT_RECONCILIATION_UNITS", DEFAULT_UNITS)),
            share=Decimal(str(getattr(settings, "PRM_SELLOUT_RECONCILIATION_SHARE", DEFAULT_SHARE))),
        )

    def allows(self, gap: int, expected: int) -> bool:
        return abs(gap) <= max(Decimal(self.units), self.share * abs(expected))


@dataclass
class ReconciliationRow:
    distributor_id: int
    reseller_id: int
    product_id: int
    month: date
    distributor_units: int
    other_distributors_units: int = 0
    stock_change: int | None = None
    stock_sold: int = 0
    reseller_sellout: int | None = None
    distributor: Any = None
    reseller: Any = None
    product: Any = None
    exception_reasons: list[str] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return self.distributor_units + self.other_distributors_units

    @property
    def received_by_stock(self) -> int | None:
        return None if self.stock_change is None else self.stock_change + self.stock_sold

    @property
    def received_by_sellout(self) -> int | None:
        if self.stock_change is None or self.reseller_sellout is None:
            return None
        return self.stock_change + self.reseller_sellout

    @property
    def stock_gap(self) -> int | None:
        received = self.received_by_stock
        return None if received is None else received - self.expected

    @property
    def sellout_gap(self) -> int | None:
        received = self.received_by_sellout
        return None if received is None else received - self.expected

    @property
    def is_complete(self) -> bool:
        return self.stock_change is not None

    @property
    def is_exception(self) -> bool:
        return bool(self.exception_reasons)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def months_between(first: date, last: date) -> list[date]:
    """First days of the months from `first`'s to `last`'s, inclusive."""
    months, month = [], month_start(first)
    while month <= month_start(last):
        months.append(month)
        month = next_month(month)
    return months


def closing_on_hand(reports: list[tuple[date, int]], month: date, *, baseline_from: date | None = None) -> int | None:
    """The latest on_hand dated before the month after `month` (and not before `baseline_from`); None if none.

    `reports` are (date, on_hand) sorted by date.
    """
    end = next_month(month)
    found = None
    for day, on_hand in reports:
        if day >= end:
            break
        if baseline_from is None or day >= baseline_from:
            found = on_hand
    return found


def reconcile(
    *,
    distributor_units: dict[tuple[int, int, int, date], int],
    stock: dict[tuple[int, int], list[tuple[date, int, int]]],
    reseller_units: dict[tuple[int, int, date], int],
    reseller_reported_months: set[tuple[int, date]],
    tolerance: Tolerance,
) -> list[ReconciliationRow]:
    """The rows from plain data (no database): see the module docstring for every formula.

    `distributor_units`: (distributor, reseller, product, month) → signed units; `stock`: (reseller, product)
    → [(date, on_hand, units_sold)] sorted by date; `reseller_units`: (reseller, product, month) → signed
    units of its own sell-out; `reseller_reported_months`: (reseller, month) with any sell-out line.
    """
    by_target: dict[tuple[int, int, date], int] = defaultdict(int)
    for (_, reseller, product, month), units in distributor_units.items():
        by_target[(reseller, product, month)] += units
    rows: list[ReconciliationRow] = []
    for (distributor, reseller, product, month), units in distributor_units.items():
        row = ReconciliationRow(
            distributor_id=distributor,
            reseller_id=reseller,
            product_id=product,
            month=month,
            distributor_units=units,
            other_distributors_units=by_target[(reseller, product, month)] - units,
        )
        reports = stock.get((reseller, product), [])
        in_month = [r for r in reports if month <= r[0] < next_month(month)]
        previous = month - timedelta(days=1)
        opening = closing_on_hand(
            [(d, h) for d, h, _ in reports], month_start(previous), baseline_from=month - timedelta(days=BASELINE_DAYS)
        )
        if in_month and opening is not None:
            row.stock_change = in_month[-1][1] - opening
        row.stock_sold = sum(sold for _, _, sold in in_month)
        if (reseller, month) in reseller_reported_months:
            row.reseller_sellout = reseller_units.get((reseller, product, month), 0)
        if row.stock_gap is not None and not tolerance.allows(row.stock_gap, row.expected):
            row.exception_reasons.append(f"stock reports show {row.received_by_stock:+,} received")
        if row.sellout_gap is not None and not tolerance.allows(row.sellout_gap, row.expected):
            row.exception_reasons.append(f"stock change and sell-out show {row.received_by_sellout:+,} received")
        rows.append(row)
    rows.sort(key=lambda r: (r.month, r.distributor_id, r.reseller_id, r.product_id))
    return rows


def _signed_units() -> Sum:
    return Sum(
        Case(
            When(transaction_type__in=["sale", "drop_ship"], then=F("quantity")),
            When(transaction_type="return", then=-F("quantity")),
            default=Value(0),
            output_field=IntegerField(),
        )
    )


def _month_of(day: date) -> date:
    return day.replace(day=1)


def two_tier_reconciliation(
    *,
    user: Any,
    first_month: date,
    last_month: date,
    distributor: Partner | None = None,
    tolerance: Tolerance | None = None,
    exceptions_only: bool = False,
) -> list[ReconciliationRow]:
    """The reconciliation rows the user may see for the months from `first_month` to `last_month`.

    A constant number of queries whatever the number of rows (sales, stock reports, sell-out, names),
    each through its model's visibility rule.
    """
    tolerance = tolerance or Tolerance.from_settings()
    start, end = month_start(first_month), next_month(last_month)
    sales = SellOutLine.objects.visible_to(user).filter(sold_to_partner__isnull=False, date__gte=start, date__lt=end)
    if distributor is not None:
        sales = sales.filter(reporter=distributor)
    elif getattr(user, "is_partner_member", False):
        sales = sales.filter(reporter_id=user.partner_id)  # a partner reconciles its own sales only
    distributor_units: dict[tuple[int, int, int, date], int] = defaultdict(int)
    for reporter, buyer, product, day, units in (
        sales.order_by()
        .values_list("reporter_id", "sold_to_partner_id", "product_id", "date")
        .annotate(units=_signed_units())
    ):
        distributor_units[(reporter, buyer, product, _month_of(day))] += units
    # Other distributors' sales to the same resellers count in `expected` (visible ones only).
    resellers = {key[1] for key in distributor_units}
    products = {key[2] for key in distributor_units}
    if not distributor_units:
        return []
    other = (
        SellOutLine.objects.visible_to(user)
        .filter(sold_to_partner_id__in=resellers, product_id__in=products, date__gte=start, date__lt=end)
        .exclude(reporter_id__in={key[0] for key in distributor_units})
        .order_by()
        .values_list("reporter_id", "sold_to_partner_id", "product_id", "date")
        .annotate(units=_signed_units())
    )
    extra: dict[tuple[int, int, int, date], int] = defaultdict(int)
    for reporter, buyer, product, day, units in other:
        extra[(reporter, buyer, product, _month_of(day))] += units
    stock: dict[tuple[int, int], list[tuple[date, int, int]]] = defaultdict(list)
    rows = (
        InventoryReport.objects.visible_to(user)
        .filter(
            partner_id__in=resellers,
            product_id__in=products,
            date__gte=start - timedelta(days=BASELINE_DAYS),
            date__lt=end,
        )
        .order_by("date")
        .values_list("partner_id", "product_id", "date", "on_hand", "units_sold")
    )
    for reseller, product, day, on_hand, sold in rows:
        stock[(reseller, product)].append((day, on_hand, sold))
    own = (
        SellOutLine.objects.visible_to(user)
        .filter(reporter_id__in=resellers, date__gte=start, date__lt=end)
        .order_by()
        .values_list("reporter_id", "product_id", "date")
        .annotate(units=_signed_units())
    )
    reseller_units: dict[tuple[int, int, date], int] = defaultdict(int)
    reported_months: set[tuple[int, date]] = set()
    for reseller, product, day, units in own:
        reported_months.add((reseller, _month_of(day)))
        if product in products:
            reseller_units[(reseller, product, _month_of(day))] += units
    all_units = {**distributor_units}
    result = reconcile(
        distributor_units={**all_units, **extra},
        stock=stock,
        reseller_units=reseller_units,
        reseller_reported_months=reported_months,
        tolerance=tolerance,
    )
    result = [row for row in result if (row.distributor_id, row.reseller_id, row.product_id, row.month) in all_units]
    _attach_names(result)
    if exceptions_only:
        result = [row for row in result if row.is_exception]
    return result


def _attach_names(rows: Iterable[ReconciliationRow]) -> None:
    rows = list(rows)
    partner_ids = {r.distributor_id for r in rows} | {r.reseller_id for r in rows}
    partners = Partner.objects.in_bulk(partner_ids) if partner_ids else {}
    products = Product.objects.only("pk", "sku", "name").in_bulk({r.product_id for r in rows}) if rows else {}
    for row in rows:
        row.distributor = partners.get(row.distributor_id)
        row.reseller = partners.get(row.reseller_id)
        row.product = products.get(row.product_id)
