"""Health scores explained for pages (DESIGN §4): components in words, advice, and alerts from the bands."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from analytics import selectors

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
    "data_quality": ("Data-quality score of the last complete month (0–100)", "score"),
}
ADVICE = {
    "revenue": "Close more of your approved registrations: won revenue over the last 90 days is below most peers.",
    "growth": "Won revenue is growing more slowly than peers'; register new opportunities early to build volume.",
    "pipeline": "Register more opportunities: your approved, open pipeline is smaller than most peers'.",
    "engagement": "Report more often: register deals, send stock reports and file claims through the portal.",
    "deal_quality": "Win a larger share of closed deals: qualify registrations and ask the channel team for help.",
    "operations": "Keep 15–60 days of stock on hand and reduce warranty claims per unit sold.",
    "data_quality": "Send stock and sell-out reports complete and by their due dates: Data quality lists what to fix.",
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


def health_from_row(row: Any) -> Health:
    """A stored score's components with their metric, percentile among tier peers, weight and explanation."""
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


def partner_health(*, user: Any, partner: Any) -> Health | None:
    """The partner's current score, explained; None before the first computation."""
    row = selectors.partner_health(user=user, partner=partner)
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
class Alert:
    partner_id: int
    partner_name: str
    message: str


def health_alerts(*, user: Any, scope: selectors.Scope, since: date) -> tuple[list[Alert], int]:
    """Partners whose band dropped since `since` (a month start), then other partners at risk, lowest score
    first: the first ALERTS_SHOWN, and the total count."""
    rows, total = selectors.health_alert_rows(user=user, scope=scope, since=since, limit=ALERTS_SHOWN)
    alerts = []
    for row in rows:
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


def alert_list_query(scope: selectors.Scope) -> str:
    """The partner list's query string listing exactly the partners the overview counts as alerts in `scope`."""
    params = {"band": "alert", "sort": "health_score"}
    for name, value in (("tier", scope.tier_id), ("region", scope.region_id), ("partner_type", scope.partner_type)):
        if value:
            params[name] = value
    return urlencode(params)


def previous_label(summary: selectors.EcosystemSummary) -> str:
    """When the score a page compares with was measured, e.g. "01 Mar 2026"."""
    return f"{summary.previous_as_of:%d %b %Y}" if summary.previous_as_of else ""
