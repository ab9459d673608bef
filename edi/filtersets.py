"""Filter sets of the EDI lists (pages, their exports and the API)."""

from __future__ import annotations

import django_filters

from catalog.models import Product
from core.filters import PageFilterSet, VisibleModelChoiceFilter, date_bound
from core.widgets import SearchSelect
from partners.models import Partner

from .models import EdiImport, ProductActivity, ReportingLocation


class EdiImportFilterSet(PageFilterSet):
    status = django_filters.ChoiceFilter(choices=EdiImport.Status.choices, empty_label="Any status")
    kind = django_filters.ChoiceFilter(
        field_name="kinds", lookup_expr="contains", choices=[("852", "852"), ("867", "867")], empty_label="Any kind"
    )
    partner = VisibleModelChoiceFilter(
        queryset=Partner.objects.only("pk", "name"),
        empty_label="Any partner",
        widget=SearchSelect("lookup:partners", placeholder="Type a partner name…"),
    )
    control_number = django_filters.CharFilter(lookup_expr="iexact", label="Control number")
    received_from = date_bound("created_at", "date__gte", "Received from")
    received_to = date_bound("created_at", "date__lte", "Received to")

    class Meta:
        model = EdiImport
        fields = ["status", "kind", "partner", "control_number", "received_from", "received_to"]


class ProductActivityFilterSet(PageFilterSet):
    partner = VisibleModelChoiceFilter(
        queryset=Partner.objects.only("pk", "name"),
        empty_label="Any partner",
        widget=SearchSelect("lookup:partners", placeholder="Type a partner name…"),
    )
    product = django_filters.ModelChoiceFilter(
        queryset=Product.objects.only("pk", "sku", "name"),
        empty_label="Any product",
        widget=SearchSelect("lookup:products", params={"inactive": "1"}, placeholder="Type a SKU or name…"),
    )
    period_from = date_bound("period_end", "gte", "Period ending from")
    period_to = date_bound("period_end", "lte", "Period ending to")
    exceptions = django_filters.BooleanFilter(
        method="filter_exceptions",
        label="Balance",
        widget=django_filters.widgets.BooleanWidget(),
    )

    class Meta:
        model = ProductActivity
        fields = ["partner", "product", "period_from", "period_to", "exceptions"]

    def filter_exceptions(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exceptions() if value else queryset.exclude(pk__in=queryset.exceptions().values("pk"))


class ReportingLocationFilterSet(PageFilterSet):
    partner = VisibleModelChoiceFilter(
        queryset=Partner.objects.only("pk", "name"),
        empty_label="Any partner",
        widget=SearchSelect("lookup:partners", placeholder="Type a partner name…"),
    )
    qualifier = django_filters.ChoiceFilter(choices=ReportingLocation.Qualifier.choices, empty_label="Any qualifier")
    code = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = ReportingLocation
        fields = ["partner", "qualifier", "code"]
