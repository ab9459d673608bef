"""The shared shape of a dashboard page: the period and filter bar, charts, and CSV of any chart's data."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse

from analytics import selectors
from catalog.models import ProductLine
from partners.models import Partner, Region, Tier

from ..charts import Chart
from ..exports import chart_csv_response
from ..forms import FILTER_NAMES, DashboardFilterForm, Scope


class DashboardMixin:
    """Reads the bar from the query string; `?download=<chart key>` answers that chart's data as CSV.

    Subclasses implement `get_dashboard_context()` returning a dict whose
    "charts" entry maps keys to `Chart`s (tables to download count as charts).
    """

    filter_names: tuple[str, ...] = FILTER_NAMES
    comparisons: bool = True
    allow_custom: bool = True
    request: Any

    def setup_dashboard(self) -> None:
        self.form = DashboardFilterForm(
            self.request.GET, user=self.request.user, fields=self.filter_names, allow_custom=self.allow_custom
        )
        self.form.is_valid()
        self.period = self.form.chosen_period
        self.scope: Scope = self.form.scope
        self.form.initial_for_display()

    def get(self, request, *args: Any, **kwargs: Any) -> HttpResponse:
        self.setup_dashboard()
        context = self.get_context_data(**kwargs)
        download = request.GET.get("download")
        if download:
            chart = context.get("charts", {}).get(download)
            if not isinstance(chart, Chart):
                raise Http404("No such chart on this page.")
            return chart_csv_response(chart, self.period.short_label)
        return self.render_to_response(context)

    def get_dashboard_context(self) -> dict[str, Any]:
        raise NotImplementedError

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            form=self.form,
            filter_names=self.filter_names,
            period=self.period,
            previous_period=self.period.previous(),
            year_ago_period=self.period.year_ago(),
            # What the comparisons are called; pages comparing a period in progress like for like replace them
            # ("the first 59 days of Q3 2026", `presenters.tiles.period_figures`).
            previous_label=self.period.previous().short_label,
            year_ago_label=self.period.year_ago().short_label,
            comparisons=self.comparisons,
            one_comparison=self.period.previous() == self.period.year_ago(),  # a year: the year before
            in_progress=self.period.in_progress(),
            scope=self.scope,
            scope_labels=scope_labels(self.form),
            query=self.form.query(),
        )
        context.setdefault("charts", {})
        context.update(self.get_dashboard_context())
        context.update(
            money_basis=selectors.money_basis(),
            unconverted=selectors.unconverted_amounts(
                user=self.request.user, start=self.period.start, end=self.period.end
            ),
        )
        return context


def scope_labels(form: DashboardFilterForm) -> list[str]:
    """The chosen filters in words, from the already-validated form (no extra queries)."""
    data = form.cleaned_data
    labels = []
    for name in ("tier", "region", "product_line"):
        value = data.get(name)
        if isinstance(value, Tier | Region | ProductLine):
            labels.append(f"{form.fields[name].label or name.replace('_', ' ').capitalize()}: {value}")
    if data.get("partner_type"):
        labels.append(f"Type: {Partner.Type(data['partner_type']).label}")
    return labels
