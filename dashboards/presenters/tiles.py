"""KPI tiles: which KPIs each page shows, and one tile per KPI with its comparisons.

Labels, units and which direction is better come from the one KPI registry, `analytics.definitions.KPIS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analytics import selectors
from analytics.definitions import KPIS, Kpi

from ..periods import Period

OVERVIEW_TILES = (
    "won_revenue",
    "pipeline_value",
    "deals_registered",
    "approval_rate",
    "win_rate",
    "median_hours_to_decision",
    "sell_through",
    "claims_per_1000_units",
)
SCORECARD_TILES = (
    "won_revenue",
    "pipeline_value",
    "deals_registered",
    "approval_rate",
    "win_rate",
    "sell_through",
    "days_of_cover",
    "claims_per_1000_units",
)
INVENTORY_TILES = ("units_sold", "sell_through", "days_of_cover", "stockouts")
WARRANTY_TILES = ("claims_submitted", "claims_per_1000_units", "claim_approval_rate", "claim_resolution_days")
SUPPORT_TILES = (
    "tickets_opened",
    "ticket_resolution_hours",
    "ticket_resolution_hours_median",
    "ticket_reopen_rate",
    "ticket_sla_breach_rate",
)
TREND_KPIS = (
    "won_revenue",
    "pipeline_value",
    "deals_registered",
    "win_rate",
    "sell_through",
    "claims_per_1000_units",
    "sellout_revenue",
)
PARTNER_LIST_KPIS = ("won_revenue", "pipeline_value", "deals_registered", "win_rate", "sell_through", "days_of_cover")


@dataclass
class Tile:
    """A KPI tile: this period's value, the previous period's and the same period a year earlier."""

    kpi: Kpi
    value: Any
    previous: Any = None
    year_ago: Any = None
    note: str = ""

    @property
    def label(self) -> str:
        return self.kpi.label

    @property
    def kind(self) -> str:
        return self.kpi.unit

    @property
    def lower_is_better(self) -> bool | None:
        return self.kpi.lower_is_better


def basis_text(kpi: Kpi, values: Any) -> str:
    """What a rate is a share of, e.g. "3 of 3 closed" (empty for a KPI that is no rate, or without counts).

    `values` is a {column: value} dict or an object annotated with the columns (a partner in the list)."""
    counts = kpi.basis.counts(values) if kpi.basis else None
    if counts is None:
        return ""
    part, whole = counts
    return f"{part:,} of {whole:,} {kpi.basis.noun}"


def basis_columns(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The count columns the rates among `keys` are shares of (for lists that show them beside the rates)."""
    columns: list[str] = []
    for key in keys:
        basis = KPIS[key].basis
        for name in (basis.part, *basis.whole) if basis else ():
            if name not in columns and name not in keys:
                columns.append(name)
    return tuple(columns)


def tiles(keys: tuple[str, ...], current: dict, previous: dict, year_ago: dict) -> list[Tile]:
    """Tiles for `keys` from three {kpi: value} dicts (missing keys are empty, shown as "—"); a rate's tile notes
    its basis ("3 of 3 closed")."""
    return [
        Tile(KPIS[k], current.get(k), previous.get(k), year_ago.get(k), note=basis_text(KPIS[k], current)) for k in keys
    ]


@dataclass
class Figures:
    """A period's figures and the two it is compared with, with the words that name the comparisons."""

    current: dict
    previous: dict
    year_ago: dict
    previous_label: str
    year_ago_label: str


def period_figures(source: selectors.Source, period: Period, partners: Any = None) -> Figures:
    """The period's figures with its comparisons: for a month, quarter or year in progress, the previous period
    and the year before cut at the same elapsed days ("the first 59 days of Q3 2026"), never the whole of them.

    `partners`: the scope's partners, whose stored to-date rows are added up for any scope other than one
    partner's own (None where there are none to add up, e.g. a product line: no comparison is shown then).
    """
    previous, year_ago = period.previous(), period.year_ago()
    if period.kind == "custom" or not period.in_progress():
        current, before, earlier = selectors.period_values(source, [period, previous, year_ago])
        return Figures(current, before, earlier, previous.short_label, year_ago.short_label)
    (current,) = selectors.period_values(source, [period])
    before, earlier = selectors.to_date_values(source, period, partners)
    return Figures(current, before, earlier, _cut_label(before, previous), _cut_label(earlier, year_ago))


def _cut_label(row: dict, whole: Period) -> str:
    """ "the first 59 days of Q3 2026" for a comparison cut short; the period's label when it is all of it."""
    if not row:
        return f"the same days of {whole.short_label}"
    days = (row["period_end"] - row["period_start"]).days
    if row["period_end"] >= whole.end:
        return f"all of {whole.short_label}"
    return f"the first {days} day{'s' if days != 1 else ''} of {whole.short_label}"
