"""The ecosystem overview's tiles and charts: revenue trend and segments, concentration in words, movers."""

from __future__ import annotations

from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings

from analytics import selectors
from analytics.definitions import KPIS

from ..charts import PALETTE, Chart, Column, Series, bar_chart, line_chart
from ..periods import Period
from .tiles import OVERVIEW_TILES, Figures, Tile, tiles

TOP_MOVERS = 8
SEGMENTS = (("tier", "Tier"), ("region", "Region"), ("type", "Partner type"))


def kpi_tiles(figures: Figures) -> list[Tile]:
    """The overview's tiles from the period's figures and its comparisons (`tiles.period_figures`)."""
    return tiles(OVERVIEW_TILES, figures.current, figures.previous, figures.year_ago)


def recorded(month: date, history_start: date | None) -> bool:
    """Whether a month lies wholly inside the recorded history (it starts on or after the history's first day).

    Months before the first record hold zeros, and the month of the first record only part of a month's
    activity: plotted, either reads as a plunge."""
    return history_start is None or month >= history_start


def history_note(months: list[date], history_start: date | None) -> str:
    """Says which months a trend leaves out because the recorded history starts inside or after them."""
    if history_start is None or all(recorded(m, history_start) for m in months):
        return ""
    return (
        f"Recorded history starts on {history_start:%d %b %Y}: months before it, and the partial month it "
        "starts in, are left out rather than drawn as a drop."
    )


def year_on_year_trend(
    key: str,
    source: selectors.Source,
    period: Period,
    kpi: str,
    *,
    title: str,
    name: str,
    empty: str,
    history_start: date | None = None,
) -> Chart:
    """One KPI per month over at least 12 months for the scope, with the same month a year earlier dashed.

    Months not wholly recorded (before `history_start`, or the partial month it falls in) are left empty.
    """
    spec = KPIS[kpi]
    months = period.trend_months(12)
    year_earlier = [m - relativedelta(months=12) for m in months]
    values = selectors.monthly_values(source, year_earlier + months)

    def value(month: date) -> Any:
        return values.get(month, {}).get(kpi) if recorded(month, history_start) else None

    return line_chart(
        key,
        title,
        months=months,
        series=[
            Series(name, [value(m) for m in months], PALETTE[0]),
            Series("Same month a year earlier", [value(m) for m in year_earlier], PALETTE[1], dashed=True),
        ],
        kind=spec.unit,
        y_title=spec.axis_title,
        empty_message=empty,
        note=history_note(year_earlier + months, history_start),
    )


def revenue_trend(source: selectors.Source, period: Period, *, history_start: date | None = None) -> Chart:
    """Won revenue per month over at least 12 months, with the same month a year earlier dashed."""
    return year_on_year_trend(
        "revenue_trend",
        source,
        period,
        "won_revenue",
        title="Won revenue by month",
        name="Won revenue",
        empty="No won revenue has been computed for these months yet.",
        history_start=history_start,
    )


def revenue_segments(
    partners: Any, period: Period, *, product_line_only: bool, one_region: bool = False
) -> list[Chart]:
    """Won revenue of the period by tier, region and partner type; by country instead of region when the
    scope is one region (a single bar would say nothing)."""
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
            for key, label in SEGMENTS
        ]
    totals = selectors.revenue_by_segment(partners, period)
    segments = list(SEGMENTS)
    if one_region:
        totals["country"] = selectors.revenue_by_country(partners, period)
        segments[segments.index(("region", "Region"))] = ("country", "Country")
    return [
        bar_chart(
            f"revenue_by_{key}",
            f"Won revenue by {label.lower()}",
            categories=[name for name, _ in totals[key]],
            series=[Series("Won revenue", [value for _, value in totals[key]], PALETTE[0])],
            kind="money",
            value_title=f"Won revenue ({settings.PRM_REPORTING_CURRENCY})",
            category_title=label,
            empty_message=f"No won revenue in {period.label} for these partners.",
            horizontal=True,
        )
        for key, label in segments
    ]


