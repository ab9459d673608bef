"""Product feedback, stored: read the month totals the database groups, compute (`feedback.py`), write
`ProductFeedbackMonth` and `ProductFeedbackCount`, and tell managers about new warnings.

A step of every analytics run (the nightly full recompute and the hourly refresh): the months it writes are
the run's months; the 12 months before them are read too, as the baseline of the first ones. The database
adds the raw rows up (one GROUP BY per source: sell-out lines, stock reports, claims, lost deals' lines), so
no raw row crosses into Python.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.urls import reverse

from catalog.models import Product
from deals.models import DealLine, DealStatus
from inventory.models import InventoryReport
from notifications.services import notify
from partners.models import Partner
from partners.selectors import active_managers
from sellout.models import SellOutLine
from warranty.models import WarrantyClaim

from . import feedback
from .conf import feedback_alpha, feedback_min_expected
from .models import ProductFeedbackCount, ProductFeedbackMonth
from .periods import Window
from .writers import insert_frame

MONTH_COLUMNS = [
    "product_id",
    "product_line_id",
    "region_id",
    "month",
    "is_complete",
    *feedback.COUNT_COLUMNS,
    "line_claim_rate",
    "expected_claims",
    "claim_p_value",
    "claim_flag",
    "computed_at",
]
ALERT_MONTHS = 2  # new warnings of the month in progress and the one before raise a notification


def _month(value: Any) -> date:
    return date(value.year, value.month, 1)


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    if "month" in frame and len(frame):
        frame["month"] = [_month(v) for v in frame["month"]]
    return frame


def load_units(start: date) -> pd.DataFrame:
    """Per reporting partner, product and month from `start`: signed sell-out units to end customers, the
    number of sell-out lines (any), and the stock reports' units_sold."""
    # The sign of each transaction type is SellOutLine.SIGN's (sales and drop-ships +, returns −, transfers 0).
    adds = [kind for kind, sign in SellOutLine.SIGN.items() if sign > 0]
    takes = [kind for kind, sign in SellOutLine.SIGN.items() if sign < 0]
    signed = Case(
        When(Q(transaction_type__in=adds, sold_to_partner__isnull=True), then="quantity"),
        default=Value(0),
        output_field=IntegerField(),
    )
    returned = Case(
        When(Q(transaction_type__in=takes, sold_to_partner__isnull=True), then="quantity"),
        default=Value(0),
        output_field=IntegerField(),
    )
    sellout = (
        SellOutLine.objects.filter(date__gte=start)
        .annotate(month=TruncMonth("date"))
        .values("reporter_id", "product_id", "month")
        .annotate(sold=Sum(signed), returned=Sum(returned), lines=Count("pk"))
        .order_by()
    )
    sold = _frame(
        [
            {
                "partner_id": r["reporter_id"],
                "product_id": r["product_id"],
                "month": r["month"],
                "sellout_units": (r["sold"] or 0) - (r["returned"] or 0),
                "sellout_lines": r["lines"],
            }
            for r in sellout
        ],
        ["partner_id", "product_id", "month", "sellout_units", "sellout_lines"],
    )
    stock = (
        InventoryReport.objects.filter(date__gte=start)
        .annotate(month=TruncMonth("date"))
        .values("partner_id", "product_id", "month")
        .annotate(inventory_units=Sum("units_sold"))
        .order_by()
    )
    reported = _frame(list(stock), ["partner_id", "product_id", "month", "inventory_units"])
    units = sold.merge(reported, on=["partner_id", "product_id", "month"], how="outer")
    regions = dict(Partner.objects.values_list("pk", "region_id"))
    units["region_id"] = units["partner_id"].map(regions)
    return units.dropna(subset=["region_id"])


