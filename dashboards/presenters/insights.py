"""Inventory and warranty insights: stock cover, sell-through and claim rates by partner and product line.

Partner lists rank one stored row per partner: a custom range lists its last month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from analytics import selectors
from analytics.definitions import COVER_TARGET_DAYS, KPIS

from ..charts import PALETTE, Chart, Column, Series, bar_chart, line_chart, table_only
from ..periods import Period
from .overview import year_on_year_trend

LIST_ROWS = 15
COVER_LOW, COVER_HIGH = COVER_TARGET_DAYS
UNUSUAL_FACTOR = 2.0
UNUSUAL_MIN_CLAIMS = 3
WHOLE_ECOSYSTEM_ONLY = "Product lines are measured for the whole ecosystem only; clear the partner filters to see them."

STOCK_COLUMNS = [
    ("on_hand_end", "On hand", "count"),
    ("units_sold", "Units sold", "count"),
    ("days_of_cover", "Days of cover", "days"),
    ("stockouts", "Stockouts", "count"),
]
CLAIM_COLUMNS = [
    ("claims_submitted", "Claims", "count"),
    ("units_sold", "Units sold", "count"),
    ("claims_per_1000_units", "Claims per 1,000 units", "per_thousand"),
    ("claim_approval_rate", "Claim approval rate", "percent"),
]


def list_period(period: Period) -> Period:
    """Partner lists rank one stored row per partner: a custom range uses its last month."""
    return Period.month(period.last_month) if period.kind == "custom" else period


def trend_chart(
    source: selectors.Source, period: Period, kpi: str, title: str, empty: str, *, history_start: date | None = None
) -> Chart:
    """One KPI per month for the scope, with the same month a year earlier dashed (months not wholly recorded
    left out, see `year_on_year_trend`)."""
    return year_on_year_trend(
        f"trend_{kpi}",
        source,
        period,
        kpi,
        title=title,
        name=KPIS[kpi].label,
        empty=empty,
        history_start=history_start,
    )


def _partner_table(
    key: str, title: str, rows: list[dict[str, Any]], columns: list[tuple[str, str, str]], empty: str
) -> Chart:
    chart = table_only(
        key,
        title,
        columns=[Column("Partner"), Column("Tier"), Column("Region"), *(Column(c[1], c[2]) for c in columns)],
        rows=[[r["name"], r["tier"], r["region"], *(r[c[0]] for c in columns)] for r in rows],
        empty_message=empty,
    )
    chart.extra["links"] = [r["partner_id"] for r in rows]
    return chart


@dataclass
class CoverSummary:
    charts: dict[str, Chart]
    overstocked: int
    understocked: int


def stock_by_partner(partners: Any, period: Period) -> CoverSummary:
    """Partners by days of cover (under 15, 15–60, over 60 days) and the lists of who holds too much or too little."""
    listed = list_period(period)
    label = listed.label
    counts = selectors.cover_distribution(partners, listed)
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
    columns = [c[0] for c in STOCK_COLUMNS]
    too_much = _partner_table(
        "overstocked",
        f"Holding too much: over {COVER_HIGH:.0f} days of cover",
        selectors.overstocked_partners(partners, listed, columns=columns, limit=LIST_ROWS),
        STOCK_COLUMNS,
        f"No partner holds more than {COVER_HIGH:.0f} days of cover in {label}.",
    )
    too_little = _partner_table(
        "understocked",
        f"Holding too little: under {COVER_LOW:.0f} days of cover",
        selectors.understocked_partners(partners, listed, columns=columns, limit=LIST_ROWS),
        STOCK_COLUMNS,
        f"No partner is below {COVER_LOW:.0f} days of cover in {label}.",
    )
    stockouts = _partner_table(
        "stockouts_by_partner",
        "Most stockouts by partner",
        selectors.stockout_partners(partners, listed, columns=columns, limit=LIST_ROWS),
        STOCK_COLUMNS,
        f"No stockouts reported at the end of {label}.",
    )
    charts = {c.key: c for c in (distribution, too_much, too_little, stockouts)}
    return CoverSummary(charts, counts["high"], counts["low"])


def stock_by_product_line(user: Any, period: Period, *, whole: bool, product_line_id: int | None) -> Chart:
    """Days of cover and stockouts per product line (the ecosystem's line rows)."""
    title = "Days of cover and stockouts by product line"
    if not whole:
        return Chart("cover_by_line", title, [], [], None, WHOLE_ECOSYSTEM_ONLY)
    listed = list_period(period)
    columns = ["days_of_cover", "stockouts", "on_hand_end", "units_sold", "sell_through"]
    rows = selectors.product_line_rows(user=user, period=listed, product_line_id=product_line_id, columns=columns)
    chart = bar_chart(
        "cover_by_line",
        title,
        categories=[r["name"] for r in rows],
        series=[Series("Days of cover", [r["days_of_cover"] for r in rows], PALETTE[0])],
        kind="days",
        value_title="Days of cover",
        category_title="Product line",
        horizontal=True,
        empty_message=f"No inventory reported yet for {listed.label}.",
    )
    chart.columns = [
        Column("Product line"),
        Column("Days of cover", "days"),
        Column("Stockouts", "count"),
        Column("On hand", "count"),
        Column("Units sold", "count"),
        Column("Sell-through", "percent"),
    ]
    chart.rows = [[r["name"], *(r[c] for c in columns)] for r in rows]
    chart.note = "Bars show days of cover; stockouts (products at 0 on hand at period end) are in the data table."
    return chart


def claims_by_line_over_time(
    user: Any, period: Period, *, whole: bool, product_line_id: int | None
) -> tuple[Chart, Chart]:
    """Claims and claims per 1,000 units sold, per product line and month (the product feedback loop)."""
    months = period.trend_months(12)
    if not whole:
        return (
            Chart("claims_by_line", "Claims by product line", [], [], None, WHOLE_ECOSYSTEM_ONLY),
            Chart("claim_rate_by_line", "Claims per 1,000 units by product line", [], [], None, WHOLE_ECOSYSTEM_ONLY),
        )
    grid = selectors.product_line_months(
        user=user, months=months, product_line_id=product_line_id, columns=["claims_submitted", "claims_per_1000_units"]
    )

    def values(line: str, column: str) -> list[Any]:
        return [grid[line].get(m, {}).get(column) for m in months]

    claims = bar_chart(
        "claims_by_line",
        "Warranty claims by product line",
        categories=[],
        months=months,
        series=[
            Series(line, values(line, "claims_submitted"), PALETTE[i % len(PALETTE)]) for i, line in enumerate(grid)
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
        series=[Series(line, values(line, "claims_per_1000_units")) for line in grid],
        kind="per_thousand",
        y_title="Claims per 1,000 units sold",
        empty_message="No units sold in these months, so no claim rate.",
    )
    return claims, rate


def claims_by_failure_code(*, user: Any, scope: selectors.Scope, period: Period) -> Chart:
    """Claims submitted in the period per failure code, with how many of them were approved so far."""
    rows = selectors.claims_by_failure_code(user=user, scope=scope, period=period)
    names = [f"{r['code']} — {r['description']}" for r in rows]
    chart = bar_chart(
        "claims_by_failure",
        f"Claims by failure code, {period.label}",
        categories=names,
        series=[Series("Claims", [r["claims"] for r in rows], PALETTE[1])],
        kind="count",
        value_title="Claims submitted",
        category_title="Failure code",
        horizontal=True,
        empty_message=f"No warranty claims filed in {period.label}.",
    )
    chart.columns = [Column("Failure code"), Column("Claims", "count"), Column("Approved so far", "count")]
    chart.rows = [[name, r["claims"], r["approved"]] for name, r in zip(names, rows, strict=True)]
    return chart


def unusual_claim_rates(partners: Any, period: Period, scope_rate: float | None) -> Chart:
    """Partners whose claims per 1,000 units are over twice the scope's rate, with at least 3 claims."""
    listed = list_period(period)
    label = listed.label
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
    rows = selectors.unusual_claim_partners(
        partners,
        listed,
        rate_above=UNUSUAL_FACTOR * scope_rate,
        min_claims=UNUSUAL_MIN_CLAIMS,
        columns=[c[0] for c in CLAIM_COLUMNS],
        limit=LIST_ROWS,
    )
    chart = _partner_table(
        "unusual_claims",
        title,
        rows,
        CLAIM_COLUMNS,
        f"No partner files claims at more than twice the overall rate in {label}.",
    )
    chart.note = (
        f"Partners with at least {UNUSUAL_MIN_CLAIMS} claims and more than {UNUSUAL_FACTOR:.0f}× the "
        f"overall rate of {scope_rate:.2f} claims per 1,000 units in {label}."
    )
    return chart
