"""One partner's scorecard: its KPIs for a period with comparisons, trends beside the tier median, peer quartiles."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from analytics import definitions, selectors
from analytics.definitions import KPIS

from ..charts import MEDIAN_COLOUR, PALETTE, Chart, Series, line_chart
from ..periods import Period
from .sellout import SELLOUT_TILES, currency_note, unconverted_note
from .tiles import SCORECARD_TILES, TREND_KPIS, Tile, basis_text, period_figures, tiles

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
    "sellout_revenue",
    "returns_rate",
    "end_customers_reached",
)


@dataclass
class Scorecard:
    tiles: list[Tile]
    trend_charts: list[Chart]
    has_figures: bool
    extra: dict = field(default_factory=dict)


def partner_scorecard(*, partner: Any, period: Period, key_prefix: str = "trend", min_peers: int = 1) -> Scorecard:
    """Tiles for `period` (with previous period and a year earlier) and monthly trends beside the tier median.

    `min_peers`: months whose tier median rests on fewer peer figures are left empty (for partners' eyes).
    """
    source = selectors.partner_source(partner)
    figures = period_figures(source, period)
    current, previous, year_ago = figures.current, figures.previous, figures.year_ago
    months = period.trend_months(12)
    own = selectors.monthly_values(source, months)
    medians = selectors.tier_medians(
        tier_id=partner.tier_id, granularity="month", starts=months, kpis=TREND_KPIS, min_peers=min_peers
    )
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
                kind=spec.unit,
                y_title=spec.axis_title,
                empty_message=f"No {spec.label.lower()} figures for these months yet.",
                height=280,
            )
        )
    has_figures = bool(current or own)
    return Scorecard(
        tiles(SCORECARD_TILES, current, previous, year_ago) if has_figures else [],
        charts,
        has_figures,
        {
            "previous_label": figures.previous_label,
            "year_ago_label": figures.year_ago_label,
            "sellout_tiles": tiles(SELLOUT_TILES, current, previous, year_ago) if has_figures else [],
            "sellout_note": " ".join(n for n in (currency_note(), unconverted_note(current)) if n),
        },
    )


@dataclass
class BenchmarkRow:
    kpi: str
    label: str
    kind: str
    value: Any
    q1: float | None
    median: float | None
    q3: float | None
    lower_is_better: bool | None
    target: tuple[float, float] | None = None
    basis: str = ""  # what your rate is a share of, e.g. "3 of 3 closed"

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
        if self.target is not None:  # a target band (days of cover): judged against the band, not the median
            return _band_reading(you, self.target, self.kind)
        if self.median is None:
            return "No peer figures to compare with."
        if self.lower_is_better is None:  # neither direction is better
            return (
                "At the tier median."
                if you == self.median
                else ("Above the tier median." if you > self.median else "Below the tier median.")
            )
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


def _band_reading(you: float, target: tuple[float, float], kind: str) -> str:
    """A figure whose good range is a band, read against the band: being above or below the tier median says
    nothing about it."""
    low, high = target
    band = f"{low:g}–{high:g} {'days' if kind == 'days' else ''}".rstrip()
    if you < low:
        where = f"Below the {band} target: stock may run out."
    elif you > high:
        where = f"Above the {band} target: more stock than needed."
    else:
        where = f"Inside the {band} target."
    return where


def peer_benchmarks(*, user: Any, partner: Any, period: Period) -> tuple[list[BenchmarkRow], int]:
    """The partner's KPIs beside the quartiles of its tier peers for `period`, and the number of peers.

    The quartiles are the analytics engine's `peer_benchmarks` (the same figures as the API; custom ranges
    rebuild each peer's range from its month rows): none when too few peers have figures.
    """
    own = selectors.period_values(selectors.partner_source(partner), [period])[0]
    stats = selectors.peer_benchmarks(
        user=user,
        partner=partner,
        granularity=period.kind,
        period_start=period.start,
        period_end=period.end,
        kpis=BENCHMARK_KPIS,
    )
    count = max((s["count"] for s in stats.values()), default=0)
    if count < definitions.MIN_PEER_GROUP:
        return [], count
    rows = []
    for kpi in BENCHMARK_KPIS:
        spec = KPIS[kpi]
        q = stats[kpi]
        rows.append(
            BenchmarkRow(
                kpi,
                spec.label,
                spec.unit,
                own.get(kpi),
                q["p25"],
                q["median"],
                q["p75"],
                spec.lower_is_better,
                spec.target,
                basis_text(spec, own),
            )
        )
    return rows, count
