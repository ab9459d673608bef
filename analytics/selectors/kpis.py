"""KPI figures for whatever a page covers, read from the `KpiSnapshot` rows.

A "scope" is the partners a page covers: what the visibility rule lets the user
see, narrowed by partner filters. It is answered from one stored row wherever one
exists (the ecosystem, one tier, one type, one region or one product line), and
otherwise by adding up the partner rows of the scope in one grouped query and
recomputing the rates from the added counts with `analytics.kpis.derive_rates`
(DESIGN §3: ecosystem KPIs are the formulas over the rows, never averages of
rates). The median time to decision and the distinct end customers cannot be
rebuilt from partner rows (nor from months), so they are empty for such scopes.

Custom ranges of months add up month rows the same way: flows are summed,
positions (pipeline, stock, stockouts, certifications) are those of the last month.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from dateutil.relativedelta import relativedelta
from django.db.models import QuerySet, Sum
from django.utils import timezone

from partners.models import Partner

from ..definitions import KIND_MONTHS, KPI_COLUMNS, TO_DATE
from ..models import Dimension, KpiSnapshot

SUM_COLUMNS = tuple(c for c, kind in KPI_COLUMNS.items() if kind == "sum")
STOCK_COLUMNS = tuple(c for c, kind in KPI_COLUMNS.items() if kind == "stock")
RATE_COLUMNS = tuple(c for c, kind in KPI_COLUMNS.items() if kind == "rate")
STORED_COLUMNS = tuple(c for c, kind in KPI_COLUMNS.items() if kind != "rate")
ALL_COLUMNS = tuple(KPI_COLUMNS)
# Columns that need the raw values (the median time to decision, distinct end customers): only stored rows have
# them; a sum of partner rows or of months leaves them empty.
PRECISE = tuple(c for c, kind in KPI_COLUMNS.items() if kind in ("median", "distinct"))


class PeriodLike(Protocol):
    """What a reader needs of a reporting period: its kind and its whole months [start, end).

    `kind` is month, quarter or year (one stored row per scope) or custom (added up from month rows).
    """

    kind: str
    start: date
    end: date


def period_months(start: date, end: date) -> list[date]:
    """First days of the months in [start, end), oldest first."""
    months = []
    month = start
    while month < end:
        months.append(month)
        month += relativedelta(months=1)
    return months


@dataclass(frozen=True)
class Scope:
    """Partner filters narrowing what the user may see (ids, or None for "any"), and a product line."""

    tier_id: int | None = None
    region_id: int | None = None
    partner_type: str | None = None
    product_line_id: int | None = None

    @property
    def partner_filters(self) -> dict[str, Any]:
        """ORM lookups on Partner for the filters that describe partners (product line does not)."""
        lookups: dict[str, Any] = {}
        if self.tier_id:
            lookups["tier_id"] = self.tier_id
        if self.region_id:
            lookups["region_id"] = self.region_id
        if self.partner_type:
            lookups["partner_type"] = self.partner_type
        return lookups


def scope_partners(user: Any, scope: Scope) -> QuerySet[Partner]:
    """The partners a page covers: the visibility rule, then the scope's partner filters."""
    return Partner.objects.visible_to(user).filter(**scope.partner_filters)


def elapsed_days(start: date, end: date) -> float:
    """Days of [start, end) that have passed (a period still running counts only its elapsed part)."""
    today = timezone.now().date()
    return float(max((min(end, today) - start).days, 0)) if start <= today < end else float((end - start).days)


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)


def with_rates(rows: list[dict[str, Any]], days: Sequence[float]) -> list[dict[str, Any]]:
    """Rows of added-up counts completed with their ratio KPIs, by `analytics.kpis.derive_rates` (one call).

    `days[i]` is the length of row i's period in days. Counts and amounts keep their types; rates are floats,
    None where empty.
    """
    if not rows:
        return []
    # pandas and the compute module load on first use, not with the URL configuration (faster start-up).
    import numpy as np
    import pandas as pd

    from ..kpis import derive_rates

    frame = pd.DataFrame(
        [[_number(row.get(c)) for c in STORED_COLUMNS] for row in rows],
        columns=list(STORED_COLUMNS),
        dtype="float64",
        index=pd.MultiIndex.from_arrays(
            [np.zeros(len(rows), dtype="int64"), np.arange(len(rows))], names=["key", "period"]
        ),
    )
    rates = derive_rates(frame, np.asarray(days, dtype="float64"), per_day=1.0)[list(RATE_COLUMNS)].to_numpy()
    return [
        row | {c: None if math.isnan(v) else float(v) for c, v in zip(RATE_COLUMNS, values, strict=True)}
        for row, values in zip(rows, rates, strict=True)
    ]


