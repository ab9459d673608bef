"""Channel-manager dashboards over many partners: the ecosystem overview and the inventory, warranty and support
insights."""

from __future__ import annotations

from typing import Any

from django.views.generic import TemplateView

from analytics import selectors
from core.views import ManagerRequiredMixin

from ..charts import PALETTE, Chart, Series, line_chart
from ..presenters.health import alert_list_query, health_alerts, previous_label
from ..presenters.insights import (
    claims_by_failure_code,
    claims_by_line_over_time,
    list_period,
    stock_by_partner,
    stock_by_product_line,
    trend_chart,
    unusual_claim_rates,
)
from ..presenters.overview import (
    concentration_reading,
    kpi_tiles,
    movers,
    revenue_by_product_line,
    revenue_segments,
    revenue_trend,
)
from ..presenters.sellout import SELLOUT_TILES, currency_note, distinct_note, line_country_charts, unconverted_note
from ..presenters.tiles import INVENTORY_TILES, SUPPORT_TILES, WARRANTY_TILES, Figures, period_figures, tiles
from ..selectors.activity import approval_queue_summary
from .base import DashboardMixin


class ScopedDashboard(ManagerRequiredMixin, DashboardMixin, TemplateView):
    """Resolves the partners in scope and where their figures come from, and explains any limit of the filters."""

    def setup_scope(self) -> None:
        user = self.request.user
        self.partners = selectors.scope_partners(user, self.scope)
        self.source = selectors.resolve_source(user, self.scope)
        self.restricted = bool(self.scope.partner_filters or (user.region_ids and not user.is_superuser))
        self.whole = not self.restricted

    def one_region(self) -> bool:
        """The scope is one region: the region filter, or a manager limited to a single region."""
        user = self.request.user
        return bool(self.scope.region_id) or (not user.is_superuser and len(user.region_ids) == 1)

    def scope_note(self) -> str:
        notes = []
        if self.scope.product_line_id and self.restricted:
            notes.append(
                "The product line filter applies on its own only (partner figures are not split by "
                "product line), so the figures below cover every product line."
            )
        elif self.scope.product_line_id:
            notes.append(
                "Figures are those of the chosen product line: its share of each deal, its stock and its claims."
            )
        if not self.source.exact:
            notes.append(
                "Median time to decision is measured for the whole ecosystem, a single tier, type, region "
                "or product line; it is not shown for a combination of filters."
            )
        return " ".join(notes)

    def figures(self) -> Figures:
        """The period's figures and its comparisons (like for like while the period is in progress)."""
        # A product line's figures have no partner rows to add up the comparisons of a period in progress from.
        partners = None if self.source.dimension == "product_line" else self.partners
        self.period_figures = period_figures(self.source, self.period, partners)
        return self.period_figures

    def get_dashboard_context(self) -> dict[str, Any]:
        self.setup_scope()
        context = {"kpi_note": self.scope_note()} | self.get_scoped_context()
        figures = getattr(self, "period_figures", None)
        if figures is not None:
            context |= {"previous_label": figures.previous_label, "year_ago_label": figures.year_ago_label}
        return context

    def get_scoped_context(self) -> dict[str, Any]:
        raise NotImplementedError


class EcosystemOverviewView(ScopedDashboard):
    """/manage/: the state of the ecosystem in one look."""

    template_name = "partners/manage_home.html"

    def get_scoped_context(self) -> dict[str, Any]:
        user, period = self.request.user, self.period
        months = period.trend_months(12)
        eco = selectors.ecosystem_summary(user=user, scope=self.scope, whole=self.whole, months=months)
        product_line_only = bool(self.scope.product_line_id) and not self.restricted
        charts: dict[str, Chart] = {
            "health_trend": line_chart(
                "health_trend",
                "Ecosystem health score by month end",
                months=months,
                series=[Series("Health score", [value for _, value in eco.trend], PALETTE[0])],
                kind="score",
                y_title="Health score (0–100)",
                empty_message="No monthly health scores stored for these months yet.",
                note="Revenue-weighted mean of partner scores at each month's end.",
            ),
            "revenue_trend": revenue_trend(self.source, period, history_start=selectors.history_start(user)),
        }
        for chart in revenue_segments(
            self.partners, period, product_line_only=product_line_only, one_region=self.one_region()
        ):
            charts[chart.key] = chart
        charts["revenue_by_line"] = revenue_by_product_line(
            user, period, whole=self.whole, product_line_id=self.scope.product_line_id, scope=self.scope
        )
        figures = self.figures()
        in_progress = period.kind != "custom" and period.in_progress()
        revenue = selectors.revenue_by_partner(self.partners, period, period.previous(), to_date=in_progress)
        charts["top_movers"], charts["bottom_movers"] = movers(revenue, period, figures.previous_label)
        alerts, total = health_alerts(user=user, scope=self.scope, since=selectors.last_month_end())
        concentration = None if product_line_only else selectors.concentration(self.partners, period, revenue)
        return {
            "eco": eco,
            "eco_previous_label": previous_label(eco),
            "tiles": kpi_tiles(figures),
            "sellout_tiles": tiles(SELLOUT_TILES, figures.current, figures.previous, figures.year_ago),
            "sellout_note": " ".join(
                n for n in (currency_note(), unconverted_note(figures.current), distinct_note(self.source.exact)) if n
            ),
            "charts": charts,
            "concentration": concentration,
            "concentration_reading": concentration_reading(concentration),
            "alerts": alerts,
            "alerts_total": total,
            "alerts_more": total > len(alerts),
            "alerts_query": alert_list_query(self.scope),
            "alerts_note": "Partners at risk, and partners whose health band fell since the last month end "
            "(derived from the health scores).",
            "queue": approval_queue_summary(user=user, scope=self.scope),
        }


