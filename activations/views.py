"""The manager page of activation rates by product line and partner (from the stored figures)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.utils import timezone
from django.views.generic import TemplateView

from core.lists import view_query
from core.spreadsheets import Column, csv_response, xlsx_response
from core.views import ManagerRequiredMixin

from .forms import SORTS, RatesFilterForm
from .selectors import Window, activation_rates, lags_for, line_totals, share

PAGE_SIZE = 50
EXPORT_CHUNK = 2000
EXPORT_COLUMNS = [
    Column("Partner"),
    Column("Product line"),
    Column("Serialised units sold", "count"),
    Column("Activated", "count"),
    Column("Share activated", "percent"),
    Column("Median days to activation", "days"),
    Column("Installed base at the end", "count"),
    Column("Active units in the last month", "count"),
]


class ActivationRatesView(ManagerRequiredMixin, TemplateView):
    """Share of sold units activated, median lag and installed base, per partner and product line.

    Only partners the manager sees (the visibility rule on the stored figures); `?export=csv|xlsx` gives
    every row of the filtered, sorted table.
    """

    template_name = "activations/manage_rates.html"

    def get(self, request, *args: Any, **kwargs: Any):
        self.form = RatesFilterForm(request.GET or None)
        self.window = Window.ending(timezone.localdate(), self.form.value("months"))
        region, tier = self.form.value("region"), self.form.value("tier")
        self.rows = activation_rates(
            user=request.user,
            window=self.window,
            product_line=self.form.value("product_line"),
            region_id=region.pk if region else None,
            tier_id=tier.pk if tier else None,
            search=(self.form.value("q") or "").strip(),
            order=self.form.value("sort") or "-sold",
        )
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            respond = csv_response if export == "csv" else xlsx_response
            return respond(f"activation rates {self.window.label}", EXPORT_COLUMNS, self._export_rows())
        self.region_id, self.tier_id = (region.pk if region else None), (tier.pk if tier else None)
        return super().get(request, *args, **kwargs)

    def _export_rows(self):
        """Every row, 2,000 at a time (each slice with one query for its lags), as the answer streams."""
        start = 0
        while chunk := list(self.rows[start : start + EXPORT_CHUNK]):
            start += EXPORT_CHUNK
            lags = lags_for(
                user=self.request.user,
                window=self.window,
                keys=[(r["partner_id"], r["product_line_id"]) for r in chunk],
            )
            for row in chunk:
                yield [
                    row["partner__name"],
                    row["product_line__name"],
                    row["sold"],
                    row["activated"],
                    share(row["activated"] or 0, row["sold"] or 0),
                    lags[(row["partner_id"], row["product_line_id"])],
                    row["base"] or 0,
                    row["active"] or 0,
                ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = Paginator(self.rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        rows = list(page.object_list)
        lags = lags_for(
            user=self.request.user, window=self.window, keys=[(r["partner_id"], r["product_line_id"]) for r in rows]
        )
        for row in rows:
            row["share"] = share(row["activated"] or 0, row["sold"] or 0)
            row["median_lag"] = lags[(row["partner_id"], row["product_line_id"])]
        context.update(
            form=self.form,
            window=self.window,
            rows=rows,
            page_obj=page,
            is_paginated=page.has_other_pages(),
            lines=line_totals(
                user=self.request.user, window=self.window, region_id=self.region_id, tier_id=self.tier_id
            ),
            sort_label=SORTS.get(self.form.value("sort") or "-sold"),
            export_query=view_query(self.request.GET, page=None, export=None),
            page_query=view_query(self.request.GET, page=None),
        )
        return context
