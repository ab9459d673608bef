"""How dashboards present each KPI of DESIGN §3: label, kind of number, and which direction is better."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class KpiSpec:
    key: str
    label: str
    kind: str  # a kind of charts.AXIS_FORMATS
    axis_title: str
    lower_is_better: bool | None = False  # None: neither direction is better (changes shown in grey)
    # "sum": adds up over months (a flow); "last": the value at the end of the period (a stock); "rate": recomputed.
    rollup: str = "sum"


KPIS: dict[str, KpiSpec] = {
    spec.key: spec
    for spec in (
        KpiSpec("won_revenue", "Won revenue", "money", "Won revenue (USD)"),
        KpiSpec("pipeline_value", "Pipeline", "money", "Pipeline (USD)", rollup="last"),
        KpiSpec("deals_registered", "Registrations", "count", "Registrations"),
        KpiSpec("deals_approved", "Approved", "count", "Registrations approved"),
        KpiSpec("deals_rejected", "Rejected", "count", "Registrations rejected"),
        KpiSpec("approval_rate", "Approval rate", "percent", "Approval rate (%)", rollup="rate"),
        KpiSpec("deals_won", "Deals won", "count", "Deals won"),
        KpiSpec("deals_lost", "Deals lost", "count", "Deals lost"),
        KpiSpec("win_rate", "Win rate", "percent", "Win rate (%)", rollup="rate"),
        KpiSpec("avg_won_deal", "Average won deal", "money", "Average won deal (USD)", rollup="rate"),
        KpiSpec(
            "median_hours_to_decision",
            "Median time to decision",
            "hours",
            "Hours to decision",
            lower_is_better=True,
            rollup="rate",
        ),
        KpiSpec("sales_cycle_days", "Sales cycle", "days", "Days to win", True, "rate"),
        KpiSpec("conflict_rate", "Conflict rate", "percent", "Conflicts (%)", True, "rate"),
        KpiSpec("units_sold", "Units sold", "count", "Units sold"),
        KpiSpec("on_hand_end", "Units on hand", "count", "Units on hand", rollup="last"),
        KpiSpec("sell_through", "Sell-through", "percent", "Sell-through (%)", rollup="rate"),
        KpiSpec("days_of_cover", "Days of cover", "days", "Days of cover", None, "rate"),
        KpiSpec("stockouts", "Stockouts", "count", "Products out of stock", True, "last"),
        KpiSpec("claims_submitted", "Claims", "count", "Claims", True),
        KpiSpec("claim_approval_rate", "Claim approval rate", "percent", "Claims approved (%)", None, "rate"),
        KpiSpec("claim_resolution_days", "Claim resolution time", "days", "Days to decision", True, "rate"),
        KpiSpec(
            "claims_per_1000_units",
            "Claims per 1,000 units",
            "per_thousand",
            "Claims per 1,000 units",
            True,
            "rate",
        ),
        KpiSpec("active_certifications", "Active certifications", "count", "Valid certifications", rollup="last"),
    )
}

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
PARTNER_LIST_KPIS = ("won_revenue", "pipeline_value", "deals_registered", "win_rate", "sell_through", "days_of_cover")
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
TREND_KPIS = ("won_revenue", "pipeline_value", "deals_registered", "win_rate", "sell_through", "claims_per_1000_units")


@dataclass
class Tile:
    """A KPI tile: this period's value, the previous period's and the same period a year earlier."""

    spec: KpiSpec
    value: Any
    previous: Any = None
    year_ago: Any = None
    note: str = ""

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def lower_is_better(self) -> bool | None:
        return self.spec.lower_is_better


def tiles(keys: tuple[str, ...], current: dict, previous: dict, year_ago: dict) -> list[Tile]:
    """Tiles for `keys` from three {kpi: value} dicts (missing keys are empty, shown as "—")."""
    return [Tile(KPIS[k], current.get(k), previous.get(k), year_ago.get(k)) for k in keys]
