"""Health scores for dashboards, read from `PartnerHealthScore` and `EcosystemHealth` (DESIGN §4).

The ecosystem's own row is used when the page covers every partner; for a
narrower scope (a regional manager, a tier filter…) the same formulas run over
the partners' stored scores in SQL: score = Σ score × revenue_90d / Σ revenue_90d
over scored partners, band shares of scored partners.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, F, FloatField, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Cast

from analytics.health import band_of
from analytics.models import EcosystemHealth, PartnerHealthScore
from analytics.selectors import partner_health as analytics_partner_health
from partners.models import Partner

from ..forms import Scope
from ..periods import add_months

BAND_ORDER = {"healthy": 0, "watch": 1, "at_risk": 2}
BAND_LABELS = {"healthy": "Healthy", "watch": "Watch", "at_risk": "At risk"}
ALERTS_SHOWN = 8

# What each component measures, and how its raw metric is shown.
COMPONENT_METRICS = {
    "revenue": ("Won revenue, trailing 90 days", "money"),
    "growth": ("Won revenue, last 90 days ÷ the 90 days before", "ratio"),
    "pipeline": ("Approved, open pipeline today", "money"),
    "engagement": ("Deals, claims and stock reports submitted, trailing 90 days", "count"),
    "deal_quality": ("Win rate, trailing 180 days", "percent"),
    "operations": ("Days of cover inside 15–60 days, and claims per 1,000 units (fewer is better)", "score"),
}
ADVICE = {
    "revenue": "Close more of your approved registrations: won revenue over the last 90 days is below most peers.",
    "growth": "Won revenue is growing more slowly than peers'; register new opportunities early to build volume.",
    "pipeline": "Register more opportunities: your approved, open pipeline is smaller than most peers'.",
    "engagement": "Report more often: register deals, send stock reports and file claims through the portal.",
    "deal_quality": "Win a larger share of closed deals: qualify registrations and ask the channel team for help.",
    "operations": "Keep 15–60 days of stock on hand and reduce warranty claims per unit sold.",
}


@dataclass
class Component:
    name: str
    label: str
    metric_label: str
    value: Any
    value_kind: str
    percentile: float | None
    weight: float | None
    explanation: str

    @property
    def used(self) -> bool:
        return self.weight is not None

    @property
    def effective_weight(self) -> float | None:
        return self.weight


@dataclass
class Health:
    score: float | None
    band: str
    as_of: date
    tier_name: str
    peer_count: int
    components: list[Component] = field(default_factory=list)


def health_from_row(row: PartnerHealthScore) -> Health:
    """The row's components with their metric, percentile among tier peers, weight and one-line explanation."""
    components = []
    for item in row.components:
        metric_label, kind = COMPONENT_METRICS[item["name"]]
        components.append(
            Component(
                name=item["name"],
                label=item["label"].capitalize(),
                metric_label=metric_label,
                value=item["metric"],
                value_kind="number" if kind == "ratio" else kind,
                percentile=item["percentile"],
                weight=item["weight"],
                explanation=item["explanation"][0].upper() + item["explanation"][1:],
            )
        )
    tier_name = row.tier.name if row.tier_id and row.tier else ""
    return Health(row.score, row.band, row.as_of, tier_name, row.peer_count, components)


def partner_health(*, user: Any, partner: Partner) -> Health | None:
    """The partner's current score, explained; None before the first computation."""
    row = analytics_partner_health(user=user, partner=partner)
    return health_from_row(row) if row else None


def weakest_components(health: Health | None, limit: int = 3) -> list[dict[str, Any]]:
    """The used components below the tier median, weakest first, with what to do about each."""
    if health is None:
        return []
    weak = sorted(
        (c for c in health.components if c.used and c.percentile is not None and c.percentile < 50),
        key=lambda c: c.percentile,
    )
    return [{"label": c.label, "percentile": c.percentile, "advice": ADVICE[c.name]} for c in weak[:limit]]


@dataclass
class EcosystemSummary:
    score: float | None
    band: str
    as_of: date | None
    scored: int
    healthy: int
    watch: int
    at_risk: int
    unscored: int
    previous_score: float | None = None
    previous_label: str = ""
    trend: list[tuple[date, float | None]] = field(default_factory=list)
    coverage: EcosystemHealth | None = None  # regions and product lines with an active partner (whole ecosystem)

    def _share(self, n: int) -> float | None:
        return n / self.scored if self.scored else None

    @property
    def healthy_share(self) -> float | None:
        return self._share(self.healthy)

    @property
    def watch_share(self) -> float | None:
        return self._share(self.watch)

    @property
    def at_risk_share(self) -> float | None:
        return self._share(self.at_risk)


