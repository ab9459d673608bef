"""KPI figures for whatever the user is looking at, read from the analytics `KpiSnapshot` rows.

A "scope" is the partners a page covers: what the visibility rule lets the user
see, narrowed by the filter bar. It is answered from one stored row wherever one
exists (the ecosystem, one tier, one type, one region or one product line), and
otherwise by adding up the partner rows of the scope in one grouped query and
recomputing the rates from the added counts (DESIGN §3: ecosystem KPIs are the
formulas over the rows, never averages of rates). The median time to decision
cannot be rebuilt from partner rows, so it is empty ("—") for such scopes.

Custom ranges add up month rows the same way: flows are summed, positions
(pipeline, stock, stockouts, certifications) are those of the last month.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone

from analytics.definitions import KPI_COLUMNS
from analytics.models import Dimension, KpiSnapshot
from partners.models import Partner

from ..forms import Scope
from ..periods import Period

SUM_COLUMNS = tuple(c for c, kind in KPI_COLUMNS.items() if kind == "sum")
STOCK_COLUMNS = tuple(c for c, kind in KPI_COLUMNS.items() if kind == "stock")
STORED_COLUMNS = tuple(c for c, kind in KPI_COLUMNS.items() if kind != "rate")
ALL_COLUMNS = tuple(KPI_COLUMNS)
PRECISE = "median_hours_to_decision"


def _ratio(numerator: Any, denominator: Any, scale: float = 1.0) -> float | None:
    if numerator is None or denominator is None or float(denominator) == 0:
        return None
    return scale * float(numerator) / float(denominator)


def rates_from_totals(row: dict[str, Any], days: float) -> dict[str, Any]:
    """The ratio KPIs of DESIGN §3 from added-up counts (same formulas as analytics.kpis.derive_rates).

    approval_rate = approved / (approved + rejected); win_rate = won / (won + lost); avg_won_deal =
    won_revenue / won; sales_cycle_days = Σ cycle days / won; conflict_rate = conflicting / registered;
    sell_through = sold / (sold + on hand at end); days_of_cover = on hand / (sold / days), empty when
    nothing sold; claim_approval_rate and claim_resolution_days over decided claims; claims_per_1000_units =
    1000 × claims / units sold. Empty whenever the denominator is 0.
    """
    out = dict(row)
    on_hand = row.get("on_hand_end")
    sold = row.get("units_sold") or 0
    decided_claims = (row.get("claims_approved") or 0) + (row.get("claims_rejected") or 0)
    approved, rejected = row.get("deals_approved") or 0, row.get("deals_rejected") or 0
    won, lost = row.get("deals_won") or 0, row.get("deals_lost") or 0
    out["approval_rate"] = _ratio(approved, approved + rejected)
    out["win_rate"] = _ratio(won, won + lost)
    out["avg_won_deal"] = _ratio(row.get("won_revenue"), row.get("deals_won"))
    out["sales_cycle_days"] = _ratio(row.get("sales_cycle_days_total"), row.get("deals_won"))
    out["conflict_rate"] = _ratio(row.get("deals_conflicting"), row.get("deals_registered"))
    out["sell_through"] = _ratio(sold, sold + float(on_hand or 0))
    daily = _ratio(sold, days)
    out["days_of_cover"] = _ratio(on_hand, daily) if on_hand is not None and daily else None
    out["claim_approval_rate"] = _ratio(row.get("claims_approved"), decided_claims)
    out["claim_resolution_days"] = _ratio(row.get("claim_resolution_days_total"), decided_claims)
    out["claims_per_1000_units"] = _ratio(row.get("claims_submitted"), sold, scale=1000.0)
    return out


def elapsed_days(start: date, end: date) -> float:
    """Days of [start, end) that have passed (a period still running counts only its elapsed part)."""
    today = timezone.now().date()
    return float(max((min(end, today) - start).days, 0)) if start <= today < end else float((end - start).days)


@dataclass(frozen=True)
class Source:
    """Where a scope's figures come from: one stored row per period, or the sum of partner rows."""

    dimension: str
    key: str = ""
    partners: QuerySet | None = None  # set when partner rows are added up

    @property
    def exact(self) -> bool:
        return self.partners is None


