"""Readers of the analytics tables: the one read path of pages and the API.

Data in, data out: readers take a user, a scope and periods, and answer querysets,
model rows, dicts or dataclasses — never charts or tables, which the pages build from
them. Visibility is the one rule of `core.visibility`: readers that take a `user`
apply it themselves (a partner sees its own figures, the ecosystem's and anonymised
peer benchmarks; managers see their partners and the breakdowns), readers that take
`partners` expect the queryset `scope_partners` returns (the rule, then the filters),
and `tier_medians` answers only medians of groups of at least `min_peers` partners.
Every reader reads a bounded number of indexed rows of the analytics tables: nothing
here aggregates raw ecosystem data inside a request (DESIGN §5.4).

The rule for the apps above analytics: pages (the `dashboards` app) import
analytics only through this package, plus `analytics.definitions` for the KPI
registry — never `analytics.models` or the engine's modules.

- `kpis`: a scope's figures for periods (stored rows or partner rows added up, rates by `derive_rates`);
- `peers`: tier quartiles and medians (one quantile function, one peer-privacy minimum);
- `health`: partner and ecosystem health for a scope, alerts derived from the bands;
- `revenue`: won revenue by segment, product line and partner, concentration;
- `sellout`: sell-out by product line and end-customer country for a part of the ecosystem (stored groups);
- `insights`: stock cover and claim-rate lists, product line rows, claims by failure code;
- `feedback`: product feedback (units, claims, lost deals, claim warnings per product and month);
- `currency`: the reporting currency, how money is converted, and the amounts left out for want of a rate;
- `history`: the first day of recorded history a user sees (trends leave out months before it);
- `quality`: data-quality scores per partner and month, and what a partner should fix;
- `partners`: partners annotated with their figures, for sortable lists;
- `channel_wide_reader` / `ecosystem_reader`: whether a user may read figures that add up every partner.
"""

from __future__ import annotations

from ..models import channel_wide_reader, ecosystem_reader
from .currency import UnconvertedNote, money_basis, reporting_currency, unconverted_amounts
from .feedback import (
    FeedbackCount,
    FeedbackMonth,
    feedback_start,
    month_span,
    open_claim_warnings,
    product_feedback_counts,
    product_feedback_list,
    product_feedback_months,
    product_feedback_trends,
)
from .health import EcosystemSummary, ecosystem_summary, health_alert_rows, last_month_end, partner_health
from .history import history_start
from .insights import (
    claims_by_failure_code,
    cover_distribution,
    overstocked_partners,
    product_line_months,
    product_line_rows,
    stockout_partners,
    understocked_partners,
    unusual_claim_partners,
)
from .kpis import (
    Scope,
    Source,
    monthly_values,
    partner_source,
    period_values,
    resolve_source,
    scope_partners,
    to_date_values,
)
from .partners import partners_with_kpis
from .peers import peer_benchmarks, quantiles, tier_medians
from .quality import (
    FixItem,
    QualitySummary,
    data_quality_list,
    partner_data_quality,
    partner_quality_summary,
    quality_to_fix,
)
from .revenue import (
    Concentration,
    concentration,
    revenue_by_country,
    revenue_by_partner,
    revenue_by_product_line,
    revenue_by_product_line_of,
    revenue_by_segment,
)
from .sellout import SellOutCell, sellout_by_line_and_country, totals_by

__all__ = [
    "Concentration",
    "EcosystemSummary",
    "FixItem",
    "QualitySummary",
    "FeedbackCount",
    "FeedbackMonth",
    "Scope",
    "SellOutCell",
    "Source",
    "UnconvertedNote",
    "channel_wide_reader",
    "claims_by_failure_code",
    "concentration",
    "cover_distribution",
    "data_quality_list",
    "ecosystem_reader",
    "ecosystem_summary",
    "feedback_start",
    "health_alert_rows",
    "history_start",
    "last_month_end",
    "month_span",
    "money_basis",
    "monthly_values",
    "open_claim_warnings",
    "overstocked_partners",
    "partner_data_quality",
    "partner_health",
    "partner_quality_summary",
    "partner_source",
    "partners_with_kpis",
    "peer_benchmarks",
    "period_values",
    "product_feedback_counts",
    "product_feedback_list",
    "product_feedback_months",
    "product_feedback_trends",
    "product_line_months",
    "product_line_rows",
    "quality_to_fix",
    "quantiles",
    "resolve_source",
    "reporting_currency",
    "revenue_by_country",
    "revenue_by_partner",
    "revenue_by_product_line",
    "revenue_by_product_line_of",
    "revenue_by_segment",
    "scope_partners",
    "sellout_by_line_and_country",
    "stockout_partners",
    "tier_medians",
    "totals_by",
    "to_date_values",
    "unconverted_amounts",
    "understocked_partners",
    "unusual_claim_partners",
]