def revenue_by_product_line(
    user: Any, period: Period, *, whole: bool, product_line_id: int | None, scope: Any = None
) -> Chart:
    """Won revenue by product line (the line's share of each won deal): the ecosystem's stored rows, or for a
    part of it (a region-limited manager, partner filters) the stored groups of that part, never the ecosystem's."""
    title = "Won revenue by product line"
    if whole:
        lines = selectors.revenue_by_product_line(user=user, period=period, product_line_id=product_line_id)
        note = ""
    else:
        lines = selectors.revenue_by_product_line_of(
            user=user, scope=scope, period=period, product_line_id=product_line_id
        )
        note = "Won revenue of the partners in your scope (your regions and filters) only."
    return bar_chart(
        "revenue_by_line",
        title,
        categories=[name for name, _ in lines],
        series=[Series("Won revenue", [value for _, value in lines], PALETTE[2])],
        kind="money",
        value_title=f"Won revenue ({settings.PRM_REPORTING_CURRENCY})",
        category_title="Product line",
        horizontal=True,
        empty_message=f"No won revenue by product line in {period.label}.",
        note=note,
    )


def concentration_reading(concentration: selectors.Concentration | None) -> str:
    """The Herfindahl index in words."""
    if concentration is None:
        return ""
    hhi = concentration.hhi
    if hhi < 0.01:
        level = "unconcentrated: revenue is spread over many partners"
    elif hhi < 0.15:
        level = "moderately spread"
    elif hhi < 0.25:
        level = "moderately concentrated"
    else:
        level = "highly concentrated: a few partners carry most revenue"
    return (
        f"The Herfindahl index is the sum of squared revenue shares (0–1; 1 = one partner earns "
        f"everything). This period it reads {level}."
    )


def movers(revenue: list[dict[str, Any]], period: Period, previous_label: str = "") -> tuple[Chart, Chart]:
    """Partners whose won revenue rose or fell most against the previous period (`revenue_by_partner`), or
    against its first days while `period` is in progress (`previous_label` names them)."""
    if period.kind == "custom":
        empty = "Movers compare whole months, quarters or years: choose one of those periods."
        return (
            Chart("top_movers", "Top movers", [], [], None, empty),
            Chart("bottom_movers", "Bottom movers", [], [], None, empty),
        )
    previous = previous_label or period.previous().short_label
    up = sorted((r for r in revenue if r["change"] > 0), key=lambda r: (-r["change"], r["name"]))[:TOP_MOVERS]
    down = sorted((r for r in revenue if r["change"] < 0), key=lambda r: (r["change"], r["name"]))[:TOP_MOVERS]
    return (
        _movers_chart("top_movers", "Top movers: won revenue up", up, period, previous, PALETTE[2]),
        _movers_chart("bottom_movers", "Bottom movers: won revenue down", down, period, previous, PALETTE[1]),
    )


def _movers_chart(
    key: str, title: str, rows: list[dict[str, Any]], period: Period, previous: str, colour: str
) -> Chart:
    chart = bar_chart(
        key,
        title,
        categories=[r["name"] for r in rows],
        series=[Series(f"Change vs {previous}", [r["change"] for r in rows], colour)],
        kind="money",
        value_title=f"Change in won revenue ({settings.PRM_REPORTING_CURRENCY})",
        category_title="Partner",
        empty_message=f"No partner's won revenue moved this way between {previous} and {period.short_label}.",
        horizontal=True,
    )
    chart.columns = [
        Column("Partner"),
        Column(f"Won revenue {period.short_label}", "money"),
        Column(f"Won revenue {previous}", "money"),
        Column("Change", "money"),
    ]
    chart.rows = [[r["name"], r["revenue_now"], r["revenue_before"], r["change"]] for r in rows]
    chart.extra["links"] = [r["pk"] for r in rows]
    return chart