def load_claims(start: date) -> pd.DataFrame:
    """Claims submitted from `start`, per region of the service partner, product, month (UTC) and failure code."""
    rows = (
        WarrantyClaim.objects.filter(submitted_at__gte=datetime(start.year, start.month, start.day, tzinfo=UTC))
        .annotate(month=TruncMonth("submitted_at", tzinfo=UTC))
        .values("partner__region_id", "product_id", "month", "failure_code__code")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return _frame(
        [
            {
                "region_id": r["partner__region_id"],
                "product_id": r["product_id"],
                "month": r["month"],
                "code": r["failure_code__code"],
                "count": r["count"],
            }
            for r in rows
        ],
        ["region_id", "product_id", "month", "code", "count"],
    )


def load_losses(start: date) -> pd.DataFrame:
    """Registrations closed lost from `start` with a line of the product, per region of the partner, product,
    month (UTC) and loss reason code ("" = not recorded); a deal with two lines of one product counts once."""
    rows = (
        DealLine.objects.filter(
            deal__status=DealStatus.LOST,
            deal__closed_at__gte=datetime(start.year, start.month, start.day, tzinfo=UTC),
        )
        .annotate(month=TruncMonth("deal__closed_at", tzinfo=UTC))
        .values("deal__partner__region_id", "product_id", "month", "deal__loss_reason__code")
        .annotate(count=Count("deal_id", distinct=True))
        .order_by()
    )
    return _frame(
        [
            {
                "region_id": r["deal__partner__region_id"],
                "product_id": r["product_id"],
                "month": r["month"],
                "code": r["deal__loss_reason__code"] or "",
                "count": r["count"],
            }
            for r in rows
        ],
        ["region_id", "product_id", "month", "code", "count"],
    )


def product_feedback_compute(window: Window) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The month rows and the count rows of the window's months (not written)."""
    first = window.months.starts[0]
    start = first - relativedelta(months=feedback.BASELINE_MONTHS)
    months = [start + relativedelta(months=i) for i in range(feedback.BASELINE_MONTHS)] + list(window.months.starts)
    claims, losses = load_claims(start), load_losses(start)
    products = pd.DataFrame(list(Product.objects.values("id", "product_line_id")), columns=["id", "product_line_id"])
    products = products.rename(columns={"id": "product_id"})
    table = feedback.monthly_table(load_units(start), claims, losses, products)
    table = feedback.claim_warnings(table, months, alpha=feedback_alpha(), min_expected=feedback_min_expected())
    counts = feedback.counts_table(claims, losses)
    wanted = set(window.months.starts)
    complete = dict(zip(window.months.starts, window.months.complete.tolist(), strict=True))
    table = table[table["month"].isin(wanted)].copy()
    counts = counts[counts["month"].isin(wanted)].copy()
    now = datetime.fromtimestamp(window.now, tz=UTC)
    table["is_complete"] = table["month"].map(complete).astype(bool)
    table["computed_at"] = now
    counts["computed_at"] = now
    for frame in (table, counts):
        frame["region_id"] = frame["scope"].where(frame["scope"] != feedback.CHANNEL).astype("float64")
    return table[MONTH_COLUMNS], counts[["product_id", "region_id", "month", "kind", "code", "count", "computed_at"]]


def product_feedback_refresh(*, window: Window, alert: bool = True) -> dict:
    """Recompute and replace the stored feedback of the window's months in one transaction; then notify the
    managers of each warning that is new (see `warnings_announce`). Returns the counts written."""
    table, counts = product_feedback_compute(window)
    first = window.months.starts[0]
    with transaction.atomic():
        before = set(
            ProductFeedbackMonth.objects.filter(month__gte=first, claim_flag=True).values_list(
                "product_id", "region_id", "month"
            )
        )
        ProductFeedbackMonth.objects.filter(month__gte=first).delete()
        ProductFeedbackCount.objects.filter(month__gte=first).delete()
        insert_frame(ProductFeedbackMonth, table)
        insert_frame(ProductFeedbackCount, counts)
        announced = warnings_announce(table, before, window) if alert else 0
    return {"kind": "product_feedback", "months": len(table), "counts": len(counts), "warnings_new": announced}


def warnings_announce(table: pd.DataFrame, before: set[tuple], window: Window) -> int:
    """Notify the managers of each claim warning of the last ALERT_MONTHS months that was not flagged before.

    A channel warning (all regions) goes to the managers who see every region; a region's warning to the
    managers limited to regions that include it. The notice names the product and the figures, never a partner.
    """
    recent = set(window.months.starts[-ALERT_MONTHS:])
    flagged = table[table["claim_flag"] & table["month"].isin(recent)]
    if flagged.empty:
        return 0
    managers = active_managers()
    products = Product.objects.in_bulk([int(p) for p in flagged["product_id"].unique()])
    sent = 0
    for row in flagged.itertuples(index=False):
        region = None if pd.isna(row.region_id) else int(row.region_id)
        if (row.product_id, region, row.month) in before:
            continue
        product = products.get(int(row.product_id))
        if product is None:
            continue
        recipients = [m for m in managers if (not m.region_ids if region is None else region in m.region_ids)]
        where = "" if region is None else " in one of your regions"
        notify(
            recipients=recipients,
            verb="product.claim_warning",
            title=f"Claim rate warning: {product.sku} in {row.month:%Y-%m}",
            body=(
                f"{product.sku} — {product.name}: {row.claims_submitted} claims{where} against "
                f"{row.expected_claims:.1f} expected from its product line's rate "
                f"(P = {row.claim_p_value:.2g}). See the product feedback page."
            ),
            url=reverse("dashboards:product_detail", args=[product.pk]),
            email=False,
        )
        sent += 1
    return sent
