"""Names shared by the models, the pure computation, the readers, the pages and the API (no Django, no pandas).

Keeping the column lists here means the table, the pandas frames and the API
always agree on which KPIs exist and how each one rolls up from months.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The one KPI registry: every column of the KPI tables, in table order, with how it is computed (DESIGN §3),
# how it rolls up, how pages label and format it, and which direction is better. The engine, the readers,
# the pages and the API all take their KPI lists from here.
#
# `rollup`: how a column combines when months roll up into quarters and years, or partners into groups:
#   "sum"    additive count or amount (numerators and denominators are stored so rates can be rebuilt);
#   "stock"  a position at the end of the period: the last month's value (summed across partners);
#   "median" recomputed from the raw values of the longer period or group, never derived from months;
#   "distinct" a count of distinct end customers, recomputed from the raw sell-out lines of the longer period or
#            group like a median (a customer reached in two months, or by two partners, counts once);
#   "rate"   derived from the additive columns after every roll-up.
# `unit`: how a value is shown: count, money (USD), percent (a fraction 0–1), hours, days or per_thousand.
# `lower_is_better`: None when neither direction is better in itself (changes are shown in grey).
# `target`: a (low, high) band of good values, for a KPI whose good range is a band (days of cover: 15–60 days);
#   readings of such a KPI (peer comparisons, the colour and words of a change) judge the distance to the band,
#   never "higher" or "lower" (`Kpi.compare`). Its `lower_is_better` is None.
# `basis`: for a rate, the counts it is a share of (shown beside it: "100.0 % (3 of 3 closed)").
# `design`: a KPI of DESIGN §3 that pages and the API show; the others are numerators kept for roll-ups.


# Days of cover is good inside this band (DESIGN §4's operations component scores against it, and pages read it).
COVER_TARGET_DAYS = (15.0, 60.0)


@dataclass(frozen=True)
class Basis:
    """What a rate is a share of, in counts: `part` of the sum of `whole` columns, e.g. won of (won + lost)
    "closed". Pages show it beside the rate ("100.0 % (3 of 3 closed)"), so that a rate next to an unrelated
    count (a win rate of 100 % beside 0 registrations: deals closed now were registered earlier) reads right."""

    part: str
    whole: tuple[str, ...]
    noun: str

    def counts(self, values: Any) -> tuple[int, int] | None:
        """(part, whole) from a mapping or an object with the columns; None when the whole is empty or zero."""
        get = values.get if isinstance(values, dict) else (lambda name: getattr(values, name, None))
        wholes = [get(name) for name in self.whole]
        part = get(self.part)
        if part is None or any(v is None for v in wholes) or not sum(wholes):
            return None
        return int(part), int(sum(wholes))


@dataclass(frozen=True)
class Kpi:
    name: str
    rollup: str
    unit: str
    label: str
    axis_title: str
    formula: str
    lower_is_better: bool | None = False
    design: bool = True
    target: tuple[float, float] | None = None
    basis: Basis | None = None

    @property
    def direction(self) -> str:
        """How a value is judged: "higher", "lower", "band" (inside `target`) or "none" (neither is better)."""
        if self.target is not None:
            return "band"
        if self.lower_is_better is None:
            return "none"
        return "lower" if self.lower_is_better else "higher"

    def distance_to_target(self, value: float) -> float:
        """How far a value lies outside the target band (0 inside it); only for KPIs with a `target`."""
        assert self.target is not None
        low, high = self.target
        return max(low - value, value - high, 0.0)

    def compare(self, value: float, reference: float) -> int | None:
        """Whether `value` is better (1), worse (-1) or as good (0) as `reference` by this KPI's direction;
        None when neither direction is better. A band KPI is better the closer it lies to its band."""
        if self.target is not None:
            gap = self.distance_to_target(reference) - self.distance_to_target(value)
        elif self.lower_is_better is None:
            return None
        else:
            gap = (reference - value) if self.lower_is_better else (value - reference)
        return (gap > 0) - (gap < 0)


KPIS: dict[str, Kpi] = {
    kpi.name: kpi
    for kpi in (
        Kpi(
            "deals_registered",
            "sum",
            "count",
            "Registrations",
            "Registrations",
            "registrations with submitted_at in P",
        ),
        Kpi(
            "deals_conflicting",
            "sum",
            "count",
            "Conflicting registrations",
            "Conflicting registrations",
            "registrations submitted in P that were flagged as conflicting",
            lower_is_better=True,
            design=False,
        ),
        Kpi(
            "deals_approved",
            "sum",
            "count",
            "Approved",
            "Registrations approved",
            "registrations whose approval decision is in P and approved them",
        ),
        Kpi(
            "deals_rejected",
            "sum",
            "count",
            "Rejected",
            "Registrations rejected",
            "registrations whose approval decision is in P and rejected them",
        ),
        Kpi(
            "approval_rate",
            "rate",
            "percent",
            "Approval rate",
            "Approval rate (%)",
            "approved / (approved + rejected), decisions in P; empty when none",
            basis=Basis("deals_approved", ("deals_approved", "deals_rejected"), "decided"),
        ),
        Kpi("deals_won", "sum", "count", "Deals won", "Deals won", "registrations closed as won in P"),
        Kpi("deals_lost", "sum", "count", "Deals lost", "Deals lost", "registrations closed as lost in P"),
        Kpi(
            "win_rate",
            "rate",
            "percent",
            "Win rate",
            "Win rate (%)",
            "won / (won + lost), closed in P; empty when none",
            basis=Basis("deals_won", ("deals_won", "deals_lost"), "closed"),
        ),
        Kpi(
            "won_revenue",
            "sum",
            "money",
            "Won revenue",
            "Won revenue (USD)",
            "sum of amounts of deals won in P, each in the reporting currency at the rate of its close date "
            "(no rate: left out and reported)",
        ),
        Kpi(
            "avg_won_deal",
            "rate",
            "money",
            "Average won deal",
            "Average won deal (USD)",
            "won_revenue / deals_won",
        ),
        Kpi(
            "pipeline_value",
            "stock",
            "money",
            "Pipeline",
            "Pipeline (USD)",
            "sum of amounts of deals approved, not closed, not expired at the end of P, in the reporting "
            "currency at the rate of P's last day (no rate: left out and reported)",
        ),
        Kpi(
            "median_hours_to_decision",
            "median",
            "hours",
            "Median time to decision",
            "Hours to decision",
            "median of (decision − submission) in hours, decisions in P",
            lower_is_better=True,
        ),
        Kpi(
            "sales_cycle_days_total",
            "sum",
            "days",
            "Days to win, summed",
            "Days to win, summed",
            "sum of (close − submission) in days, deals won in P",
            lower_is_better=True,
            design=False,
        ),
        Kpi(
            "sales_cycle_days",
            "rate",
            "days",
            "Sales cycle",
            "Days to win",
            "mean of (close − submission) in days, deals won in P",
            lower_is_better=True,
        ),
        Kpi(
            "conflict_rate",
            "rate",
            "percent",
            "Conflict rate",
            "Conflicts (%)",
            "share of registrations submitted in P that were flagged as conflicting",
            lower_is_better=True,
            basis=Basis("deals_conflicting", ("deals_registered",), "registered"),
        ),
        Kpi(
            "units_sold",
            "sum",
            "count",
            "Units sold",
            "Units sold",
            "sum of units_sold of inventory rows dated in P",
        ),
        Kpi(
            "inventory_reports",
            "sum",
            "count",
            "Stock reports",
            "Days with a stock report",
            "days in P with at least one stock report",
            design=False,
        ),
        Kpi(
            "on_hand_end",
            "stock",
            "count",
            "Units on hand",
            "Units on hand",
            "sum over products of the latest on_hand dated before the end of P",
        ),
        Kpi(
            "sell_through",
            "rate",
            "percent",
            "Sell-through",
            "Sell-through (%)",
            "units_sold / (units_sold + on_hand_end)",
        ),
        Kpi(
            "days_of_cover",
            "rate",
            "days",
            "Days of cover",
            "Days of cover",
            "on_hand_end / (units_sold / days in P); empty when nothing sold; good inside 15–60 days",
            lower_is_better=None,
            target=COVER_TARGET_DAYS,
        ),
        Kpi(
            "stockouts",
            "stock",
            "count",
            "Stockouts",
            "Products out of stock",
            "products whose latest on_hand before the end of P is 0",
            lower_is_better=True,
        ),
        Kpi(
            "claims_submitted",
            "sum",
            "count",
            "Claims",
            "Claims",
            "warranty claims with submitted_at in P",
            lower_is_better=True,
        ),
        Kpi(
            "claims_with_units",
            "sum",
            "count",
            "Claims beside units sold",
            "Claims beside units sold",
            "warranty claims submitted in P in calendar months in which their partner reported units sold",
            lower_is_better=True,
            design=False,
        ),
        Kpi(
            "claims_approved",
            "sum",
            "count",
            "Claims approved",
            "Claims approved",
            "warranty claims decided in P and approved (or since paid)",
            lower_is_better=None,
            design=False,
        ),
        Kpi(
            "claims_rejected",
            "sum",
            "count",
            "Claims rejected",
            "Claims rejected",
            "warranty claims decided in P and rejected",
            lower_is_better=None,
            design=False,
        ),
        Kpi(
            "claim_approval_rate",
            "rate",
            "percent",
            "Claim approval rate",
            "Claims approved (%)",
            "approved / (approved + rejected), claim decisions in P",
            lower_is_better=None,
            basis=Basis("claims_approved", ("claims_approved", "claims_rejected"), "decided"),
        ),
        Kpi(
            "claim_resolution_days_total",
            "sum",
            "days",
            "Claim resolution days, summed",
            "Claim resolution days, summed",
            "sum of (decision − submission) in days, claim decisions in P",
            lower_is_better=True,
            design=False,
        ),
        Kpi(
            "claim_resolution_days",
            "rate",
            "days",
            "Claim resolution time",
            "Days to decision",
            "mean of (decision − submission) in days, claim decisions in P",
            lower_is_better=True,
        ),
        Kpi(
            "claims_per_1000_units",
            "rate",
            "per_thousand",
            "Claims per 1,000 units",
            "Claims per 1,000 units",
            "1000 × claims_with_units / units_sold: the claims of partners that reported the units (in the months"
            " they reported units sold); empty when nothing was sold",
            lower_is_better=True,
        ),
        Kpi(
            "active_certifications",
            "stock",
            "count",
            "Active certifications",
            "Valid certifications",
            "certifications valid at the end of P",
        ),
        Kpi(
            "sellout_units",
            "sum",
            "count",
            "Sell-out units",
            "Units sold out (net)",
            "Σ signed quantity of sell-out lines dated in P: sales and drop-ships +, returns −, transfers 0",
        ),
        Kpi(
            "sellout_revenue",
            "sum",
            "money",
            "Sell-out revenue",
            "Sell-out revenue (USD)",
            "Σ signed quantity × unit price of sell-out lines dated in P, in the reporting currency at the rate of"
            " each line's date; lines without a rate are left out (counted in sellout_lines_unconverted)",
        ),
        Kpi(
            "sellout_units_sold",
            "sum",
            "count",
            "Units sold (sell-out)",
            "Units sold and drop-shipped",
            "Σ quantity of sale and drop-ship lines dated in P",
            design=False,
        ),
        Kpi(
            "sellout_units_returned",
            "sum",
            "count",
            "Units returned",
            "Units returned",
            "Σ quantity of return lines dated in P",
            lower_is_better=True,
            design=False,
        ),
        Kpi(
            "returns_rate",
            "rate",
            "percent",
            "Returns rate",
            "Returns (%)",
            "returned units / sold units (sales + drop-ships) of sell-out lines dated in P; empty when none sold",
            lower_is_better=True,
            basis=Basis("sellout_units_returned", ("sellout_units_sold",), "sold"),
        ),
        Kpi(
            "end_customers_reached",
            "distinct",
            "count",
            "End customers reached",
            "End customers reached",
            "distinct end customers (matched customers, or candidates) on sale and drop-ship lines dated in P",
        ),
        Kpi(
            "new_end_customers",
            "distinct",
            "count",
            "New end customers",
            "New end customers",
            "distinct end customers whose first sale or drop-ship line from this reporter (or group, or the"
            " ecosystem) is dated in P",
        ),
        Kpi(
            "sellout_lines_unconverted",
            "sum",
            "count",
            "Sell-out lines without a rate",
            "Lines without a rate",
            "sell-out lines dated in P (not transfers) whose currency has no rate at their date: left out of"
            " sellout_revenue",
            lower_is_better=True,
            design=False,
        ),
        Kpi(
            "tickets_opened",
            "sum",
            "count",
            "Support tickets",
            "Support tickets opened",
            "support tickets with opened_at in P",
            lower_is_better=None,
        ),
        Kpi(
            "tickets_resolved",
            "sum",
            "count",
            "Tickets resolved",
            "Support tickets resolved",
            "support tickets whose latest resolution (resolved_at) is in P, resolved or closed now",
            lower_is_better=None,
            design=False,
        ),
        Kpi(
            "tickets_reopened",
            "sum",
            "count",
            "Resolved tickets once reopened",
            "Resolved tickets once reopened",
            "support tickets resolved in P that were reopened at least once",
            lower_is_better=True,
            design=False,
        ),
        Kpi(
            "tickets_breached",
            "sum",
            "count",
            "Resolved tickets that missed the SLA",
            "Resolved tickets that missed the SLA",
            "support tickets resolved in P that breached their first-response or resolution target",
            lower_is_better=True,
            design=False,
        ),
        Kpi(
            "ticket_resolution_days_total",
            "sum",
            "days",
            "Ticket resolution time, summed",
            "Ticket resolution days, summed",
            "sum of (resolved_at − opened_at) in days, tickets resolved in P",
            lower_is_better=True,
            design=False,
        ),
        Kpi(
            "ticket_resolution_hours",
            "rate",
            "hours",
            "Ticket resolution time",
            "Hours to resolve",
            "mean of (resolved_at − opened_at) in hours, tickets resolved in P; empty when none",
            lower_is_better=True,
        ),
        Kpi(
            "ticket_resolution_hours_median",
            "median",
            "hours",
            "Median ticket resolution time",
            "Hours to resolve (median)",
            "median of (resolved_at − opened_at) in hours, tickets resolved in P; empty when none",
            lower_is_better=True,
        ),
        Kpi(
            "ticket_reopen_rate",
            "rate",
            "percent",
            "Ticket reopen rate",
            "Reopened (%)",
            "tickets resolved in P that were reopened at least once / tickets resolved in P; empty when none",
            lower_is_better=True,
            basis=Basis("tickets_reopened", ("tickets_resolved",), "resolved"),
        ),
        Kpi(
            "ticket_sla_breach_rate",
            "rate",
            "percent",
            "SLA breach rate",
            "SLA breached (%)",
            "tickets resolved in P that breached a target (first response or resolution) / tickets resolved in P;"
            " empty when none",
            lower_is_better=True,
            basis=Basis("tickets_breached", ("tickets_resolved",), "resolved"),
        ),
    )
}

# Column → roll-up, in table order (the engine's frames and the API's fields follow it).
KPI_COLUMNS: dict[str, str] = {name: kpi.rollup for name, kpi in KPIS.items()}

# The KPIs of DESIGN §3, in the order pages show them; the other columns are numerators kept for roll-ups.
DESIGN_KPIS: tuple[str, ...] = tuple(name for name, kpi in KPIS.items() if kpi.design)

# Anonymised peer figures (tier quartiles and medians) are shown to partners only for groups of at least
# this many partners with a figure: in a smaller group a quartile could be one identifiable partner's number.
MIN_PEER_GROUP = 5

# The KPI columns computed from warranty claims, certifications and support tickets. DESIGN §1 lets a
# distributor read the deals and inventory of the resellers it supplies, nothing else: on a reseller's row
# these are blank for the distributor (the rest come from deals and stock reports).
CLAIM_KPIS: frozenset[str] = frozenset(
    {
        "claims_submitted",
        "claims_with_units",
        "claims_approved",
        "claims_rejected",
        "claim_approval_rate",
        "claim_resolution_days_total",
        "claim_resolution_days",
        "claims_per_1000_units",
    }
)
CERTIFICATION_KPIS: frozenset[str] = frozenset({"active_certifications"})
# The KPI columns computed from sell-out lines (DESIGN §9).
SELLOUT_KPIS: tuple[str, ...] = (
    "sellout_units",
    "sellout_revenue",
    "sellout_units_sold",
    "sellout_units_returned",
    "returns_rate",
    "end_customers_reached",
    "new_end_customers",
    "sellout_lines_unconverted",
)

# Support tickets: a distributor does not see its resellers' tickets (support.models.TicketQuerySet).
TICKET_KPIS: frozenset[str] = frozenset(
    {
        "tickets_opened",
        "tickets_resolved",
        "tickets_reopened",
        "tickets_breached",
        "ticket_resolution_days_total",
        "ticket_resolution_hours",
        "ticket_resolution_hours_median",
        "ticket_reopen_rate",
        "ticket_sla_breach_rate",
    }
)
NOT_FOR_DISTRIBUTORS: frozenset[str] = CLAIM_KPIS | CERTIFICATION_KPIS | TICKET_KPIS

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
# The domain event emitted when a partner's health band changes (analytics.scoring emits it).
BAND_EVENT = "partner.health_band_changed"

# The comparisons of a period in progress: the previous period and the same period a year earlier, each cut
# after as many days as have begun in the period in progress, stored as their own granularities (partner rows,
# analytics.periods.to_date_periods); and each period kind's length in months.
TO_DATE: dict[str, str] = {"month": "mtd", "quarter": "qtd", "year": "ytd"}
KIND_MONTHS: dict[str, int] = {"month": 1, "quarter": 3, "year": 12}
