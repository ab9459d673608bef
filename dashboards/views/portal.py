"""The partner's own scorecard in the portal: their KPIs and health, and where they stand in their tier."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.views.generic import TemplateView

from activations.selectors import activation_section_window, partner_activation_summary
from analytics.definitions import MIN_PEER_GROUP
from core.views import PartnerMemberRequiredMixin
from partners.models import Partner

from ..charts import Column, table_only
from ..presenters.health import partner_health, weakest_components
from ..presenters.scorecard import partner_scorecard, peer_benchmarks
from .base import DashboardMixin

UNITS = {
    "money": settings.PRM_REPORTING_CURRENCY,
    "percent": "%",
    "days": "days",
    "hours": "hours",
    "per_thousand": "per 1,000 units",
}


def _scaled(value: Any, kind: str) -> float | None:
    """Percentages as percent figures in the downloadable table (the unit column says so)."""
    if value is None:
        return None
    return round(float(value) * 100, 2) if kind == "percent" else float(value)


class PortalScorecardView(PartnerMemberRequiredMixin, DashboardMixin, TemplateView):
    """Always the signed-in user's own partner (there is no partner in the URL to change).

    Peers appear only as the median and quartiles of the tier, and only when the tier has
    enough partners with figures that no quartile can be one partner's number.
    """

    template_name = "dashboards/portal_scorecard.html"
    filter_names = ()

    def get_dashboard_context(self) -> dict[str, Any]:
        user = self.request.user
        partner = Partner.objects.visible_to(user).select_related("tier", "region").get(pk=user.partner_id)
        card = partner_scorecard(partner=partner, period=self.period, key_prefix="mine", min_peers=MIN_PEER_GROUP)
        health = partner_health(user=user, partner=partner)
        benchmarks, peer_count = peer_benchmarks(user=user, partner=partner, period=self.period)
        table = table_only(
            "benchmarks",
            "You and your tier peers",
            columns=[
                Column("KPI"),
                Column("Unit"),
                Column("You", "number"),
                Column("Peer 25th percentile", "number"),
                Column("Peer median", "number"),
                Column("Peer 75th percentile", "number"),
            ],
            rows=[
                [r.label, UNITS.get(r.kind, ""), *(_scaled(v, r.kind) for v in (r.value, r.q1, r.median, r.q3))]
                for r in benchmarks
            ],
            empty_message="Too few peers to compare anonymously.",
        )
        charts = {chart.key: chart for chart in card.trend_charts}
        charts[table.key] = table
        return {
            "partner": partner,
            "health": health,
            "improvements": weakest_components(health),
            "tiles": card.tiles,
            "trend_charts": card.trend_charts,
            "benchmarks": benchmarks,
            "peer_count": peer_count,
            "min_peers": MIN_PEER_GROUP,
            "charts": charts,
            "activations": partner_activation_summary(
                partner=partner, window=activation_section_window(self.period.end), min_peers=MIN_PEER_GROUP
            ),
            **card.extra,  # what the comparisons are called (like for like while the period is in progress)
        }
