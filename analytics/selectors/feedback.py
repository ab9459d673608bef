"""Product feedback for pages: products with their stored figures over a span of months, a product's months and
its counts by failure code and loss reason, and the open claim warnings.

Everything reads `ProductFeedbackMonth` / `ProductFeedbackCount` rows (a product, a month, a scope) through
`feedback_scope_q`: a manager who sees every region reads the channel rows, one limited to regions adds up the
rows of those regions. Nothing here reads claims, sales or deals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Case, Count, F, FloatField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from catalog.models import Product
from deals.models import LOSS_REASON_NOT_RECORDED, LossReason
from partners.models import Region
from warranty.models import FailureCode

from ..models import FeedbackKind, ProductFeedbackCount, ProductFeedbackMonth, feedback_scope_q

RECENT_MONTHS = 2  # a warning of the month in progress or the one before is open


def feedback_start(months: int, today: date | None = None) -> date:
    """The first of `months` months ending with the month in progress."""
    today = today or timezone.now().date()
    return date(today.year, today.month, 1) - relativedelta(months=months - 1)


def month_span(start: date, today: date | None = None) -> list[date]:
    """The first days of the months from `start` to the month in progress."""
    today = today or timezone.now().date()
    end = date(today.year, today.month, 1)
    out, month = [], start
    while month <= end:
        out.append(month)
        month += relativedelta(months=1)
    return out


def product_feedback_list(*, user: Any, start: date, today: date | None = None) -> QuerySet[Product]:
    """Products with feedback rows the user may read from `start` on, annotated with their sums over those months:
    `fb_units`, `fb_claims`, `fb_lost`, `fb_expected` (Σ expected claims of the tested months),
    `fb_claims_per_1000` = 1000 × fb_claims / fb_units (empty when nothing was sold), `fb_warnings` (flagged
    product-months) and `fb_open_warnings` (flagged in the month in progress or the one before)."""
    recent = feedback_start(RECENT_MONTHS, today)
    rows = feedback_scope_q(user, "feedback_months") & Q(feedback_months__month__gte=start)
    flagged = rows & Q(feedback_months__claim_flag=True)
    return (
        Product.objects.select_related("product_line")
        .annotate(
            fb_rows=Count("feedback_months", filter=rows),
            fb_units=Coalesce(Sum("feedback_months__units_sold", filter=rows), 0),
            fb_claims=Coalesce(Sum("feedback_months__claims_submitted", filter=rows), 0),
            fb_lost=Coalesce(Sum("feedback_months__deals_lost", filter=rows), 0),
            fb_expected=Sum("feedback_months__expected_claims", filter=rows),
            fb_warnings=Count("feedback_months", filter=flagged),
            fb_open_warnings=Count("feedback_months", filter=flagged & Q(feedback_months__month__gte=recent)),
        )
        .filter(fb_rows__gt=0)
        .annotate(
            fb_claims_per_1000=Case(
                When(
                    fb_units__gt=0,
                    then=Cast(F("fb_claims"), FloatField()) * Value(1000.0) / Cast(F("fb_units"), FloatField()),
                ),
                default=None,
                output_field=FloatField(),
            )
        )
    )


def product_feedback_trends(*, user: Any, product_ids: list[int], start: date) -> dict[int, dict[date, tuple]]:
    """Per product, per month from `start`: (units sold, claims) summed over the user's scope (one query)."""
    rows = (
        ProductFeedbackMonth.objects.visible_to(user)
        .filter(product_id__in=product_ids, month__gte=start)
        .values("product_id", "month")
        .annotate(units=Sum("units_sold"), claims=Sum("claims_submitted"))
        .order_by()
    )
    out: dict[int, dict[date, tuple]] = defaultdict(dict)
    for row in rows:
        out[row["product_id"]][row["month"]] = (row["units"], row["claims"])
    return dict(out)