def scope_partners(user: Any, scope: Scope) -> QuerySet[Partner]:
    """The partners a page covers: the visibility rule, then the bar's partner filters."""
    return Partner.objects.visible_to(user).filter(**scope.partner_filters)


def resolve_source(user: Any, scope: Scope) -> Source:
    """The cheapest exact source for (user, scope); see the module docstring."""
    filters = scope.partner_filters
    regions = [] if user.is_superuser else list(user.region_ids) if user.is_channel_manager else None
    if regions is None:  # partners read their own rows only
        return Source(Dimension.PARTNER, partners=scope_partners(user, scope))
    if scope.product_line_id and not filters and not regions:
        return Source(Dimension.PRODUCT_LINE, str(scope.product_line_id))
    if regions and not filters and len(regions) == 1:
        return Source(Dimension.REGION, str(regions[0]))
    if len(filters) == 1 and (not regions or "region_id" in filters):
        ((name, value),) = filters.items()
        dimension = {"tier_id": Dimension.TIER, "region_id": Dimension.REGION, "partner_type": Dimension.PARTNER_TYPE}
        return Source(dimension[name], str(value))
    if not filters and not regions:
        return Source(Dimension.ECOSYSTEM, "")
    return Source(Dimension.PARTNER, partners=scope_partners(user, scope))


def _rows(source: Source, granularity: str, starts: Iterable[date]) -> dict[date, dict[str, Any]]:
    starts = sorted(set(starts))
    if not starts:
        return {}
    base = KpiSnapshot.objects.filter(granularity=granularity, period_start__in=starts)
    if source.exact:
        rows = base.filter(dimension=source.dimension, key=source.key)
        rows = rows.values("period_start", "period_end", *ALL_COLUMNS)
        return {row.pop("period_start"): row for row in rows}
    rows = (
        base.filter(dimension=Dimension.PARTNER, partner__in=source.partners.values("pk"))
        .values("period_start", "period_end")
        .order_by()
        .annotate(**{f"t_{c}": Sum(c) for c in STORED_COLUMNS if c != PRECISE})
    )
    out = {}
    for row in rows:
        totals = {c: row[f"t_{c}"] for c in STORED_COLUMNS if c != PRECISE}
        totals[PRECISE] = None
        days = elapsed_days(row["period_start"], row["period_end"])
        out[row["period_start"]] = rates_from_totals(totals, days) | {"period_end": row["period_end"]}
    return out


def monthly_values(source: Source, months: list[date]) -> dict[date, dict[str, Any]]:
    """{first day of month: {kpi: value}} for the months asked (missing months are absent)."""
    return _rows(source, "month", months)


def combine_months(months: list[dict[str, Any]], start: date, end: date) -> dict[str, Any]:
    """One custom range from its month rows: flows summed, positions from the last month, rates recomputed."""
    if not months:
        return {}
    totals: dict[str, Any] = {}
    for column in SUM_COLUMNS:
        values = [m.get(column) for m in months if m.get(column) is not None]
        totals[column] = sum(values) if values else None
    for column in STOCK_COLUMNS:
        totals[column] = months[-1].get(column)
    totals[PRECISE] = months[0].get(PRECISE) if len(months) == 1 else None
    return rates_from_totals(totals, elapsed_days(start, end))


def period_values(source: Source, periods: list[Period]) -> list[dict[str, Any]]:
    """{kpi: value} for each period, in the order given; {} for a period with no computed figures.

    Month, quarter and year periods read their stored rows; custom ranges add up month rows.
    All periods of one kind are read in one query.
    """
    by_kind: dict[str, set[date]] = {}
    for period in periods:
        if period.kind == "custom":
            by_kind.setdefault("month", set()).update(period.months())
        else:
            by_kind.setdefault(period.kind, set()).add(period.start)
    fetched = {kind: _rows(source, kind, starts) for kind, starts in by_kind.items()}
    out = []
    for period in periods:
        if period.kind == "custom":
            months = [fetched["month"][m] for m in period.months() if m in fetched["month"]]
            out.append(combine_months(months, period.start, period.end) if len(months) == period.length else {})
        else:
            out.append(fetched[period.kind].get(period.start, {}))
    return out
