"""Inventory and warranty insights: stock cover, sell-through and claim rates by partner and product line.

Figures come from `KpiSnapshot` rows (partner rows for partner lists, product line
rows for lines, the scope's rows for tiles and trends). Partner lists rank the
partner rows of one month, quarter or year; for a custom range they use its last
month. Claims by failure code is the one figure the analytics tables do not hold:
it is a grouped count of the period's claims on the (status, submitted_at) index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from django.db.models import Count, Q, QuerySet

from analytics.models import Dimension, KpiSnapshot
from catalog.models import ProductLine
from partners.models import Partner
from warranty.models import WarrantyClaim

from ..charts import PALETTE, Chart, Column, Series, bar_chart, line_chart, table_only
from ..kpis import KPIS
from ..periods import Period, add_months
from .snapshots import Source, monthly_values

LIST_ROWS = 15
COVER_LOW, COVER_HIGH = 15.0, 60.0
UNUSUAL_FACTOR = 2.0
UNUSUAL_MIN_CLAIMS = 3
PARTNER_COLUMNS = ("partner__name", "partner__tier__name", "partner__region__name")


def list_period(period: Period) -> Period:
    """Partner lists rank one stored row per partner: a custom range uses its last month."""
    return Period.month(period.last_month) if period.kind == "custom" else period


def partner_period_rows(partners: QuerySet[Partner], period: Period) -> QuerySet[KpiSnapshot]:
    chosen = list_period(period)
    return KpiSnapshot.objects.filter(
        dimension=Dimension.PARTNER,
        granularity=chosen.kind,
        period_start=chosen.start,
        partner__in=partners.values("pk"),
    )


def trend_chart(source: Source, period: Period, kpi: str, title: str, empty: str) -> Chart:
    """One KPI per month for the scope, with the same month a year earlier dashed."""
    spec = KPIS[kpi]
    months = period.trend_months(12)
    values = monthly_values(source, [add_months(m, -12) for m in months] + months)
    return line_chart(
        f"trend_{kpi}",
        title,
        months=months,
        series=[
            Series(spec.label, [values.get(m, {}).get(kpi) for m in months], PALETTE[0]),
            Series(
                "Same month a year earlier",
                [values.get(add_months(m, -12), {}).get(kpi) for m in months],
                PALETTE[1],
                dashed=True,
            ),
        ],
        kind=spec.kind,
        y_title=spec.axis_title,
        empty_message=empty,
    )


def _partner_table(key: str, title: str, rows: QuerySet, columns: list[tuple[str, str, str]], empty: str) -> Chart:
    data = list(rows.values("partner_id", *PARTNER_COLUMNS, *(c[0] for c in columns))[:LIST_ROWS])
    chart = table_only(
        key,
        title,
        columns=[Column("Partner"), Column("Tier"), Column("Region"), *(Column(c[1], c[2]) for c in columns)],
        rows=[
            [r["partner__name"], r["partner__tier__name"], r["partner__region__name"], *(r[c[0]] for c in columns)]
            for r in data
        ],
        empty_message=empty,
    )
    chart.extra["links"] = [r["partner_id"] for r in data]
    return chart


STOCK_COLUMNS = [
    ("on_hand_end", "On hand", "count"),
    ("units_sold", "Units sold", "count"),
    ("days_of_cover", "Days of cover", "days"),
    ("stockouts", "Stockouts", "count"),
]


@dataclass
class CoverSummary:
    charts: dict[str, Chart]
    overstocked: int
    understocked: int


def stock_by_partner(partners: QuerySet[Partner], period: Period) -> CoverSummary:
    """Partners by days of cover (under 15, 15–60, over 60 days) and the lists of who holds too much or too little."""
    rows = partner_period_rows(partners, period)
    label = list_period(period).label
    counts = rows.aggregate(
        low=Count("pk", filter=Q(days_of_cover__lt=COVER_LOW)),
        target=Count("pk", filter=Q(days_of_cover__gte=COVER_LOW, days_of_cover__lte=COVER_HIGH)),
        high=Count("pk", filter=Q(days_of_cover__gt=COVER_HIGH)),
        no_sales=Count("pk", filter=Q(days_of_cover__isnull=True, on_hand_end__isnull=False)),
        stockouts=Count("pk", filter=Q(stockouts__gt=0)),
    )
    bands = ["Under 15 days", "15–60 days", "Over 60 days", "Stock but no sales"]
    values = [counts["low"], counts["target"], counts["high"], counts["no_sales"]]
    distribution = bar_chart(
        "cover_distribution",
        f"Partners by days of cover, {label}",
        categories=bands,
        series=[Series("Partners", values)],
        kind="count",
        value_title="Partners",
        category_title="Days of cover",
        empty_message="No inventory reported yet by these partners.",
        colours=["#B02A37", "#198754", "#B58105", "#6C757D"],
    )
    if not any(values):
        distribution.figure = None
    too_much = _partner_table(
        "overstocked",
        f"Holding too much: over {COVER_HIGH:.0f} days of cover",
        rows.filter(days_of_cover__gt=COVER_HIGH).order_by("-days_of_cover", "partner__name"),
        STOCK_COLUMNS,
        f"No partner holds more than {COVER_HIGH:.0f} days of cover in {label}.",
    )
    too_little = _partner_table(
        "understocked",
        f"Holding too little: under {COVER_LOW:.0f} days of cover",
        rows.filter(days_of_cover__lt=COVER_LOW).order_by("days_of_cover", "partner__name"),
        STOCK_COLUMNS,
        f"No partner is below {COVER_LOW:.0f} days of cover in {label}.",
    )
    stockouts = _partner_table(
        "stockouts_by_partner",
        "Most stockouts by partner",
        rows.filter(stockouts__gt=0).order_by("-stockouts", "partner__name"),
        STOCK_COLUMNS,
        f"No stockouts reported at the end of {label}.",
    )
    charts = {c.key: c for c in (distribution, too_much, too_little, stockouts)}
    return CoverSummary(charts, counts["high"], counts["low"])


def line_rows(period: Period, product_line_id: int | None) -> QuerySet[KpiSnapshot]:
    rows = KpiSnapshot.objects.filter(dimension=Dimension.PRODUCT_LINE)
    chosen = list_period(period)
    rows = rows.filter(granularity=chosen.kind, period_start=chosen.start)
    return rows.filter(key=str(product_line_id)) if product_line_id else rows


def _line_names() -> dict[str, str]:
    return {str(pk): name for pk, name in ProductLine.objects.values_list("pk", "name")}


def stock_by_product_line(period: Period, *, whole: bool, product_line_id: int | None) -> Chart:
    """Days of cover and stockouts per product line (the ecosystem's line rows)."""
    title = "Days of cover and stockouts by product line"
    if not whole:
        return Chart(
            "cover_by_line",
            title,
            [],
            [],
            None,
            "Product lines are measured for the whole ecosystem only; clear the partner filters to see them.",
        )
    names = _line_names()
    rows = sorted(
        line_rows(period, product_line_id).values(
            "key", "days_of_cover", "stockouts", "on_hand_end", "units_sold", "sell_through"
        ),
        key=lambda r: names.get(r["key"], r["key"]),
    )
    chart = bar_chart(
        "cover_by_line",
        title,
        categories=[names.get(r["key"], r["key"]) for r in rows],
        series=[Series("Days of cover", [r["days_of_cover"] for r in rows], PALETTE[0])],
        kind="days",
        value_title="Days of cover",
        category_title="Product line",
        horizontal=True,
        empty_message=f"No inventory reported yet for {list_period(period).label}.",
    )
    chart.columns = [
        Column("Product line"),
        Column("Days of cover", "days"),
        Column("Stockouts", "count"),
        Column("On hand", "count"),
        Column("Units sold", "count"),
        Column("Sell-through", "percent"),
    ]
    chart.rows = [
        [
            names.get(r["key"], r["key"]),
            r["days_of_cover"],
            r["stockouts"],
            r["on_hand_end"],
            r["units_sold"],
            r["sell_through"],
        ]
        for r in rows
    ]
    chart.note = "Bars show days of cover; stockouts (products at 0 on hand at period end) are in the data table."
    return chart


def claims_by_line_over_time(period: Period, *, whole: bool, product_line_id: int | None) -> tuple[Chart, Chart]:
    """Claims and claims per 1,000 units sold, per product line and month (the product feedback loop)."""
    months = period.trend_months(12)
    if not whole:
        message = "Product lines are measured for the whole ecosystem only; clear the partner filters to see them."
        return (
            Chart("claims_by_line", "Claims by product line", [], [], None, message),
            Chart("claim_rate_by_line", "Claims per 1,000 units by product line", [], [], None, message),
        )
    rows = KpiSnapshot.objects.filter(dimension=Dimension.PRODUCT_LINE, granularity="month", period_start__in=months)
    if product_line_id:
        rows = rows.filter(key=str(product_line_id))
    names = _line_names()
    grid: dict[str, dict] = {}
    for key, start, claims, rate in rows.values_list(
        "key", "period_start", "claims_submitted", "claims_per_1000_units"
    ):
        grid.setdefault(key, {})[start] = (claims, rate)
    lines = sorted(grid, key=lambda k: names.get(k, k))
    claims = bar_chart(
        "claims_by_line",
        "Warranty claims by product line",
        categories=[],
        months=months,
        series=[
            Series(names.get(k, k), [grid[k].get(m, (None, None))[0] for m in months], PALETTE[i % len(PALETTE)])
            for i, k in enumerate(lines)
        ],
        kind="count",
        value_title="Claims submitted",
        category_title="Month",
        stacked=True,
        empty_message="No warranty claims in these months.",
    )
    rate = line_chart(
        "claim_rate_by_line",
        "Claims per 1,000 units sold by product line",
        months=months,
        series=[Series(names.get(k, k), [grid[k].get(m, (None, None))[1] for m in months]) for k in lines],
        kind="per_thousand",
        y_title="Claims per 1,000 units sold",
        empty_message="No units sold in these months, so no claim rate.",
    )
    return claims, rate


def claims_by_failure_code(
    user: Any, partners: QuerySet[Partner], period: Period, product_line_id: int | None, *, restricted: bool
) -> Chart:
    """Claims submitted in the period per failure code (a grouped count on the submitted_at index)."""
    start = datetime.combine(period.start, time.min, tzinfo=UTC)
    end = datetime.combine(period.end, time.min, tzinfo=UTC)
    claims = WarrantyClaim.objects.visible_to(user).filter(submitted_at__gte=start, submitted_at__lt=end)
    if restricted:
        claims = claims.filter(partner__in=partners.values("pk"))
    if product_line_id:
        claims = claims.filter(product__product_line_id=product_line_id)
    rows = list(
        claims.values("failure_code__code", "failure_code__description")
        .order_by()
        .annotate(n=Count("pk"), approved=Count("pk", filter=Q(status__in=["approved", "paid"])))
        .order_by("-n", "failure_code__code")
    )
    chart = bar_chart(
        "claims_by_failure",
        f"Claims by failure code, {period.label}",
        categories=[f"{r['failure_code__code']} — {r['failure_code__description']}" for r in rows],
        series=[Series("Claims", [r["n"] for r in rows], PALETTE[1])],
        kind="count",
        value_title="Claims submitted",
        category_title="Failure code",
        horizontal=True,
        empty_message=f"No warranty claims filed in {period.label}.",
    )
    chart.columns = [Column("Failure code"), Column("Claims", "count"), Column("Approved so far", "count")]
    chart.rows = [
        [r["failure_code__code"] + " — " + r["failure_code__description"], r["n"], r["approved"]] for r in rows
    ]
    return chart


def unusual_claim_rates(partners: QuerySet[Partner], period: Period, scope_rate: float | None) -> Chart:
    """Partners whose claims per 1,000 units are over twice the scope's rate, with at least 3 claims."""
    label = list_period(period).label
    title = "Unusual claim rates"
    if scope_rate is None:
        return Chart(
            "unusual_claims",
            title,
            [],
            [],
            None,
            f"No units sold in {label}, so no claim rate to compare.",
            table_only=True,
        )
    threshold = UNUSUAL_FACTOR * scope_rate
    rows = (
        partner_period_rows(partners, period)
        .filter(claims_per_1000_units__gt=threshold, claims_submitted__gte=UNUSUAL_MIN_CLAIMS)
        .order_by("-claims_per_1000_units", "partner__name")
    )
    chart = _partner_table(
        "unusual_claims",
        title,
        rows,
        [
            ("claims_submitted", "Claims", "count"),
            ("units_sold", "Units sold", "count"),
            ("claims_per_1000_units", "Claims per 1,000 units", "per_thousand"),
            ("claim_approval_rate", "Claim approval rate", "percent"),
        ],
        f"No partner files claims at more than twice the overall rate in {label}.",
    )
    chart.note = (
        f"Partners with at least {UNUSUAL_MIN_CLAIMS} claims and more than {UNUSUAL_FACTOR:.0f}× the "
        f"overall rate of {scope_rate:.2f} claims per 1,000 units in {label}."
    )
    return chart
