"""One filter set for activations and one for usage months, used by the API's lists."""

from __future__ import annotations

import django_filters

from catalog.models import Product, ProductLine
from core.filters import PageFilterSet, VisibleModelChoiceFilter, date_bound
from partners.models import Partner

from .models import Activation, UsageRecord


class ActivationFilterSet(PageFilterSet):
    product = django_filters.ModelChoiceFilter(queryset=Product.objects.only("pk", "sku"), empty_label="Any product")
    sku = django_filters.CharFilter(field_name="product__sku", lookup_expr="iexact", label="SKU")
    product_line = django_filters.ModelChoiceFilter(
        field_name="product__product_line", queryset=ProductLine.objects.all(), empty_label="Any line"
    )
    identifier = django_filters.CharFilter(label="Serial or subscription id")
    kind = django_filters.ChoiceFilter(choices=Activation.Kind.choices, empty_label="Any kind")
    status = django_filters.ChoiceFilter(choices=Activation.Status.choices, empty_label="Any status")
    activated_from = date_bound("activated_on", "gte", "Activated from")
    activated_to = date_bound("activated_on", "lte", "Activated to")
    partner = VisibleModelChoiceFilter(queryset=Partner.objects.only("pk", "name"), empty_label="Any partner")
    sold = django_filters.BooleanFilter(
        field_name="partner", lookup_expr="isnull", exclude=True, label="Sold by a partner"
    )

    class Meta:
        model = Activation
        fields = [
            "product",
            "sku",
            "product_line",
            "identifier",
            "kind",
            "status",
            "activated_from",
            "activated_to",
            "partner",
            "sold",
        ]


class UsageRecordFilterSet(PageFilterSet):
    activation = django_filters.NumberFilter(field_name="activation_id")
    identifier = django_filters.CharFilter(field_name="activation__identifier", label="Serial or subscription id")
    month_from = date_bound("month", "gte", "From month")
    month_to = date_bound("month", "lte", "To month")
    partner = VisibleModelChoiceFilter(
        field_name="activation__partner", queryset=Partner.objects.only("pk", "name"), empty_label="Any partner"
    )

    class Meta:
        model = UsageRecord
        fields = ["activation", "identifier", "month_from", "month_to", "partner"]
