"""Tier peer benchmarks: medians and quartiles of partner KPI rows, never any one peer's figures.

Peers are the active partners of the same tier (DESIGN §4). Statistics are
computed in the database on PostgreSQL (`percentile_cont`, one grouped query)
and from the fetched values elsewhere (SQLite in development and tests), with
the same definition: linear interpolation between the closest ranks, empty
values left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, FloatField, QuerySet

from analytics.models import Dimension, KpiSnapshot
from partners.models import Partner

# Fewer peers than this and quartiles could point at a single partner: they are not shown to partners.
MIN_PEERS = 5


class Percentile(Aggregate):
    """PostgreSQL's continuous percentile (ordered-set aggregate)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: str, fraction: float, **extra: Any):
        super().__init__(expression, fraction=float(fraction), **extra)


def quantile(values: Sequence[float], fraction: float) -> float | None:
    """The `fraction` quantile by linear interpolation (as percentile_cont); None for no values."""
    ordered = sorted(float(v) for v in values if v is not None)
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def tier_peers(tier_id: int | None) -> QuerySet[Partner]:
    """Active partners of the tier (untiered active partners are each other's peers)."""
    partners = Partner.objects.active()
    return partners.filter(tier_id=tier_id) if tier_id else partners.filter(tier__isnull=True)


def peer_statistics(
    *, tier_id: int | None, granularity: str, starts: Sequence[date], kpis: Sequence[str], fractions: Sequence[float]
) -> dict[date, dict[str, dict[float, float | None]]]:
    """{period start: {kpi: {fraction: value, "n": values counted}}} over tier peers' partner rows."""
    rows = KpiSnapshot.objects.filter(
        dimension=Dimension.PARTNER,
        granularity=granularity,
        period_start__in=list(starts),
        partner__in=tier_peers(tier_id).values("pk"),
    )
    if connection.vendor == "postgresql":
        return _in_database(rows, kpis, fractions)
    return _in_python(rows, kpis, fractions)


def _alias(kpi: str, fraction: float) -> str:
    return f"{kpi}__q{int(round(fraction * 100))}"


def _in_database(rows: QuerySet, kpis: Sequence[str], fractions: Sequence[float]) -> dict:
    aggregates = {_alias(k, f): Percentile(k, f) for k in kpis for f in fractions}
    counts = {f"{k}__n": Count(k) for k in kpis}  # COUNT(column) leaves empty values out, as the percentile does
    result = {}
    for row in rows.values("period_start").order_by().annotate(**counts, **aggregates):
        result[row["period_start"]] = {
            k: {f: row[_alias(k, f)] for f in fractions} | {"n": row[f"{k}__n"]} for k in kpis
        }
    return result


def _in_python(rows: QuerySet, kpis: Sequence[str], fractions: Sequence[float]) -> dict:
    values: dict[date, dict[str, list]] = {}
    for row in rows.values_list("period_start", *kpis):
        start, figures = row[0], row[1:]
        bucket = values.setdefault(start, {k: [] for k in kpis})
        for kpi, value in zip(kpis, figures, strict=True):
            if value is not None:
                bucket[kpi].append(value)
    return {
        start: {k: {f: quantile(bucket[k], f) for f in fractions} | {"n": len(bucket[k])} for k in kpis}
        for start, bucket in values.items()
    }


def tier_medians(
    *, tier_id: int | None, granularity: str, starts: Sequence[date], kpis: Sequence[str], min_peers: int = 1
) -> dict[date, dict[str, float | None]]:
    """{period start: {kpi: tier median}} for trend lines drawn beside a partner's own.

    A median of fewer than `min_peers` values is left empty (partners see medians only of groups
    large enough that the median is no single peer's figure).
    """
    stats = peer_statistics(tier_id=tier_id, granularity=granularity, starts=starts, kpis=kpis, fractions=(0.5,))
    return {
        start: {k: by_kpi[k][0.5] if by_kpi[k]["n"] >= min_peers else None for k in kpis}
        for start, by_kpi in stats.items()
    }