def _range_totals(months: list[dict[str, Any]]) -> dict[str, Any]:
    """One range's stored columns from its month rows (oldest first): flows summed, positions the last month's."""
    totals: dict[str, Any] = {}
    for column in SUM_COLUMNS:
        values = [m.get(column) for m in months if m.get(column) is not None]
        totals[column] = sum(values) if values else None
    for column in STOCK_COLUMNS:
        totals[column] = months[-1].get(column)
    for column in PRECISE:
        totals[column] = months[0].get(column) if len(months) == 1 else None
    return totals


def combine_ranges(ranges: list[list[dict[str, Any]]], start: date, end: date) -> list[dict[str, Any]]:
    """The figures of [start, end) for each list of month rows (one list per scope), rates recomputed."""
    days = elapsed_days(start, end)
    return with_rates([_range_totals(months) for months in ranges], [days] * len(ranges))


@dataclass(frozen=True)
class Source:
    """Where a scope's figures come from: one stored row per period, or the sum of partner rows."""

    dimension: str
    key: str = ""
    partners: QuerySet | None = None  # set when partner rows are added up

    @property
    def exact(self) -> bool:
        return self.partners is None


def partner_source(partner: Partner | int) -> Source:
    """One partner's own stored rows."""
    return Source(Dimension.PARTNER, str(getattr(partner, "pk", partner)))


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
    added = [c for c in STORED_COLUMNS if c not in PRECISE]
    rows = list(
        base.filter(dimension=Dimension.PARTNER, partner__in=source.partners.values("pk"))
        .values("period_start", "period_end")
        .order_by()
        .annotate(**{f"t_{c}": Sum(c) for c in added})
    )
    totals = [{c: row[f"t_{c}"] for c in added} | dict.fromkeys(PRECISE) for row in rows]
    days = [elapsed_days(row["period_start"], row["period_end"]) for row in rows]
    return {
        row["period_start"]: figures | {"period_end": row["period_end"]}
        for row, figures in zip(rows, with_rates(totals, days), strict=True)
    }


def monthly_values(source: Source, months: list[date]) -> dict[date, dict[str, Any]]:
    """{first day of month: {kpi: value}} for the months asked (missing months are absent)."""
    return _rows(source, "month", months)


def period_values(source: Source, periods: Sequence[PeriodLike]) -> list[dict[str, Any]]:
    """{kpi: value} for each period, in the order given; {} for a period with no computed figures.

    Month, quarter and year periods read their stored rows; custom ranges add up month rows and need every
    month. All periods of one kind are read in one query.
    """
    by_kind: dict[str, set[date]] = {}
    for period in periods:
        if period.kind == "custom":
            by_kind.setdefault("month", set()).update(period_months(period.start, period.end))
        else:
            by_kind.setdefault(period.kind, set()).add(period.start)
    fetched = {kind: _rows(source, kind, starts) for kind, starts in by_kind.items()}
    out = []
    for period in periods:
        if period.kind != "custom":
            out.append(fetched[period.kind].get(period.start, {}))
            continue
        wanted = period_months(period.start, period.end)
        months = [fetched["month"][m] for m in wanted if m in fetched["month"]]
        out.append(combine_ranges([months], period.start, period.end)[0] if len(months) == len(wanted) else {})
    return out


def to_date_values(
    source: Source, period: PeriodLike, partners: QuerySet[Partner] | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Like-for-like comparisons of a month, quarter or year in progress: {kpi: value} of the previous period and
    of the same period a year earlier, each cut after as many days as have begun in this one (empty dicts when
    none are stored). Each carries `period_start` and `period_end`, where it was cut.

    The engine stores these ranges as partner rows (granularities mtd, qtd, ytd; `analytics.periods.to_date_periods`):
    a partner's own source reads its rows, any other scope adds up the rows of `partners` (the scope's partners)
    in one query, so the median time to decision is empty. A product line scope has no partner rows: pass None.
    """
    granularity = TO_DATE.get(period.kind)
    if granularity is None:
        return {}, {}
    if not (source.dimension == Dimension.PARTNER and source.exact):
        if partners is None:
            return {}, {}
        source = Source(Dimension.PARTNER, partners=partners)
    previous = period.start - relativedelta(months=KIND_MONTHS[period.kind])
    year_ago = period.start - relativedelta(months=12)
    rows = _rows(source, granularity, [previous, year_ago])
    return tuple(rows[start] | {"period_start": start} if start in rows else {} for start in (previous, year_ago))


def partner_period_rows(partners: QuerySet[Partner], period: PeriodLike) -> QuerySet[KpiSnapshot]:
    """The partners' rows of the period: one per partner for a month, quarter or year; the months of a custom
    range (at most one row per partner and month)."""
    rows = KpiSnapshot.objects.filter(dimension=Dimension.PARTNER, partner__in=partners.values("pk"))
    if period.kind == "custom":
        return rows.filter(granularity="month", period_start__gte=period.start, period_start__lt=period.end)
    return rows.filter(granularity=period.kind, period_start=period.start)
