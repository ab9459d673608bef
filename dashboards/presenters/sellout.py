"""Sell-out figures on the dashboards: tiles, the note on lines left out for want of a rate, and the charts of
the sell-out page (by month, product line and end-customer country)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from analytics import selectors

from ..charts import PALETTE, Chart, Column, Series, bar_chart, table_only
from ..periods import Period

SELLOUT_TILES = ("sellout_revenue", "sellout_units", "returns_rate", "end_customers_reached", "new_end_customers")
LINE_COUNTRY_COLUMNS = [
    Column("Product line"),
    Column("End-customer country"),
    Column("Net units", "count"),
    Column("Units sold", "count"),
    Column("Units returned", "count"),
    Column("Returns rate", "percent"),
    Column("Sell-out revenue", "money"),
    Column("Lines without a rate", "count"),
]


def currency_note() -> str:
    return (
        f"Sell-out revenue is in {settings.PRM_REPORTING_CURRENCY} at the rate of each line's date; returns count "
        "against it and transfers are left out."
    )


def unconverted_note(values: dict[str, Any]) -> str:
    """Says how many lines of the figures were left out of the revenue because no rate applies (empty if none)."""
    count = int(values.get("sellout_lines_unconverted") or 0)
    if not count:
        return ""
    if count == 1:
        return "1 sell-out line has no exchange rate for its currency on its date and is not in the sell-out revenue."
    return (
        f"{count:,} sell-out lines have no exchange rate for their currency on their date and are not in the "
        "sell-out revenue."
    )


def distinct_note(exact: bool) -> str:
    """End customers are distinct counts: a sum of partner rows cannot give them."""
    if exact:
        return ""
    return (
        "End customers reached and new are distinct counts measured for one partner, the whole ecosystem, a single "
        "tier, type, region or product line; they are not shown for a combination of filters."
    )


def line_country_charts(user: Any, scope: selectors.Scope, period: Period) -> dict[str, Chart]:
    """Sell-out revenue by product line and by end-customer country, and the table of every product line and
    country (CSV), from the stored groups of the partners in the user's scope."""
    cells = selectors.sellout_by_line_and_country(user=user, scope=scope, period=period)
    charts = {}
    for key, attribute, label in (("line", "product_line", "Product line"), ("country", "country_name", "Country")):
        totals = selectors.totals_by(cells, attribute)
        charts[f"sellout_by_{key}"] = bar_chart(
            f"sellout_by_{key}",
            f"Sell-out revenue by {label.lower()}",
            categories=[name for name, _, _ in totals],
            series=[
                Series("Sell-out revenue", [revenue for _, revenue, _ in totals], PALETTE[0 if key == "line" else 2])
            ],
            kind="money",
            value_title=f"Sell-out revenue ({settings.PRM_REPORTING_CURRENCY})",
            category_title=label if key == "line" else "End-customer country",
            horizontal=True,
            empty_message=f"No sell-out reported in {period.label} for these partners.",
        )
    charts["sellout_by_line_country"] = table_only(
        "sellout_by_line_country",
        "Sell-out by product line and end-customer country",
        columns=LINE_COUNTRY_COLUMNS,
        rows=[
            [
                c.product_line,
                c.country_name,
                c.sellout_units,
                c.sellout_units_sold,
                c.sellout_units_returned,
                c.returns_rate,
                c.sellout_revenue,
                c.sellout_lines_unconverted,
            ]
            for c in cells
        ],
        empty_message=f"No sell-out reported in {period.label} for these partners.",
    )
    return charts