@dataclass
class FeedbackMonth:
    """One month of a product in the user's scope (the sums of its regions' rows for a regional manager)."""

    month: date
    is_complete: bool = True
    units_sold: int = 0
    units_from_sellout: int = 0
    units_from_inventory: int = 0
    claims_submitted: int = 0
    deals_lost: int = 0
    expected_claims: float | None = None
    claim_p_value: float | None = None  # the smallest of the scope's rows (one row for a channel manager)
    flagged_in: list[str] = field(default_factory=list)  # "the channel" or the regions whose row is flagged

    @property
    def claims_per_1000(self) -> float | None:
        return 1000 * self.claims_submitted / self.units_sold if self.units_sold > 0 else None

    @property
    def expected_per_1000(self) -> float | None:
        if self.expected_claims is None or self.units_sold <= 0:
            return None
        return 1000 * self.expected_claims / self.units_sold


@dataclass
class FeedbackCount:
    """A code's count over the months shown: failure code (`ref` = its id, for the claims list's filter) or
    loss reason (`ref` = its code, or "none" for not recorded)."""

    code: str
    name: str
    count: int
    ref: str
    url: str = ""  # the list behind the count, set by the page


def product_feedback_months(*, user: Any, product: Product, start: date, today: date | None = None) -> list:
    """Every month from `start` to the month in progress (zeros where nothing was recorded), oldest first."""
    months = {m: FeedbackMonth(month=m) for m in month_span(start, today)}
    rows = (
        ProductFeedbackMonth.objects.visible_to(user)
        .filter(product=product, month__gte=start)
        .order_by("month", "region_id")
    )
    names = dict(Region.objects.values_list("pk", "name"))
    for row in rows:
        month = months.get(row.month)
        if month is None:
            continue
        month.is_complete = row.is_complete
        for name in ("units_sold", "units_from_sellout", "units_from_inventory", "claims_submitted", "deals_lost"):
            setattr(month, name, getattr(month, name) + getattr(row, name))
        if row.expected_claims is not None:
            month.expected_claims = (month.expected_claims or 0.0) + row.expected_claims
        if row.claim_p_value is not None:
            month.claim_p_value = min(month.claim_p_value or 1.0, row.claim_p_value)
        if row.claim_flag:
            month.flagged_in.append(names.get(row.region_id, "") if row.region_id else "the channel")
    return list(months.values())


def product_feedback_counts(*, user: Any, product: Product, start: date) -> dict[str, list[FeedbackCount]]:
    """Claims by failure code and lost deals by loss reason from `start`, largest first (names from the lists)."""
    rows = (
        ProductFeedbackCount.objects.visible_to(user)
        .filter(product=product, month__gte=start)
        .values("kind", "code")
        .annotate(total=Sum("count"))
        .order_by()
    )
    totals: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        totals[row["kind"]][row["code"]] = row["total"]
    codes = {c.code: c for c in FailureCode.objects.filter(code__in=list(totals[FeedbackKind.FAILURE_CODE]))}
    reasons = dict(
        LossReason.objects.filter(code__in=list(totals[FeedbackKind.LOSS_REASON])).values_list("code", "name")
    )
    failures = [
        FeedbackCount(
            code, codes[code].description if code in codes else code, n, str(codes[code].pk) if code in codes else ""
        )
        for code, n in totals[FeedbackKind.FAILURE_CODE].items()
    ]
    losses = [
        FeedbackCount(code, reasons.get(code, code) if code else LOSS_REASON_NOT_RECORDED, n, code or "none")
        for code, n in totals[FeedbackKind.LOSS_REASON].items()
    ]
    order = lambda item: (-item.count, item.name)  # noqa: E731
    return {"failure_codes": sorted(failures, key=order), "loss_reasons": sorted(losses, key=order)}


def open_claim_warnings(*, user: Any, today: date | None = None) -> list[ProductFeedbackMonth]:
    """The flagged rows of the month in progress and the one before that the user may read, most unlikely first."""
    return list(
        ProductFeedbackMonth.objects.visible_to(user)
        .filter(claim_flag=True, month__gte=feedback_start(RECENT_MONTHS, today))
        .select_related("product", "product__product_line", "region")
        .order_by("claim_p_value", "-month", "product__sku")
    )
