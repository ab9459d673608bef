"""Sell-out of a part of the ecosystem by product line and end-customer country, from the stored groups.

`LineSellOut` holds one row per group of reporters (region × tier × type), product line, end-customer country
and period, so the figures of any combination of those filters, or of a manager's regions, are the sums of the
rows they cover: one grouped query, never a sell-out line read inside a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django_countries import countries

from ..models import LineSellOut
from .kpis import PeriodLike, Scope, period_months

SUMS = ("sellout_units", "sellout_revenue", "sellout_units_sold", "sellout_units_returned", "sellout_lines_unconverted")


@dataclass(frozen=True)
class SellOutCell:
    """Sell-out of one product line to end customers of one country (country "" = not reported)."""

    product_line: str
    country: str
    sellout_units: int
    sellout_revenue: Decimal
    sellout_units_sold: int
    sellout_units_returned: int
    sellout_lines_unconverted: int

    @property
    def country_name(self) -> str:
        return str(countries.name(self.country)) or self.country if self.country else "Not reported"

    @property
    def returns_rate(self) -> float | None:
        """Returned units / units sold (sales and drop-ships), as the KPI; None when nothing was sold."""
        return self.sellout_units_returned / self.sellout_units_sold if self.sellout_units_sold else None


def sellout_by_line_and_country(*, user: Any, scope: Scope, period: PeriodLike) -> list[SellOutCell]:
    """The sell-out of the partners the user may see (narrowed by the scope's partner filters and product line)
    per product line and end-customer country for `period` (a custom range adds up its months), largest revenue
    first, then by product line and country. Partners see none: these are groups of partners."""
    rows = LineSellOut.objects.visible_to(user).filter(**scope.partner_filters)
    if period.kind == "custom":
        rows = rows.filter(granularity="month", period_start__in=period_months(period.start, period.end))
    else:
        rows = rows.filter(granularity=period.kind, period_start=period.start)
    if scope.product_line_id:
        rows = rows.filter(product_line_id=scope.product_line_id)
    grouped = rows.values("product_line__name", "country").order_by().annotate(**{name: Sum(name) for name in SUMS})
    cells = [
        SellOutCell(row["product_line__name"], row["country"], **{name: row[name] or 0 for name in SUMS})
        for row in grouped
    ]
    return sorted(cells, key=lambda c: (-c.sellout_revenue, c.product_line, c.country))


def totals_by(cells: list[SellOutCell], attribute: str) -> list[tuple[str, Decimal, int]]:
    """[(name, revenue, net units)] added up by "product_line" or "country_name", largest revenue first."""
    totals: dict[str, list] = {}
    for cell in cells:
        entry = totals.setdefault(getattr(cell, attribute), [Decimal(0), 0])
        entry[0] += cell.sellout_revenue
        entry[1] += cell.sellout_units
    return sorted(((name, r, u) for name, (r, u) in totals.items()), key=lambda t: (-t[1], t[0]))
