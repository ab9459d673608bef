"""The ecosystem overview's figures: KPI tiles, revenue trend and segments, concentration and movers.

Everything here reads `KpiSnapshot` rows (see `snapshots`); segments, concentration
and movers add up or rank the partner rows of the scope for the period, which at
most touches one row per partner.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Q,
    QuerySet,
    Sum,
)

from analytics.models import Dimension, KpiSnapshot
from catalog.models import ProductLine
from partners.models import Partner

from ..charts import PALETTE, Chart, Column, Series, bar_chart, line_chart
from ..kpis import KPIS, OVERVIEW_TILES, tiles
from ..periods import Period, add_months
from .snapshots import Source, monthly_values, period_values

TOP_MOVERS = 8
SEGMENTS = (
    ("tier", "partner__tier__name", "Tier"),
    ("region", "partner__region__name", "Region"),
    ("type", "partner__partner_type", "Partner type"),
)
TYPE_LABELS = dict(Partner.Type.choices)


def partner_rows(partners: QuerySet[Partner], period: Period) -> QuerySet[KpiSnapshot]:
    """The partner rows of the period: one per partner for months, quarters, years; the months of a custom range."""
    rows = KpiSnapshot.objects.filter(dimension=Dimension.PARTNER, partner__in=partners.values("pk"))
    if period.kind == "custom":
        return rows.filter(granularity="month", period_start__gte=period.start, period_start__lt=period.end)
    return rows.filter(granularity=period.kind, period_start=period.start)


def kpi_tiles(source: Source, period: Period) -> list:
    current, previous, year_ago = period_values(source, [period, period.previous(), period.year_ago()])
    return tiles(OVERVIEW_TILES, current, previous, year_ago)


def revenue_trend(source: Source, period: Period) -> Chart:
    """Won revenue per month over at least 12 months, with the same month a year earlier dashed."""
    months = period.trend_months(12)
    values = monthly_values(source, [add_months(m, -12) for m in months] + months)
    spec = KPIS["won_revenue"]
    return line_chart(
        "revenue_trend",
        "Won revenue by month",
        months=months,
        series=[
            Series("Won revenue", [values.get(m, {}).get("won_revenue") for m in months], PALETTE[0]),
            Series(
                "Same month a year earlier",
                [values.get(add_months(m, -12), {}).get("won_revenue") for m in months],
                PALETTE[1],
                dashed=True,
            ),
        ],
        kind="money",
        y_title=spec.axis_title,
        empty_message="No won revenue has been computed for these months yet.",
    )


def revenue_segments(partners: QuerySet[Partner], period: Period, *, product_line_only: bool) -> list[Chart]:
    """Won revenue of the period by tier, region and partner type: one grouped query, summed three ways."""
    if product_line_only:
        return [
            Chart(
                f"revenue_by_{key}",
                f"Won revenue by {label.lower()}",
                [],
                [],
                None,
                f"Revenue of one product line is not split by {label.lower()}: clear the product line filter "
                "to see this chart.",
            )
            for key, _, label in SEGMENTS
        ]
    lookups = [lookup for _, lookup, _ in SEGMENTS]
    groups = partner_rows(partners, period).values(*lookups).order_by().annotate(revenue=Sum("won_revenue"))
    totals: dict[str, dict[str, Decimal]] = {key: {} for key, _, _ in SEGMENTS}
    for row in groups:
        for key, lookup, _ in SEGMENTS:
            value = row[lookup]
            name = (TYPE_LABELS.get(value, value) if key == "type" else value) or "No tier"
            totals[key][name] = totals[key].get(name, Decimal(0)) + (row["revenue"] or 0)
    charts = []
    for key, _, label in SEGMENTS:
        ordered = sorted(totals[key].items(), key=lambda kv: (-kv[1], kv[0]))
        if not any(v for _, v in ordered):
            ordered = []
        charts.append(
            bar_chart(
                f"revenue_by_{key}",
                f"Won revenue by {label.lower()}",
                categories=[n for n, _ in ordered],
                series=[Series("Won revenue", [v for _, v in ordered], PALETTE[0])],
                kind="money",
                value_title="Won revenue (USD)",
                category_title=label,
                empty_message=f"No won revenue in {period.label} for these partners.",
                horizontal=True,
            )
        )
    return charts


def revenue_by_product_line(period: Period, *, whole: bool, product_line_id: int | None) -> Chart:
    """Won revenue by product line (the line's share of each won deal), from the ecosystem's line rows."""
    title = "Won revenue by product line"
    if not whole:
        return Chart(
            "revenue_by_line",
            title,
            [],
            [],
            None,
            "Product lines are measured for the whole ecosystem "
            "only; clear the partner filters (or ask for every region) to see this chart.",
        )
    rows = KpiSnapshot.objects.filter(dimension=Dimension.PRODUCT_LINE)
    rows = (
        rows.filter(granularity="month", period_start__gte=period.start, period_start__lt=period.end)
        if (period.kind == "custom")
        else rows.filter(granularity=period.kind, period_start=period.start)
    )
    if product_line_id:
        rows = rows.filter(key=str(product_line_id))
    totals: dict[str, Decimal] = {}
    for key, revenue in rows.values_list("key", "won_revenue"):
        totals[key] = totals.get(key, Decimal(0)) + (revenue or 0)
    names = dict(ProductLine.objects.filter(pk__in=[int(k) for k in totals]).values_list("pk", "name"))
    ordered = sorted(totals.items(), key=lambda kv: kv[1], reverse=True)
    if not any(v for _, v in ordered):
        ordered = []
    return bar_chart(
        "revenue_by_line",
        title,
        categories=[names.get(int(k), k) for k, _ in ordered],
        series=[Series("Won revenue", [v for _, v in ordered], PALETTE[2])],
        kind="money",
        value_title="Won revenue (USD)",
        category_title="Product line",
        horizontal=True,
        empty_message=f"No won revenue by product line in {period.label}.",
    )


@dataclass
class Concentration:
    top10_share: float | None
    hhi: float | None
    earning: int

    @property
    def reading(self) -> str:
        if self.hhi is None:
            return ""
        if self.hhi < 0.01:
            level = "unconcentrated: revenue is spread over many partners"
        elif self.hhi < 0.15:
            level = "moderately spread"
        elif self.hhi < 0.25:
            level = "moderately concentrated"
        else:
            level = "highly concentrated: a few partners carry most revenue"
        return (
            f"The Herfindahl index is the sum of squared revenue shares (0–1; 1 = one partner earns "
            f"everything). This period it reads {level}."
        )


def revenue_by_partner(partners: QuerySet[Partner], period: Period) -> list[dict[str, Any]]:
    """Each partner's won revenue in the period and in the one before, from one grouped query over their
    snapshots of the two periods; the movers and the concentration both read it. Empty for a custom range,
    which has no single previous period (its concentration sums the range's months instead)."""
    if period.kind == "custom":
        return []
    previous = period.previous()
    rows = (
        KpiSnapshot.objects.filter(
            dimension=Dimension.PARTNER,
            partner__in=partners.values("pk"),
            granularity=period.kind,
            period_start__in=[period.start, previous.start],
        )
        .values("partner_id", "partner__name")
        .annotate(
            revenue_now=Sum("won_revenue", filter=Q(period_start=period.start), default=Decimal(0)),
            revenue_before=Sum("won_revenue", filter=Q(period_start=previous.start), default=Decimal(0)),
        )
        .order_by()
    )
    return [
        {
            "pk": row["partner_id"],
            "name": row["partner__name"],
            "revenue_now": row["revenue_now"],
            "revenue_before": row["revenue_before"],
            "change": row["revenue_now"] - row["revenue_before"],
        }
        for row in rows
    ]


def concentration(
    partners: QuerySet[Partner], period: Period, revenue: list[dict[str, Any]] | None = None
) -> Concentration | None:
    """Top-10 share and Herfindahl index (Σ share²) of won revenue in the period, over partners in scope.

    `revenue` is `revenue_by_partner` when the caller already has it (not for custom ranges)."""
    if period.kind == "custom":
        per_partner = partner_rows(partners, period).values("partner_id").order_by().annotate(r=Sum("won_revenue"))
        revenues = [float(r["r"] or 0) for r in per_partner]
    else:
        rows = revenue_by_partner(partners, period) if revenue is None else revenue
        revenues = [float(r["revenue_now"]) for r in rows]
    revenues.sort(reverse=True)
    total = sum(revenues)
    if total <= 0:
        return None
    return Concentration(
        sum(revenues[:10]) / total, sum((r / total) ** 2 for r in revenues), sum(1 for r in revenues if r > 0)
    )


def movers(revenue: list[dict[str, Any]], period: Period) -> tuple[Chart, Chart]:
    """Partners whose won revenue rose or fell most against the previous period (`revenue_by_partner`)."""
    if period.kind == "custom":
        empty = "Movers compare whole months, quarters or years: choose one of those periods."
        return (
            Chart("top_movers", "Top movers", [], [], None, empty),
            Chart("bottom_movers", "Bottom movers", [], [], None, empty),
        )
    previous = period.previous()
    up = sorted((r for r in revenue if r["change"] > 0), key=lambda r: (-r["change"], r["name"]))[:TOP_MOVERS]
    down = sorted((r for r in revenue if r["change"] < 0), key=lambda r: (r["change"], r["name"]))[:TOP_MOVERS]
    return (
        _movers_chart("top_movers", "Top movers: won revenue up", up, period, previous, PALETTE[2]),
        _movers_chart("bottom_movers", "Bottom movers: won revenue down", down, period, previous, PALETTE[1]),
    )


def _movers_chart(
    key: str, title: str, rows: list[dict[str, Any]], period: Period, previous: Period, colour: str
) -> Chart:
    chart = bar_chart(
        key,
        title,
        categories=[r["name"] for r in rows],
        series=[Series(f"Change vs {previous.short_label}", [r["change"] for r in rows], colour)],
        kind="money",
        value_title="Change in won revenue (USD)",
        category_title="Partner",
        empty_message=f"No partner's won revenue moved this way between {previous.short_label} and "
        f"{period.short_label}.",
        horizontal=True,
    )
    chart.columns = [
        Column("Partner"),
        Column(f"Won revenue {period.short_label}", "money"),
        Column(f"Won revenue {previous.short_label}", "money"),
        Column("Change", "money"),
    ]
    chart.rows = [[r["name"], r["revenue_now"], r["revenue_before"], r["change"]] for r in rows]
    chart.extra["links"] = [r["pk"] for r in rows]
    return chart
