"""One filter set for the inventory list pages, their export and the API."""

from __future__ import annotations

import django_filters
from django import forms

from catalog.models import Product, ProductLine
from core.filters import VisibleModelChoiceFilter
from core.widgets import SearchSelect
from partners.models import Partner, Region

from .models import ImportJob, InventoryReport


class InventoryFilterSet(django_filters.FilterSet):
    product = django_filters.ModelChoiceFilter(
        queryset=Product.objects.only("pk", "sku", "name"),
        empty_label="Any product",
        widget=SearchSelect("lookup:products", params={"inactive": "1"}, placeholder="Type a SKU or name…"),
    )
    sku = django_filters.CharFilter(field_name="product__sku", lookup_expr="iexact", label="SKU")
    product_line = django_filters.ModelChoiceFilter(
        field_name="product__product_line",
        queryset=ProductLine.objects.all(),
        label="Product line",
        empty_label="Any line",
    )
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    partner = VisibleModelChoiceFilter(
        queryset=Partner.objects.only("pk", "name"),
        empty_label="Any partner",
        widget=SearchSelect("lookup:partners", placeholder="Type a partner name…"),
    )
    region = django_filters.ModelChoiceFilter(
        field_name="partner__region", queryset=Region.objects.all(), empty_label="Any region"
    )
    source = django_filters.ChoiceFilter(choices=InventoryReport.Source.choices, empty_label="Any source")

    class Meta:
        model = InventoryReport
        fields = ["product", "sku", "product_line", "date_from", "date_to", "partner", "region", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)


class ImportJobFilterSet(django_filters.FilterSet):
    """The upload lists' filters (portal and manager), shared by the page and its export."""

    status = django_filters.ChoiceFilter(choices=ImportJob.Status.choices, empty_label="Any status")
    partner = VisibleModelChoiceFilter(queryset=Partner.objects.only("pk", "name"), empty_label="Any partner")
    uploaded_from = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__gte",
        label="Uploaded from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    uploaded_to = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__lte",
        label="Uploaded to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = ImportJob
        fields = ["status", "partner", "uploaded_from", "uploaded_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault(
                "class", "form-select form-select-sm" if is_select else "form-control form-control-sm"
            )
