"""Names shared by the models, the pure computation and the readers (no Django, no pandas).

Keeping the column lists here means the table, the pandas frames and the API
always agree on which KPIs exist and how each one rolls up from months.
"""

from __future__ import annotations

# How a KPI column combines when months roll up into quarters and years, or partners into groups:
#   "sum"    additive count or amount (numerators and denominators are stored so rates can be rebuilt);
#   "stock"  a position at the end of the period: the last month's value (summed across partners);
#   "median" recomputed from the raw values of the longer period or group, never derived from months;
#   "rate"   derived from the additive columns after every roll-up.
KPI_COLUMNS: dict[str, str] = {
    "deals_registered": "sum",
    "deals_conflicting": "sum",
    "deals_approved": "sum",
    "deals_rejected": "sum",
    "approval_rate": "rate",
    "deals_won": "sum",
    "deals_lost": "sum",
    "win_rate": "rate",
    "won_revenue": "sum",
    "avg_won_deal": "rate",
    "pipeline_value": "stock",
    "median_hours_to_decision": "median",
    "sales_cycle_days_total": "sum",
    "sales_cycle_days": "rate",
    "conflict_rate": "rate",
    "units_sold": "sum",
    "inventory_reports": "sum",
    "on_hand_end": "stock",
    "sell_through": "rate",
    "days_of_cover": "rate",
    "stockouts": "stock",
    "claims_submitted": "sum",
    "claims_approved": "sum",
    "claims_rejected": "sum",
    "claim_approval_rate": "rate",
    "claim_resolution_days_total": "sum",
    "claim_resolution_days": "rate",
    "claims_per_1000_units": "rate",
    "active_certifications": "stock",
}

# The KPIs of DESIGN §3, in the order pages show them; the other columns are numerators kept for roll-ups.
DESIGN_KPIS: tuple[str, ...] = (
    "deals_registered",
    "deals_approved",
    "deals_rejected",
    "approval_rate",
    "deals_won",
    "deals_lost",
    "win_rate",
    "won_revenue",
    "avg_won_deal",
    "pipeline_value",
    "median_hours_to_decision",
    "sales_cycle_days",
    "conflict_rate",
    "units_sold",
    "on_hand_end",
    "sell_through",
    "days_of_cover",
    "stockouts",
    "claims_submitted",
    "claim_approval_rate",
    "claim_resolution_days",
    "claims_per_1000_units",
    "active_certifications",
)

# The KPI columns computed from warranty claims and from certifications. DESIGN §1 lets a distributor read
# the deals and inventory of the resellers it supplies, nothing else: on a reseller's row these are blank
# for the distributor (the rest come from deals and stock reports).
CLAIM_KPIS: frozenset[str] = frozenset(
    {
        "claims_submitted",
        "claims_approved",
        "claims_rejected",
        "claim_approval_rate",
        "claim_resolution_days_total",
        "claim_resolution_days",
        "claims_per_1000_units",
    }
)
CERTIFICATION_KPIS: frozenset[str] = frozenset({"active_certifications"})
NOT_FOR_DISTRIBUTORS: frozenset[str] = CLAIM_KPIS | CERTIFICATION_KPIS

MONEY_KPIS: frozenset[str] = frozenset({"won_revenue", "avg_won_deal", "pipeline_value"})
FLOAT_KPIS: frozenset[str] = frozenset(
    name for name, kind in KPI_COLUMNS.items() if kind in ("rate", "median") and name not in MONEY_KPIS
) | {"sales_cycle_days_total", "claim_resolution_days_total"}
INTEGER_KPIS: frozenset[str] = frozenset(KPI_COLUMNS) - MONEY_KPIS - FLOAT_KPIS

# Health components (DESIGN §4): name → (label used in explanations, default weight).
HEALTH_COMPONENTS: dict[str, tuple[str, float]] = {
    "revenue": ("revenue", 0.30),
    "growth": ("growth", 0.15),
    "pipeline": ("pipeline", 0.15),
    "engagement": ("engagement", 0.15),
    "deal_quality": ("deal quality", 0.10),
    "operations": ("operations", 0.15),
}

# Raw inputs measured per partner and date; the components are built from them.
HEALTH_INPUTS: tuple[str, ...] = (
    "revenue_90d",
    "revenue_prior_90d",
    "pipeline",
    "engagement_90d",
    "won_180d",
    "lost_180d",
    "units_sold_90d",
    "on_hand",
    "claims_90d",
)

BANDS = (("healthy", 70.0), ("watch", 40.0), ("at_risk", float("-inf")))
# Health metrics (growth, win rate, days of cover, claims per 1,000 units, operations) are rounded to this many
# decimals before they are ranked among peers or scored against the cover band, and the score to one decimal
# (SCORE_DECIMALS) before it is banded. Floating-point noise is about 1e-15 of a value: 0.30 / 0.10 gives
# 2.9999999999999996 where 3.00 / 1.00 gives 3.0. Rounding makes equal figures tie exactly (they share the mean
# rank) and keeps an exact 60 days of cover inside the 15–60 band; six decimals is far finer than any figure shown.
METRIC_DECIMALS = 6
SCORE_DECIMALS = 1

TRAILING_DAYS = 90
QUALITY_DAYS = 180
COVER_TARGET_DAYS = (15.0, 60.0)
