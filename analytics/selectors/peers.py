"""Tier peer benchmarks: quartiles and medians of partner KPI rows, never any one peer's figures.

Peers are the active partners of the same tier (DESIGN §4; untiered active partners
are each other's peers). Every quartile and median here comes from `quantiles`:
numpy's linear interpolation between the closest ranks, the definition of
PostgreSQL's `percentile_cont`, with empty values left out. Partners see peer
figures only for groups of at least `definitions.MIN_PEER_GROUP`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db.models import QuerySet

from partners.models import Partner

from .. import definitions
from ..definitions import DESIGN_KPIS
from ..models import Dimension, KpiSnapshot
from .kpis import STORED_COLUMNS, combine_ranges, period_months

QUARTILES = (("p25", 0.25), ("median", 0.5), ("p75", 0.75))


def quantiles(values: Iterable[Any], fractions: Sequence[float]) -> list[float | None]:
    """The `fractions` quantiles of the values that are not empty (linear interpolation, as percentile_cont).

    None for every fraction when there is no value.
    """
    import numpy as np  # loaded on first use, not with the URL configuration

    data = np.array([float(v) for v in values if v is not None], dtype="float64")
    if not data.size:
        return [None] * len(fractions)
    return [float(q) for q in np.quantile(data, list(fractions), method="linear")]


def tier_peers(tier_id: int | None) -> QuerySet[Partner]:
    """Active partners of the tier (untiered active partners are each other's peers)."""
    partners = Partner.objects.active()
    return partners.filter(tier_id=tier_id) if tier_id else partners.filter(tier__isnull=True)


def _peer_rows(tier_id: int | None, granularity: str) -> QuerySet[KpiSnapshot]:
    return KpiSnapshot.objects.filter(
        dimension=Dimension.PARTNER, granularity=granularity, partner__in=tier_peers(tier_id).values("pk")
    )


def _range_figures(tier_id: int | None, start: date, end: date) -> list[dict[str, Any]]:
    """Each peer's figures over the custom range [start, end), from its month rows (peers missing a month are
    left out)."""
    months = period_months(start, end)
    rows = (
        _peer_rows(tier_id, "month")
        .filter(period_start__gte=start, period_start__lt=end)
        .order_by("partner_id", "period_start")
        .values("partner_id", *STORED_COLUMNS)
    )
    by_partner: dict[int, list[dict]] = {}
    for row in rows:
        by_partner.setdefault(row["partner_id"], []).append(row)
    complete = [rows for rows in by_partner.values() if len(rows) == len(months)]
    return combine_ranges(complete, start, end)


def peer_benchmarks(
    *,
    user: Any,
    partner: Partner,
    granularity: str = "month",
    period_start: date,
    period_end: date | None = None,
    kpis: Iterable[str] = DESIGN_KPIS,
) -> dict[str, dict[str, float | int | None]]:
    """Anonymised benchmarks of a partner's tier for one period: {kpi: {count, p25, median, p75}}, never names.

    `granularity` month, quarter or year reads the peers' stored rows; "custom" rebuilds each peer's figures
    for [period_start, period_end) from its month rows. Returns {} when the user may not see the partner or
    fewer than MIN_PEER_GROUP peers have figures; a KPI with fewer than MIN_PEER_GROUP values has no quartiles.
    """
    if not Partner.objects.visible_to(user).filter(pk=partner.pk).exists():
        return {}
    kpis = [k for k in kpis if k in DESIGN_KPIS]
    if granularity == "custom":
        if period_end is None:
            raise ValueError("a custom range needs period_end")
        figures = _range_figures(partner.tier_id, period_start, period_end)
    else:
        figures = list(_peer_rows(partner.tier_id, granularity).filter(period_start=period_start).values(*kpis))
    minimum = definitions.MIN_PEER_GROUP
    if len(figures) < minimum:
        return {}
    out = {}
    for kpi in kpis:
        column = [figure[kpi] for figure in figures if figure.get(kpi) is not None]
        values = quantiles(column, [f for _, f in QUARTILES]) if len(column) >= minimum else [None] * 3
        out[kpi] = {"count": len(column)} | {name: value for (name, _), value in zip(QUARTILES, values, strict=True)}
    return out


def tier_medians(
    *, tier_id: int | None, granularity: str, starts: Sequence[date], kpis: Sequence[str], min_peers: int = 1
) -> dict[date, dict[str, float | None]]:
    """{period start: {kpi: tier median}} for trend lines drawn beside a partner's own.

    A median of fewer than `min_peers` values is left empty (partners see medians only of groups
    large enough that the median is no single peer's figure: pass MIN_PEER_GROUP for them).
    """
    rows = _peer_rows(tier_id, granularity).filter(period_start__in=list(starts)).values_list("period_start", *kpis)
    values: dict[date, list[tuple]] = {}
    for start, *figures in rows:
        values.setdefault(start, []).append(figures)
    out = {}
    for start, figures in values.items():
        medians = {}
        for i, kpi in enumerate(kpis):
            column = [row[i] for row in figures if row[i] is not None]
            medians[kpi] = quantiles(column, (0.5,))[0] if len(column) >= min_peers else None
        out[start] = medians
    return out
