"""KPI tiles: which KPIs each page shows, and one tile per KPI with its comparisons.

Labels, units and which direction is better come from the one KPI registry, `analytics.definitions.KPIS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analytics.definitions import KPIS, Kpi

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
TREND_KPIS = ("won_revenue", "pipeline_value", "deals_registered", "win_rate", "sell_through", "claims_per_1000_units")
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
