"""Filter sets of the analytics lists (the API's), and the health filter the manager's partner list adds."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from catalog.models import Product, ProductLine
from core.filters import IdFilter, PageFilterSet, VisibleModelChoiceFilter
from core.widgets import SearchSelect
from partners.filtersets import PartnerFilterSet
from partners.models import Partner, Region, Tier

from .models import (
    DataQualityScore,
    Dimension,
    EcosystemHealth,
    Granularity,
    HealthBand,
    KpiSnapshot,
    LineSellOut,
    PartnerHealthScore,
    ProductFeedbackMonth,
    UnconvertedAmount,
)
from .selectors.health import last_month_end

OPEN_ALERT = "alert"


class PartnerHealthFilterSet(PartnerFilterSet):
    """The partner list page and its export: the partner attributes plus the current health band."""

    band = django_filters.ChoiceFilter(
        choices=[*HealthBand.choices, ("none", "No score"), (OPEN_ALERT, "Open alert")],
        method="filter_band",
        label="Health",
        empty_label="Any",
    )

    class Meta(PartnerFilterSet.Meta):
        fields = [*PartnerFilterSet.Meta.fields, "band"]

    def filter_band(self, queryset, name, value):
        """Partners by current health band; "none" = no current score yet; "alert" = an open alert (at risk, or
        fallen from healthy to watch since the last month end: the overview's alerts, one definition)."""
        if value == OPEN_ALERT:
            alerts = PartnerHealthScore.objects.open_alerts(last_month_end())
            return queryset.filter(pk__in=alerts.values("partner_id"))
        scored = PartnerHealthScore.objects.filter(is_current=True, score__isnull=False)
        if value == "none":
            return queryset.exclude(pk__in=scored.values("partner_id"))
        return queryset.filter(pk__in=scored.filter(band=value).values("partner_id"))


class KpiSnapshotFilterSet(django_filters.FilterSet):
    dimension = django_filters.ChoiceFilter(choices=Dimension.choices)
    granularity = django_filters.ChoiceFilter(choices=Granularity.choices)
    key = django_filters.CharFilter()
    partner = IdFilter(field_name="partner_id")
    since = django_filters.DateFilter(field_name="period_start", lookup_expr="gte", label="Starting on or after")
    until = django_filters.DateFilter(field_name="period_start", lookup_expr="lte", label="Starting on or before")
    is_complete = django_filters.BooleanFilter()

    class Meta:
        model = KpiSnapshot
        fields = ["dimension", "granularity", "key", "partner", "since", "until", "is_complete"]


class ProductFeedbackMonthFilterSet(django_filters.FilterSet):
    product = django_filters.NumberFilter(field_name="product_id")
    product_line = django_filters.NumberFilter(field_name="product_line_id")
    region = django_filters.NumberFilter(field_name="region_id", label="Region (a regional manager's rows)")
    since = django_filters.DateFilter(field_name="month", lookup_expr="gte", label="Months from")
    until = django_filters.DateFilter(field_name="month", lookup_expr="lte", label="Months to")
    claim_flag = django_filters.BooleanFilter()

    class Meta:
        model = ProductFeedbackMonth
        fields = ["product", "product_line", "region", "since", "until", "claim_flag"]


class HealthScoreFilterSet(django_filters.FilterSet):
    partner = IdFilter(field_name="partner_id")
    tier = IdFilter(field_name="tier_id")
    band = django_filters.ChoiceFilter(choices=HealthBand.choices)
    is_current = django_filters.BooleanFilter()
    as_of = django_filters.DateFilter()

    class Meta:
        model = PartnerHealthScore
        fields = ["partner", "tier", "band", "is_current", "as_of"]


class EcosystemHealthFilterSet(django_filters.FilterSet):
    is_current = django_filters.BooleanFilter()
    since = django_filters.DateFilter(field_name="as_of", lookup_expr="gte")

    class Meta:
        model = EcosystemHealth
        fields = ["is_current", "since"]


class LatestSelect(forms.NullBooleanSelect):
    """true: each partner's latest complete month; false: every month; empty: latest unless a month is chosen."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [
            ("unknown", "Latest, unless a month is chosen"),
            ("true", "Each partner's latest complete month"),
            ("false", "Every month"),
        ]


class DataQualityFilterSet(PageFilterSet):
    """The data-quality list page, its export and the API: by month (the latest complete month of each partner
    unless one is asked for), partner, region, tier and score."""

    month = django_filters.DateFilter(
        method="filter_month",
        label="Month (any day in it)",
        help_text="Any day of the month (YYYY-MM-DD); empty: each partner's latest complete month.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    latest = django_filters.BooleanFilter(method="filter_latest", label="Months shown", widget=LatestSelect())
    partner = VisibleModelChoiceFilter(
        queryset=Partner.objects.only("pk", "name"),
        empty_label="Any partner",
        widget=SearchSelect("lookup:partners", placeholder="Type a partner name…"),
    )
    region = django_filters.ModelChoiceFilter(
        field_name="partner__region", queryset=Region.objects.all(), label="Region", empty_label="Any region"
    )
    tier = django_filters.ModelChoiceFilter(
        field_name="partner__tier", queryset=Tier.objects.all(), label="Tier", empty_label="Any tier"
    )
    score_min = django_filters.NumberFilter(field_name="score", lookup_expr="gte", label="Score at least")
    score_max = django_filters.NumberFilter(field_name="score", lookup_expr="lte", label="Score at most")

    class Meta:
        model = DataQualityScore
        fields = ["month", "latest", "partner", "region", "tier", "score_min", "score_max"]

    def filter_month(self, queryset, name, value):
        return queryset.filter(month=value.replace(day=1))

    def filter_latest(self, queryset, name, value):
        return queryset.latest_complete() if value else queryset


FEEDBACK_MONTHS = [("3", "3 months"), ("6", "6 months"), ("12", "12 months"), ("24", "24 months")]
DEFAULT_FEEDBACK_MONTHS = 12


def feedback_months_chosen(params) -> int:
    """The span of months a product feedback page shows (`?months=`; 12 unless one of the offered spans)."""
    value = params.get("months", "")
    return int(value) if value in dict(FEEDBACK_MONTHS) else DEFAULT_FEEDBACK_MONTHS


class ProductFeedbackFilterSet(PageFilterSet):
    """The product feedback list and its export (a queryset of `selectors.product_feedback_list`)."""

    q = django_filters.CharFilter(method="search", label="SKU or name")
    product_line = django_filters.ModelChoiceFilter(
        queryset=ProductLine.objects.all(), label="Product line", empty_label="Any"
    )
    warning = django_filters.ChoiceFilter(
        method="filter_warning",
        choices=[("open", "Open warning"), ("any", "Any warning in the span")],
        label="Warning",
        empty_label="Any",
    )
    months = django_filters.ChoiceFilter(
        method="keep", choices=FEEDBACK_MONTHS, label="Months", empty_label="12 months"
    )

    class Meta:
        model = Product
        fields = ["q", "product_line", "warning", "months"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(sku__icontains=value) | Q(name__icontains=value)) if value else queryset

    def filter_warning(self, queryset, name, value):
        """Products flagged in the month in progress or the one before ("open"), or in any month shown."""
        if value == "open":
            return queryset.filter(fb_open_warnings__gt=0)
        if value == "any":
            return queryset.filter(fb_warnings__gt=0)
        return queryset

    def keep(self, queryset, name, value):
        """The span of months is read by the page (it sets the annotations), not a filter of rows."""
        return queryset


class UnconvertedAmountFilterSet(django_filters.FilterSet):
    """The API's filters of amounts left out for want of a rate: by currency, kind and month range."""

    currency = django_filters.CharFilter(lookup_expr="iexact")
    kind = django_filters.ChoiceFilter(choices=UnconvertedAmount.Kind.choices)
    month_from = django_filters.DateFilter(field_name="month", lookup_expr="gte")
    month_to = django_filters.DateFilter(field_name="month", lookup_expr="lte")

    class Meta:
        model = UnconvertedAmount
        fields = ["currency", "kind", "month_from", "month_to"]


class LineSellOutFilterSet(django_filters.FilterSet):
    """Sell-out groups by period, product line, end-customer country and the reporters' region, tier and type."""

    granularity = django_filters.ChoiceFilter(choices=Granularity.choices)
    period_start = django_filters.DateFilter()
    since = django_filters.DateFilter(field_name="period_start", lookup_expr="gte", label="Starting on or after")
    until = django_filters.DateFilter(field_name="period_start", lookup_expr="lte", label="Starting on or before")
    product_line = IdFilter(field_name="product_line_id")
    country = django_filters.CharFilter()
    region = IdFilter(field_name="region_id")
    tier = IdFilter(field_name="tier_id")
    partner_type = django_filters.CharFilter()

    class Meta:
        model = LineSellOut
        fields = [
            "granularity",
            "period_start",
            "since",
            "until",
            "product_line",
            "country",
            "region",
            "tier",
            "partner_type",
        ]
