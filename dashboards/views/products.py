"""Product feedback pages for managers: every product with its claims per 1,000 units, lost deals and warnings,
and one product's months, failure codes and loss reasons, each number linked to the claims or deals behind it.

They read the stored feedback tables through `analytics.selectors` (written by the analytics runs, see
docs/product-feedback.md): a manager who sees every region reads the channel's figures, one limited to regions
the sums of those regions' rows, and the links open lists that apply the same visibility rule.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from analytics import selectors
from analytics.conf import feedback_alpha, feedback_min_expected
from analytics.filtersets import FEEDBACK_MONTHS, ProductFeedbackFilterSet, feedback_months_chosen
from catalog.models import Product
from core.lists import FilteredListView, ListColumn
from core.views import ManagerRequiredMixin

from ..charts import Column, Series, bar_chart, line_chart, table_only
from ..exports import chart_csv_response

SORT_FIELDS = {
    "sku": "sku",
    "name": "name",
    "line": "product_line__name",
    "units": "fb_units",
    "claims": "fb_claims",
    "rate": "fb_claims_per_1000",
    "lost": "fb_lost",
    "warnings": "fb_warnings",
}
EXPORT_COLUMNS = (
    ListColumn("SKU", "sku"),
    ListColumn("Product", "name"),
    ListColumn("Product line", "product_line.name"),
    ListColumn("Units sold", "fb_units", "count"),
    ListColumn("Claims", "fb_claims", "count"),
    ListColumn("Claims per 1,000 units", "fb_claims_per_1000", "number"),
    ListColumn("Expected claims", "fb_expected", "number"),
    ListColumn("Lost deals", "fb_lost", "count"),
    ListColumn("Flagged months", "fb_warnings", "count"),
    ListColumn("Open warning", lambda p: "yes" if p.fb_open_warnings else "no"),
)
SPARK_WIDTH, SPARK_HEIGHT = 120, 28


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def claims_list_url(product: Product, start: date, end: date, **extra: Any) -> str:
    """The manager's claim list filtered to the product's claims submitted in [start, end] (the numbers' source)."""
    query = {"product": product.pk, "submitted_from": start.isoformat(), "submitted_to": end.isoformat(), **extra}
    return f"{reverse('warranty:manage_claim_list')}?{urlencode(query)}"


def lost_deals_url(product: Product, start: date, end: date, **extra: Any) -> str:
    """The manager's deal list filtered to lost registrations with a line of the product closed in [start, end]."""
    query = {
        "status": "lost",
        "product": product.pk,
        "closed_after": start.isoformat(),
        "closed_before": end.isoformat(),
        **extra,
    }
    return f"{reverse('deals:manage_deal_list')}?{urlencode(query)}"


def sparkline(values: list[float | None]) -> str:
    """SVG polyline points of a small trend (empty months left out of the line; "" when nothing to draw)."""
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return ""
    top = max(known) or 1.0
    step = SPARK_WIDTH / max(1, len(values) - 1)
    return " ".join(
        f"{i * step:.1f},{SPARK_HEIGHT - 2 - (v / top) * (SPARK_HEIGHT - 4):.1f}"
        for i, v in enumerate(values)
        if v is not None
    )


class ProductFeedbackListView(ManagerRequiredMixin, FilteredListView):
    """/manage/products/: products with claims per 1,000 units, trend, lost deals and claim warnings (flagged
    first), filtered, sorted and exported over the chosen span of months."""

    template_name = "dashboards/product_list.html"
    filterset_class = ProductFeedbackFilterSet
    paginate_by = 50
    ordering = ("-fb_open_warnings", "-fb_warnings", "-fb_claims", "sku")
    sort_fields = SORT_FIELDS
    export_columns = EXPORT_COLUMNS
    export_name = "product feedback"

    def get_queryset(self):
        self.months = feedback_months_chosen(self.request.GET)
        self.start = selectors.feedback_start(self.months)
        return selectors.product_feedback_list(user=self.request.user, start=self.start)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        products = list(context["object_list"])
        span = selectors.month_span(self.start)
        trends = selectors.product_feedback_trends(
            user=self.request.user, product_ids=[p.pk for p in products], start=self.start
        )
        end = month_end(span[-1])
        for product in products:
            by_month = trends.get(product.pk, {})
            rates = []
            for month in span:
                units, claims = by_month.get(month, (0, 0))
                rates.append(1000 * claims / units if units and units > 0 else None)
            product.spark = sparkline(rates)
            product.claims_url = claims_list_url(product, self.start, end)
            product.lost_url = lost_deals_url(product, self.start, end)
        context.update(
            object_list=products,
            warnings=selectors.open_claim_warnings(user=self.request.user),
            months=self.months,
            start=self.start,
            month_choices=FEEDBACK_MONTHS,
            regional=bool(self.request.user.region_ids) and not self.request.user.is_superuser,
            alpha=feedback_alpha(),
            min_expected=feedback_min_expected(),
        )
        return context


class ProductFeedbackDetailView(ManagerRequiredMixin, TemplateView):
    """/manage/products/<pk>/: one product's months (units, claims, expected claims, warning, lost deals), its
    failure codes and loss reasons, each count linked to the claims or deals it counts."""

    template_name = "dashboards/product_detail.html"

    def get(self, request, *args, **kwargs):
        self.product = get_object_or_404(Product.objects.select_related("product_line"), pk=kwargs["pk"])
        self.months = feedback_months_chosen(request.GET)
        self.start = selectors.feedback_start(self.months)
        context = self.get_context_data(**kwargs)
        download = request.GET.get("download")
        if download:
            chart = context["charts"].get(download)
            if chart is None:
                raise Http404("No such chart on this page.")
            return chart_csv_response(chart, f"{self.product.sku} {self.months} months")
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, product, start = self.request.user, self.product, self.start
        rows = selectors.product_feedback_months(user=user, product=product, start=start)
        counts = selectors.product_feedback_counts(user=user, product=product, start=start)
        end = month_end(rows[-1].month)
        for row in rows:
            row.claims_url = claims_list_url(product, row.month, month_end(row.month))
            row.lost_url = lost_deals_url(product, row.month, month_end(row.month))
        for item in counts["failure_codes"]:
            item.url = claims_list_url(product, start, end, failure_code=item.ref) if item.ref else ""
        for item in counts["loss_reasons"]:
            item.url = lost_deals_url(product, start, end, loss_reason=item.ref)
        charts = self.charts(rows, counts)
        units = sum(r.units_sold for r in rows)
        claims = sum(r.claims_submitted for r in rows)
        context.update(
            product=product,
            rows=rows,
            latest_first=list(reversed(rows)),
            counts=counts,
            charts=charts,
            months=self.months,
            month_choices=FEEDBACK_MONTHS,
            start=start,
            totals={
                "units": units,
                "claims": claims,
                "claims_per_1000": 1000 * claims / units if units > 0 else None,
                "lost": sum(r.deals_lost for r in rows),
                "flagged": [r for r in rows if r.flagged_in],
                "claims_url": claims_list_url(product, start, end),
                "lost_url": lost_deals_url(product, start, end),
            },
            query=urlencode({"months": self.months}),
            regional=bool(user.region_ids) and not user.is_superuser,
            alpha=feedback_alpha(),
            min_expected=feedback_min_expected(),
        )
        return context

    def charts(self, rows: list, counts: dict) -> dict:
        months = [r.month for r in rows]
        rate = line_chart(
            "claim_rate",
            "Claims per 1,000 units sold, against the expected rate",
            months=months,
            series=[
                Series("Claims per 1,000 units", [r.claims_per_1000 for r in rows]),
                Series("Expected from the product line", [r.expected_per_1000 for r in rows], dashed=True),
            ],
            kind="per_thousand",
            y_title="Claims per 1,000 units",
            empty_message="No units sold in these months.",
            note="Expected: the product line's other products' claims per unit over the 12 months before, × this "
            "product's units.",
        )
        volume = bar_chart(
            "volume",
            "Units sold, claims and lost deals by month",
            months=months,
            categories=[],
            series=[
                Series("Claims", [r.claims_submitted for r in rows]),
                Series("Lost deals", [r.deals_lost for r in rows]),
            ],
            kind="count",
            value_title="Count",
            category_title="Month",
            empty_message="No claims or lost deals in these months.",
        )
        units = bar_chart(
            "units",
            "Units sold by month",
            months=months,
            categories=[],
            series=[
                Series("From sell-out", [r.units_from_sellout for r in rows]),
                Series("From stock reports", [r.units_from_inventory for r in rows]),
            ],
            kind="count",
            value_title="Units",
            category_title="Month",
            empty_message="No units sold in these months.",
            stacked=True,
        )
        failures = table_only(
            "failure_codes",
            "Claims by failure code",
            columns=[Column("Failure code", "text"), Column("Description", "text"), Column("Claims", "count")],
            rows=[[c.code, c.name, c.count] for c in counts["failure_codes"]],
            empty_message="No claims in these months.",
        )
        losses = table_only(
            "loss_reasons",
            "Lost deals by loss reason",
            columns=[Column("Loss reason", "text"), Column("Lost deals", "count")],
            rows=[[c.name, c.count] for c in counts["loss_reasons"]],
            empty_message="No deals with this product lost in these months.",
        )
        return {c.key: c for c in (rate, volume, units, failures, losses)}