class InventoryInsightsView(ScopedDashboard):
    """/manage/insights/inventory/: days of cover, stockouts and sell-through by partner and product line."""

    template_name = "dashboards/insights.html"

    def get_scoped_context(self) -> dict[str, Any]:
        period = self.period
        figures = self.figures()
        current, previous, year_ago = figures.current, figures.previous, figures.year_ago
        history = selectors.history_start(self.request.user)
        cover = stock_by_partner(self.partners, period)
        by_line = stock_by_product_line(
            self.request.user, period, whole=self.whole, product_line_id=self.scope.product_line_id
        )
        sell_through = trend_chart(
            self.source,
            period,
            "sell_through",
            "Sell-through by month",
            "No inventory reported yet for these months.",
            history_start=history,
        )
        cover_trend = trend_chart(
            self.source,
            period,
            "days_of_cover",
            "Days of cover by month",
            "No inventory reported yet for these months.",
            history_start=history,
        )
        charts = {c.key: c for c in (sell_through, cover_trend, by_line, *cover.charts.values())}
        listed = list_period(period)
        return {
            "page_title": "Inventory insights",
            "intro": "Stock reported by partners: how long it lasts at the current rate of sale (days of cover), "
            "products at zero (stockouts) and the share of stock sold (sell-through). The target is 15–60 days.",
            "tiles": tiles(INVENTORY_TILES, current, previous, year_ago),
            "charts": charts,
            "sections": [
                {"heading": "Trends", "charts": [sell_through, cover_trend]},
                {
                    "heading": f"Partners, {listed.label}",
                    "charts": [cover.charts["cover_distribution"], cover.charts["stockouts_by_partner"]],
                    "note": "Custom ranges list partners by the range's last month." if period.kind == "custom" else "",
                },
                {
                    "heading": "Partners outside the 15–60 day target",
                    "charts": [cover.charts["overstocked"], cover.charts["understocked"]],
                },
                {"heading": "Product lines", "charts": [by_line], "col": "col-12"},
            ],
        }


class WarrantyInsightsView(ScopedDashboard):
    """/manage/insights/warranty/: claims and claim rates by product line and failure code, unusual partners."""

    template_name = "dashboards/insights.html"

    def get_scoped_context(self) -> dict[str, Any]:
        period, user = self.period, self.request.user
        figures = self.figures()
        current, previous, year_ago = figures.current, figures.previous, figures.year_ago
        claims, rate = claims_by_line_over_time(
            user, period, whole=self.whole, product_line_id=self.scope.product_line_id
        )
        failures = claims_by_failure_code(user=user, scope=self.scope, period=period)
        history = selectors.history_start(user)
        listed = selectors.period_values(self.source, [list_period(period)])[0] if period.kind == "custom" else current
        unusual = unusual_claim_rates(self.partners, period, listed.get("claims_per_1000_units"))
        approval = trend_chart(
            self.source,
            period,
            "claim_approval_rate",
            "Claim approval rate by month",
            "No claims decided in these months.",
            history_start=history,
        )
        resolution = trend_chart(
            self.source,
            period,
            "claim_resolution_days",
            "Claim resolution time by month",
            "No claims decided in these months.",
            history_start=history,
        )
        charts = {c.key: c for c in (claims, rate, failures, unusual, approval, resolution)}
        return {
            "page_title": "Warranty insights",
            "intro": "Claims filed by service partners, how often products fail in the field (claims per 1,000 "
            "units sold) and how quickly the channel team decides.",
            "tiles": tiles(WARRANTY_TILES, current, previous, year_ago),
            "charts": charts,
            "sections": [
                {"heading": "Product feedback", "charts": [claims, rate]},
                {"heading": f"Failure codes and partners, {period.label}", "charts": [failures, unusual]},
                {"heading": "Decisions", "charts": [approval, resolution]},
            ],
        }


