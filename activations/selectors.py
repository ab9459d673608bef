"""Reading activation figures for pages and exports: windows of the stored table, never the raw rows.

Every read starts from `ActivationFigure.objects.visible_to(user)` or from one partner the caller has already
found through the visibility rule. Formulas over a window of months (see `figures` for the monthly ones):
share activated = Σ activated / Σ sold (None when nothing serialised was sold); median lag = median of the
merged lag histograms; installed base and active units = those of the window's last month. The tier median
is the median, over the active partners of the partner's tier with units sold in the window (the partner
included), of each one's figure; it is withheld (None) when fewer than `min_peers` partners have one, so a
median can never be one partner's number.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, F, FloatField, Q, QuerySet, Sum, When
from django.db.models.functions import Cast
from django.utils import timezone

from catalog.models import ProductLine
from partners.models import Partner

from .figures import month_start, next_month
from .models import ActivationFigure

WINDOWS = (3, 6, 12, 24)
DEFAULT_WINDOW = 12


@dataclass(frozen=True)
class Window:
    """Whole months [first, last]; `months` of them ending with the month of `today`."""

    first: date
    last: date

    @classmethod
    def ending(cls, today: date, months: int) -> Window:
        last = month_start(today)
        index = last.year * 12 + last.month - 1 - (months - 1)
        return cls(date(index // 12, index % 12 + 1, 1), last)

    @property
    def months(self) -> list[date]:
        out, month = [], self.first
        while month <= self.last:
            out.append(month)
            month = next_month(month)
        return out

    @property
    def label(self) -> str:
        return f"{self.first:%b %Y} – {self.last:%b %Y}"


def activation_section_window(period_end: date, *, today: date | None = None) -> Window:
    """The 12 months the partner page and the scorecard show: ending with a period's last month (`period_end`
    exclusive), or with the current month when the period runs on past it."""
    today = today or timezone.localdate()
    return Window.ending(min(period_end - timedelta(days=1), today), DEFAULT_WINDOW)


def lag_median(histograms: Iterable[dict[str, int]]) -> float | None:
    """Median of the lags in days held by histograms {days: units}; None when there are none."""
    merged: dict[int, int] = defaultdict(int)
    for histogram in histograms:
        for days, units in histogram.items():
            merged[int(days)] += units
    total = sum(merged.values())
    if not total:
        return None
    ordered = sorted(merged.items())

    def nth(position: int) -> int:  # the value at 0-based `position` of the sorted lags
        seen = 0
        for days, units in ordered:
            seen += units
            if position < seen:
                return days
        raise IndexError(position)

    if total % 2:
        return float(nth(total // 2))
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


def share(activated: int, sold: int) -> float | None:
    return activated / sold if sold else None


@dataclass
class Figures:
    sold: int = 0
    activated: int = 0
    histograms: list[dict[str, int]] = field(default_factory=list)
    installed_base: int = 0
    active_units: int = 0

    @property
    def share(self) -> float | None:
        return share(self.activated, self.sold)

    @property
    def median_lag(self) -> float | None:
        return lag_median(self.histograms)

    def add(self, row: dict[str, Any], last: date) -> None:
        self.sold += row["sold_units"]
        self.activated += row["activated_units"]
        if row["lag_days"]:
            self.histograms.append(row["lag_days"])
        if row["month"] == last:
            self.installed_base += row["installed_base"]
            self.active_units += row["active_units"]


@dataclass
class LineFigures:
    line: ProductLine | None  # None: every line
    mine: Figures
    tier_share: float | None = None
    tier_lag: float | None = None


@dataclass
class PartnerSummary:
    window: Window
    lines: list[LineFigures]
    total: LineFigures
    trend: list[dict[str, Any]]  # per month: installed base, active units, usage
    tier_peers: int

    @property
    def has_data(self) -> bool:
        return bool(
            self.total.mine.sold or self.total.mine.installed_base or any(m["active_units"] for m in self.trend)
        )


FIELDS = (
    "partner_id",
    "product_line_id",
    "month",
    "sold_units",
    "activated_units",
    "lag_days",
    "installed_base",
    "active_units",
)


def _tier_medians(
    partner: Partner, window: Window
) -> tuple[dict[int | None, tuple[float | None, float | None]], dict[int | None, int]]:
    """{line id or None (all lines): (median share, median lag)} over the partner's active tier peers, and
    how many peers each median is taken over."""
    if partner.tier_id is None:
        return {}, {}
    rows = ActivationFigure.objects.filter(
        partner__tier_id=partner.tier_id,
        partner__status=Partner.Status.ACTIVE,
        month__gte=window.first,
        month__lte=window.last,
        sold_units__gt=0,
    ).values_list("partner_id", "product_line_id", "sold_units", "activated_units", "lag_days")
    per: dict[tuple[int, int | None], Figures] = defaultdict(Figures)
    for partner_id, line_id, sold, activated, lags in rows.iterator(chunk_size=5000):
        for key in ((partner_id, line_id), (partner_id, None)):
            figures = per[key]
            figures.sold += sold
            figures.activated += activated
            if lags:
                figures.histograms.append(lags)
    shares: dict[int | None, list[float]] = defaultdict(list)
    lags_: dict[int | None, list[float]] = defaultdict(list)
    for (_, line_id), figures in per.items():
        shares[line_id].append(figures.share)
        lag = figures.median_lag
        if lag is not None:
            lags_[line_id].append(lag)
    medians = {
        line_id: (statistics.median(values), statistics.median(lags_[line_id]) if lags_[line_id] else None)
        for line_id, values in shares.items()
    }
    return medians, {line_id: len(values) for line_id, values in shares.items()}


def partner_activation_summary(*, partner: Partner, window: Window, min_peers: int) -> PartnerSummary:
    """One partner's figures per product line and in total over `window`, beside the tier medians.

    `partner` must come from the visibility rule. Medians over fewer than `min_peers` partners are None.
    """
    rows = list(
        ActivationFigure.objects.filter(partner=partner, month__gte=window.first, month__lte=window.last).values(
            *FIELDS, "usage"
        )
    )
    lines = {line.pk: line for line in ProductLine.objects.filter(pk__in={r["product_line_id"] for r in rows})}
    per_line: dict[int, Figures] = defaultdict(Figures)
    total = Figures()
    trend = {
        month: {"month": month, "installed_base": 0, "active_units": 0, "usage": Decimal(0)} for month in window.months
    }
    for row in rows:
        per_line[row["product_line_id"]].add(row, window.last)
        total.add(row, window.last)
        point = trend[row["month"]]
        point["installed_base"] += row["installed_base"]
        point["active_units"] += row["active_units"]
        point["usage"] += row["usage"]
    medians, counts = _tier_medians(partner, window)

    def with_tier(line: ProductLine | None, figures: Figures) -> LineFigures:
        key = line.pk if line else None
        if counts.get(key, 0) < min_peers:
            return LineFigures(line, figures)
        tier_share, tier_lag = medians[key]
        return LineFigures(line, figures, tier_share, tier_lag)

    ordered = sorted(per_line.items(), key=lambda item: lines[item[0]].name)
    return PartnerSummary(
        window=window,
        lines=[with_tier(lines[line_id], figures) for line_id, figures in ordered],
        total=with_tier(None, total),
        trend=list(trend.values()),
        tier_peers=counts.get(None, 0),
    )


def activation_rates(
    *,
    user: Any,
    window: Window,
    product_line: ProductLine | None = None,
    region_id: int | None = None,
    tier_id: int | None = None,
    search: str = "",
    order: str = "-sold",
) -> QuerySet:
    """Per partner × product line over `window`, for the partners `user` may see: Σ sold, Σ activated, and the
    last month's installed base and active units, as one grouped query (pages add the lag of the rows shown).
    `order`: sold, activated, share, base, partner (a leading "-" for descending)."""
    rows = ActivationFigure.objects.visible_to(user).filter(month__gte=window.first, month__lte=window.last)
    if product_line is not None:
        rows = rows.filter(product_line=product_line)
    if region_id:
        rows = rows.filter(partner__region_id=region_id)
    if tier_id:
        rows = rows.filter(partner__tier_id=tier_id)
    if search:
        rows = rows.filter(partner__name__icontains=search)
    last = Q(month=window.last)
    grouped = (
        rows.values("partner_id", "partner__name", "product_line_id", "product_line__name")
        .annotate(
            sold=Sum("sold_units"),
            activated=Sum("activated_units"),
            base=Sum("installed_base", filter=last),
            active=Sum("active_units", filter=last),
        )
        .order_by()
    )
    descending = order.startswith("-")
    key = order.lstrip("-")
    column = {"sold": "sold", "activated": "activated", "base": "base", "partner": "partner__name"}.get(key)
    if key == "share":
        grouped = grouped.annotate(
            rate=Case(
                When(sold__gt=0, then=Cast(F("activated"), FloatField()) / Cast(F("sold"), FloatField())),
                default=None,
                output_field=FloatField(),
            )
        )
        column = "rate"
    column = column or "sold"
    ordering = F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
    return grouped.order_by(ordering, "partner__name", "product_line__name")


def lags_for(*, user: Any, window: Window, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], float | None]:
    """Median lag of each (partner, product line) in `keys` over `window`: one query for a page of rows."""
    keys = list(keys)
    if not keys:
        return {}
    wanted = set(keys)
    rows = (
        ActivationFigure.objects.visible_to(user)
        .filter(
            partner_id__in={p for p, _ in wanted},
            product_line_id__in={line for _, line in wanted},
            month__gte=window.first,
            month__lte=window.last,
        )
        .exclude(lag_days={})
        .values_list("partner_id", "product_line_id", "lag_days")
    )
    histograms: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for partner_id, line_id, lags in rows.iterator(chunk_size=5000):
        if (partner_id, line_id) in wanted:  # the two lists also cross rows of other pairs
            histograms[(partner_id, line_id)].append(lags)
    return {key: lag_median(histograms.get(key, [])) for key in keys}


def line_totals(*, user: Any, window: Window, region_id: int | None = None, tier_id: int | None = None) -> list[dict]:
    """Per product line, over the partners `user` may see: Σ sold, Σ activated, share, last month's base."""
    rows = ActivationFigure.objects.visible_to(user).filter(month__gte=window.first, month__lte=window.last)
    if region_id:
        rows = rows.filter(partner__region_id=region_id)
    if tier_id:
        rows = rows.filter(partner__tier_id=tier_id)
    last = Q(month=window.last)
    out = list(
        rows.values("product_line_id", "product_line__name")
        .annotate(
            sold=Sum("sold_units"),
            activated=Sum("activated_units"),
            base=Sum("installed_base", filter=last),
            active=Sum("active_units", filter=last),
        )
        .order_by("product_line__name")
    )
    for row in out:
        row["share"] = share(row["activated"] or 0, row["sold"] or 0)
    return out
