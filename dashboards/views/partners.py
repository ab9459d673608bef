"""Manager pages about partners: the list with health and KPIs, and one partner's scorecard."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import TemplateView

from activations.selectors import activation_section_window, partner_activation_summary
from analytics import selectors
from analytics.definitions import MIN_PEER_GROUP
from analytics.filtersets import PartnerHealthFilterSet
from core.views import ManagerRequiredMixin
from partners.models import Partner

from ..exports import csv_response, xlsx_response
from ..presenters.health import partner_health
from ..presenters.insights import list_period
from ..presenters.partner_list import COLUMNS, EXPORT_COLUMNS, KPI_COLUMNS, export_rows, parse_sort, sorted_partners
from ..presenters.scorecard import partner_scorecard
from ..presenters.tiles import PARTNER_LIST_KPIS, basis_columns
from ..selectors.activity import partner_activity
from .base import DashboardMixin

PAGE_SIZE = 50


class PartnerListView(ManagerRequiredMixin, DashboardMixin, TemplateView):
    """Every partner the manager may see, filtered by `PartnerHealthFilterSet`, sorted on any column, 50 a page.

    `?export=csv` / `?export=xlsx` download the same filtered, sorted rows (all pages).
    """

    template_name = "partners/partner_list.html"
    filter_names = ()
    comparisons = False
    allow_custom = False  # one stored row per partner and period

    def setup_dashboard(self) -> None:
        super().setup_dashboard()
        self.kpi_period = list_period(self.period)

    def get(self, request, *args: Any, **kwargs: Any):
        self.setup_dashboard()
        self.filterset = PartnerHealthFilterSet(
            request.GET or None, queryset=Partner.objects.visible_to(request.user), request=request
        )
        partners = self.filterset.qs if self.filterset.is_bound else self.filterset.queryset
        self.sort_column, self.sort_desc = parse_sort(request.GET.get("sort"))
        listed = selectors.partners_with_kpis(
            partners, self.kpi_period, PARTNER_LIST_KPIS + basis_columns(PARTNER_LIST_KPIS)
        )
        self.partners = sorted_partners(listed, self.sort_column, self.sort_desc)
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            name = f"partners {self.kpi_period.short_label}"
            respond = csv_response if export == "csv" else xlsx_response
            return respond(name, EXPORT_COLUMNS, export_rows(self.partners))
        return self.render_to_response(self.get_context_data(**kwargs))

    def get_dashboard_context(self) -> dict[str, Any]:
        paginator = Paginator(self.partners, PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("page"))
        params = self.request.GET.copy()
        for name in ("page", "export", "download"):
            params.pop(name, None)
        columns = []
        for column in COLUMNS:
            # A second click on the sorted column reverses it; otherwise numbers sort largest first, text A to Z.
            descending = not self.sort_desc if column is self.sort_column else column.kind != "text"
            params["sort"] = f"-{column.key}" if descending else column.key
            columns.append(
                {"key": column.key, "label": column.label, "kind": column.kind, "sort_query": params.urlencode()}
            )
        params.pop("sort", None)
        if self.request.GET.get("sort"):
            params["sort"] = self.request.GET["sort"]
        return {
            "filter": self.filterset,
            "object_list": page.object_list,
            "page_obj": page,
            "paginator": paginator,
            "is_paginated": page.has_other_pages(),
            "columns": columns,
            "kpi_columns": KPI_COLUMNS,
            "sort_key": self.sort_column.key,
            "sort_desc": self.sort_desc,
            "sort_label": f"{self.sort_column.label} ({'descending' if self.sort_desc else 'ascending'})",
            "sort": self.request.GET.get("sort", ""),
            "kpi_period": self.kpi_period,
            "export_query": params.urlencode(),
        }


class PartnerDetailView(ManagerRequiredMixin, DashboardMixin, TemplateView):
    """One partner's scorecard: profile, health explained, KPI trends beside the tier median, records.

    A partner outside the manager's regions answers 404, as a missing one.
    """

    template_name = "partners/partner_detail.html"
    filter_names = ()

    def get(self, request, *args: Any, **kwargs: Any):
        queryset = Partner.objects.visible_to(request.user).select_related(
            "tier", "region", "parent", "account_manager", "program"
        )
        self.partner = get_object_or_404(queryset, pk=kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def get_dashboard_context(self) -> dict[str, Any]:
        # A manager limited to regions sees tier medians only over groups too large for one peer outside
        # their regions to be read from them, as partners do; a manager who sees every partner sees any median.
        min_peers = 1 if selectors.channel_wide_reader(self.request.user) else MIN_PEER_GROUP
        card = partner_scorecard(partner=self.partner, period=self.period, min_peers=min_peers)
        parent_id = self.partner.parent_id
        return {
            "partner": self.partner,
            "object": self.partner,
            # A distributor outside the manager's regions is named only as such.
            "parent_visible": bool(parent_id)
            and Partner.objects.visible_to(self.request.user).filter(pk=parent_id).exists(),
            "activity": partner_activity(user=self.request.user, partner=self.partner),
            "health": partner_health(user=self.request.user, partner=self.partner),
            "tiles": card.tiles,
            "trend_charts": card.trend_charts,
            "charts": {chart.key: chart for chart in card.trend_charts},
            "today": timezone.now().date(),
            "activations": partner_activation_summary(
                partner=self.partner, window=activation_section_window(self.period.end), min_peers=min_peers
            ),
            **card.extra,  # what the comparisons are called (like for like while the period is in progress)
        }