class SellOutInsightsView(ScopedDashboard):
    """/manage/insights/sellout/: partners' sell-out by month, product line and end-customer country."""

    template_name = "dashboards/insights.html"

    def get_scoped_context(self) -> dict[str, Any]:
        period, user = self.period, self.request.user
        figures = self.figures()
        history = selectors.history_start(user)
        revenue = trend_chart(
            self.source,
            period,
            "sellout_revenue",
            "Sell-out revenue by month",
            "No sell-out reported yet for these months.",
            history_start=history,
        )
        returns = trend_chart(
            self.source,
            period,
            "returns_rate",
            "Returns rate by month",
            "Nothing sold in these months.",
            history_start=history,
        )
        reached = trend_chart(
            self.source,
            period,
            "end_customers_reached",
            "End customers reached by month",
            "No end customers on sale lines in these months (or a combination of filters: see above).",
            history_start=history,
        )
        charts = {c.key: c for c in (revenue, returns, reached)}
        charts |= line_country_charts(user, self.scope, period)
        notes = (currency_note(), unconverted_note(figures.current), distinct_note(self.source.exact))
        return {
            "page_title": "Sell-out insights",
            "intro": "What partners and distributors resold to end customers, from their reported sell-out lines: "
            "net units and revenue (returns subtract), the share of units returned, and the end customers reached "
            "and new to the partner (or the group).",
            "tiles": tiles(SELLOUT_TILES, figures.current, figures.previous, figures.year_ago),
            "charts": charts,
            "sections": [
                {"heading": "Trends", "charts": [revenue, returns, reached]},
                {
                    "heading": f"Product lines and countries, {period.label}",
                    "charts": [charts["sellout_by_line"], charts["sellout_by_country"]],
                    "note": "Sell-out of the partners in your scope (your regions and filters), by product line and "
                    "the end customer's country as reported.",
                },
                {
                    "heading": "Every product line and country",
                    "charts": [charts["sellout_by_line_country"]],
                    "col": "col-12",
                },
            ],
            "page_note": " ".join(n for n in notes if n),
        }


class SupportInsightsView(ScopedDashboard):
    """/manage/insights/support/: support tickets opened, how fast they are resolved, reopens and SLA breaches."""

    template_name = "dashboards/insights.html"

    def get_scoped_context(self) -> dict[str, Any]:
        period = self.period
        figures = self.figures()
        history = selectors.history_start(self.request.user)
        none_resolved = "No tickets resolved in these months."
        charts = [
            trend_chart(
                self.source,
                period,
                "tickets_opened",
                "Support tickets opened by month",
                "No tickets opened in these months.",
                history_start=history,
            ),
            trend_chart(
                self.source,
                period,
                "ticket_resolution_hours",
                "Mean hours to resolve by month",
                none_resolved,
                history_start=history,
            ),
            trend_chart(
                self.source,
                period,
                "ticket_resolution_hours_median",
                "Median hours to resolve by month",
                none_resolved,
                history_start=history,
            ),
            trend_chart(
                self.source,
                period,
                "ticket_sla_breach_rate",
                "SLA breach rate by month",
                none_resolved,
                history_start=history,
            ),
            trend_chart(
                self.source,
                period,
                "ticket_reopen_rate",
                "Reopen rate by month",
                none_resolved,
                history_start=history,
            ),
        ]
        opened, mean, median, breach, reopen = charts
        return {
            "page_title": "Support insights",
            "intro": "Joint support tickets with partners: how many are opened, how long they take to resolve "
            "(opening to resolution, in hours), how often a resolution does not hold (reopen rate) and how often "
            "a first-response or resolution target is missed (SLA breach rate). Rates are shares of the tickets "
            "resolved in the period.",
            "tiles": tiles(SUPPORT_TILES, figures.current, figures.previous, figures.year_ago),
            "charts": {c.key: c for c in charts},
            "sections": [
                {"heading": "Volume", "charts": [opened]},
                {"heading": "Resolution time", "charts": [mean, median]},
                {"heading": "Quality", "charts": [breach, reopen]},
            ],
        }
