"""One partner's scorecard: its KPIs for a period with comparisons, trends beside the tier median, peer quartiles."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from analytics.models import Dimension, KpiSnapshot
from partners.models import Partner

from ..charts import MEDIAN_COLOUR, PALETTE, Chart, Series, line_chart
from ..kpis import KPIS, SCORECARD_TILES, TREND_KPIS, Tile, tiles
from ..periods import Period
from .benchmarks import MIN_PEERS, peer_statistics, quantile, tier_medians, tier_peers
from .snapshots import Source, combine_months, monthly_values, period_values

BENCHMARK_KPIS = (
    "won_revenue",
    "pipeline_value",
    "deals_registered",
    "approval_rate",
    "win_rate",
    "avg_won_deal",
    "sell_through",
    "days_of_cover",
    "claims_per_1000_units",
)
QUARTILES = (0.25, 0.5, 0.75)


def partner_source(partner: Partner) -> Source:
    return Source(Dimension.PARTNER, str(partner.pk))


@dataclass
class Scorecard:
    tiles: list[Tile]
    trend_charts: list[Chart]
    has_figures: bool
    extra: dict = field(default_factory=dict)


def partner_scorecard(*, partner: Partner, period: Period, key_prefix: str = "trend") -> Scorecard:
    """Tiles for `period` (with previous period and a year earlier) and monthly trends beside the tier median."""
    source = partner_source(partner)
    current, previous, year_ago = period_values(source, [period, period.previous(), period.year_ago()])
    months = period.trend_months(12)
    own = monthly_values(source, months)
    medians = tier_medians(tier_id=partner.tier_id, granularity="month", starts=months, kpis=TREND_KPIS)
    tier = partner.tier.name if partner.tier_id else "untiered"
    charts = []
    for kpi in TREND_KPIS:
        spec = KPIS[kpi]
        charts.append(
            line_chart(
                f"{key_prefix}-{kpi}",
                spec.label,
                months=months,
                series=[
                    Series(partner.name, [own.get(m, {}).get(kpi) for m in months], colour=PALETTE[0]),
                    Series(f"{tier} median", [medians.get(m, {}).get(kpi) for m in months], MEDIAN_COLOUR, True),
                ],
                kind=spec.kind,
                y_title=spec.axis_title,
                empty_message=f"No {spec.label.lower()} figures for these months yet.",
                height=280,
            )
        )
    has_figures = bool(current or own)
    return Scorecard(tiles(SCORECARD_TILES, current, previous, year_ago) if has_figures else [], charts, has_figures)


@dataclass
class BenchmarkRow:
    kpi: str
    label: str
    kind: str
    value: Any
    q1: float | None
    median: float | None
    q3: float | None
    lower_is_better: bool

    @property
    def scale(self) -> dict[str, float] | None:
        """Positions (0–100 %) of the quartiles and of the partner on a common axis, for the range bar."""
        points = [v for v in (self.q1, self.median, self.q3, _float(self.value)) if v is not None]
        if self.q1 is None or self.q3 is None or not points:
            return None
        low, high = min(0.0, *points), max(points)
        span = (high - low) or 1.0

        def at(v: float | None) -> float | None:
            return None if v is None else round(100 * (v - low) / span, 1)

        return {
            "q1": at(self.q1),
            "median": at(self.median),
            "iqr": round(at(self.q3) - at(self.q1), 1),
            "you": at(_float(self.value)),
        }

    @property
    def reading(self) -> str:
        you = _float(self.value)
        if you is None:
            return "No figure for you in this period."
        if self.median is None:
            return "No peer figures to compare with."
        if self.lower_is_better is None:  # neither direction is better (e.g. days of cover)
            return "At the tier median." if you == self.median else (
                "Above the tier median." if you > self.median else "Below the tier median.")
        better = (you < self.median) if self.lower_is_better else (you > self.median)
        if you == self.median:
            return "At the tier median."
        top = (you <= self.q1) if self.lower_is_better else (you >= self.q3)
        bottom = (you >= self.q3) if self.lower_is_better else (you <= self.q1)
        if top:
            return "Among the best quarter of your tier."
        if bottom:
            return "Among the weakest quarter of your tier."
        return "Better than the tier median." if better else "Below the tier median."


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def peer_benchmarks(*, partner: Partner, period: Period) -> tuple[list[BenchmarkRow], int]:
    """The partner's KPIs beside the quartiles of its tier peers for `period`, and the number of peers.

    Returns no rows when there are fewer than MIN_PEERS peers with figures: with so few,
    a quartile could be one identifiable partner's number.
    """
    own = period_values(partner_source(partner), [period])[0]
    if period.kind == "custom":
        stats, count = _custom_peer_stats(partner.tier_id, period)
    else:
        by_start = peer_statistics(
            tier_id=partner.tier_id, granularity=period.kind, starts=[period.start], kpis=BENCHMARK_KPIS,
            fractions=QUARTILES,
        )
        stats = by_start.get(period.start, {})
        count = stats.get("_n", 0)
    if count < MIN_PEERS:
        return [], count
    rows = []
    for kpi in BENCHMARK_KPIS:
        spec = KPIS[kpi]
        q = stats.get(kpi, {})
        rows.append(
            BenchmarkRow(kpi, spec.label, spec.kind, own.get(kpi), q.get(0.25), q.get(0.5), q.get(0.75),
                         spec.lower_is_better)
        )
    return rows, count


def _custom_peer_stats(tier_id: int | None, period: Period) -> tuple[dict, int]:
    """Quartiles over peers' custom-range figures, each peer's range rebuilt from its month rows."""
    rows = (
        KpiSnapshot.objects.filter(
            dimension=Dimension.PARTNER,
            granularity="month",
            period_start__gte=period.start,
            period_start__lt=period.end,
            partner__in=tier_peers(tier_id).values("pk"),
        )
        .order_by("partner_id", "period_start")
        .values()
    )
    by_partner: dict[int, list[dict]] = {}
    for row in rows:
        by_partner.setdefault(row["partner_id"], []).append(row)
    figures = [combine_months(months, period.start, period.end) for months in by_partner.values()
               if len(months) == period.length]
    stats = {kpi: {f: quantile([f_.get(kpi) for f_ in figures], f) for f in QUARTILES} for kpi in BENCHMARK_KPIS}
    return stats, len(figures)

