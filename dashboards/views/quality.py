"""Data-quality pages: managers list the scores of their partners; partners read their own and what to fix."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.views.generic import TemplateView

from analytics import selectors
from analytics.definitions import QUALITY_COMPONENTS
from analytics.filtersets import DataQualityFilterSet
from core.lists import FilteredListView, ListColumn
from core.views import ManagerRequiredMixin, PartnerMemberRequiredMixin
from partners.models import Partner, Program


def _count(name: str):
    return lambda row: len(row.findings.get(name, []))


DATA_QUALITY_COLUMNS = (
    ListColumn("Partner", "partner.name"),
    ListColumn("Tier", "partner.tier.name"),
    ListColumn("Region", "partner.region.name"),
    ListColumn("Month", lambda row: row.month.strftime("%Y-%m")),
    ListColumn("Score", "score", "number"),
    *(ListColumn(label.capitalize(), name, "number") for name, (label, _) in QUALITY_COMPONENTS.items()),
    ListColumn("Reports expected", lambda row: row.stock_expected + row.sellout_expected, "count"),
    ListColumn("Reports received", lambda row: row.stock_received + row.sellout_received, "count"),
    ListColumn("Received on time", lambda row: row.stock_on_time + row.sellout_on_time, "count"),
    ListColumn("Late", _count("late"), "count"),
    ListColumn("Missing", _count("missing"), "count"),
    ListColumn("Optional fields filled", "fields_filled", "count"),
    ListColumn("Optional fields", "field_slots", "count"),
    ListColumn("Products consistent", "products_consistent", "count"),
    ListColumn("Products checked", "products_checked", "count"),
    ListColumn("Corrections", "corrections", "count"),
    ListColumn("Stock re-sends", "stock_resends", "count"),
    ListColumn("Duplicate claims", "duplicate_claims", "count"),
)
DATA_QUALITY_SORT_FIELDS = {
    "partner": "partner__name",
    "month": "month",
    "score": "score",
    **{name: name for name in QUALITY_COMPONENTS},
    "corrections": "corrections",
}


class DataQualityListView(ManagerRequiredMixin, FilteredListView):
    """Scores by partner, worst first: each partner's latest complete month unless a month is asked for."""

    filterset_class = DataQualityFilterSet
    template_name = "dashboards/data_quality_list.html"
    paginate_by = 50
    ordering = ("score", "partner__name", "-month")
    sort_fields = DATA_QUALITY_SORT_FIELDS
    export_columns = DATA_QUALITY_COLUMNS
    export_name = "data-quality"

    def get_queryset(self):
        return selectors.data_quality_list(user=self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        data = kwargs.get("data")
        if data is None or (not data.get("month") and data.get("latest") in (None, "", "unknown")):
            data = data.copy() if data is not None else self.request.GET.copy()
            data["latest"] = "true"
            kwargs["data"] = data
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["components"] = [(name, label) for name, (label, _) in QUALITY_COMPONENTS.items()]
        return context


class PortalDataQualityView(PartnerMemberRequiredMixin, TemplateView):
    """The signed-in user's own partner only (no partner in the URL): monthly scores and what to fix."""

    template_name = "dashboards/portal_data_quality.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        partner = Partner.objects.visible_to(user).select_related("program").get(pk=user.partner_id)
        summary = selectors.partner_quality_summary(user=user, partner=partner, today=timezone.now().date())
        context.update(
            {
                "partner": partner,
                "summary": summary,
                "calendar": partner.program or Program.default(),
                "components": [(name, label) for name, (label, _) in QUALITY_COMPONENTS.items()],
            }
        )
        return context
