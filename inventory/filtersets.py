"""One filter set for the inventory list pages, their export and the API."""

from __future__ import annotations

import django_filters

from catalog.models import Product, ProductLine
from core.filters import PageFilterSet, VisibleModelChoiceFilter, date_bound
from core.widgets import SearchSelect
from partners.models import Partner, Region

from .models import ImportJob, InventoryReport


class InventoryFilterSet(PageFilterSet):
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
    date_from = date_bound("date", "gte", "From")
    date_to = date_bound("date", "lte", "To")
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


class ImportJobFilterSet(PageFilterSet):
    """The upload lists' filters (portal and manager), shared by the page and its export."""

    status = django_filters.ChoiceFilter(choices=ImportJob.Status.choices, empty_label="Any status")
    partner = VisibleModelChoiceFilter(queryset=Partner.objects.only("pk", "name"), empty_label="Any partner")
    uploaded_from = date_bound("created_at", "date__gte", "Uploaded from")
    uploaded_to = date_bound("created_at", "date__lte", "Uploaded to")

    class Meta:
        model = ImportJob
        fields = ["status", "partner", "uploaded_from", "uploaded_to"]