def _weighted(rows: Any) -> Any:
    scored = Q(score__isnull=False)
    return rows.aggregate(
        as_of=Max("as_of"),
        weighted=Sum(F("score") * Cast("revenue_90d", FloatField()), filter=scored),
        revenue=Sum(Cast("revenue_90d", FloatField()), filter=scored),
        scored=Count("pk", filter=scored),
        unscored=Count("pk", filter=Q(score__isnull=True)),
        healthy=Count("pk", filter=Q(band="healthy")),
        watch=Count("pk", filter=Q(band="watch")),
        at_risk=Count("pk", filter=Q(band="at_risk")),
    )


def ecosystem_summary(*, user: Any, scope: Scope, whole: bool, months: list[date]) -> EcosystemSummary:
    """Health of the partners in scope now, and its monthly trend over `months` (month starts).

    `whole` is True when the page covers every partner: the stored ecosystem rows are read.
    """
    partners = Partner.objects.visible_to(user).filter(**scope.partner_filters)
    current = PartnerHealthScore.objects.current().filter(partner__in=partners.values("pk"))
    totals = _weighted(current)
    as_of = totals["as_of"]
    score = totals["weighted"] / totals["revenue"] if totals["revenue"] else None
    trend_points = [add_months(m, 1) for m in months]  # a month's health is measured at its end
    coverage = None
    if whole:
        coverage = EcosystemHealth.objects.filter(is_current=True).first()
        stored = dict(
            EcosystemHealth.objects.filter(is_current=False, as_of__in=trend_points).values_list("as_of", "score")
        )
    else:
        rows = (
            PartnerHealthScore.objects.monthly()
            .filter(as_of__in=trend_points, partner__in=partners.values("pk"), score__isnull=False)
            .values("as_of")
            .order_by()
            .annotate(
                weighted=Sum(F("score") * Cast("revenue_90d", FloatField())),
                revenue=Sum(Cast("revenue_90d", FloatField())),
            )
        )
        stored = {r["as_of"]: (r["weighted"] / r["revenue"] if r["revenue"] else None) for r in rows}
    trend = [(m, stored.get(point)) for m, point in zip(months, trend_points, strict=True)]
    # The comparison is the latest month-end score before now.
    latest = next(
        (
            (point, value)
            for (_, value), point in zip(reversed(trend), reversed(trend_points), strict=True)
            if value is not None
        ),
        (None, None),
    )
    return EcosystemSummary(
        score=score,
        band=band_of(round(score, 1)) if score is not None else "",
        as_of=as_of,
        scored=totals["scored"],
        healthy=totals["healthy"],
        watch=totals["watch"],
        at_risk=totals["at_risk"],
        unscored=totals["unscored"],
        previous_score=latest[1],
        previous_label=f"{latest[0]:%d %b %Y}" if latest[0] else "",
        trend=trend,
        coverage=coverage,
    )


@dataclass
class Alert:
    partner_id: int
    partner_name: str
    message: str


def health_alerts(*, user: Any, scope: Scope, since: date) -> tuple[list[Alert], int]:
    """Partners whose band dropped since `since` (a month start), then other partners at risk, lowest score first.

    The analytics engine stores no alert rows, so alerts are derived from the health bands.
    Returns the first ALERTS_SHOWN and the total count.
    """
    partners = Partner.objects.visible_to(user).filter(**scope.partner_filters)
    before = PartnerHealthScore.objects.monthly().filter(partner=OuterRef("partner"), as_of=since)
    rows = (
        PartnerHealthScore.objects.current()
        .filter(partner__in=partners.values("pk"), score__isnull=False)
        .annotate(before_band=Subquery(before.values("band")[:1]), before_score=Subquery(before.values("score")[:1]))
        .filter(Q(band="at_risk") | (Q(band="watch") & Q(before_band="healthy")))
        .select_related("partner")
        .order_by("score", "partner__name")
    )
    total = rows.count()
    alerts = []
    for row in rows[:ALERTS_SHOWN]:
        was = row.before_band
        if was and BAND_ORDER.get(was, 0) < BAND_ORDER[row.band]:
            message = (
                f"dropped from {BAND_LABELS[was]} to {BAND_LABELS[row.band]} "
                f"(score {row.score:.0f}, was {row.before_score:.0f} on {since:%Y-%m-%d})"
            )
        else:
            message = f"at risk, score {row.score:.0f}"
        alerts.append(Alert(row.partner_id, row.partner.name, message))
    return alerts, total
