"""One filter set per sell-out list: pages, their exports and the API share them."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from catalog.models import Product, ProductLine
from core.filters import PageFilterSet, VisibleModelChoiceFilter, date_bound
from core.widgets import SearchSelect
from ingest.models import ImportBatch
from partners.models import Partner, Region

from .models import EndCustomerCandidate, SellOutLine, SellOutUpload


class SellOutLineFilterSet(PageFilterSet):
    q = django_filters.CharFilter(method="search", label="Search", help_text="Invoice, end customer or buyer")
    product = django_filters.ModelChoiceFilter(
        queryset=Product.objects.only("pk", "sku", "name"),
        empty_label="Any product",
        widget=SearchSelect("lookup:products", params={"inactive": "1"}, placeholder="Type a SKU or name…"),
    )
    product_line = django_filters.ModelChoiceFilter(
        field_name="product__product_line",
        queryset=ProductLine.objects.all(),
        label="Product line",
        empty_label="Any line",
    )
    date_from = date_bound("date", "gte", "From")
    date_to = date_bound("date", "lte", "To")
    transaction_type = django_filters.ChoiceFilter(
        choices=SellOutLine.TransactionType.choices, empty_label="Any type", label="Type"
    )
    reporter = VisibleModelChoiceFilter(
        queryset=Partner.objects.only("pk", "name"),
        empty_label="Any reporter",
        widget=SearchSelect("lookup:partners", placeholder="Type a partner name…"),
    )
    sold_to_partner = VisibleModelChoiceFilter(
        queryset=Partner.objects.only("pk", "name"),
        empty_label="Any buyer",
        label="Sold to partner",
        widget=SearchSelect("lookup:partners", placeholder="Type a partner name…"),
    )
    region = django_filters.ModelChoiceFilter(
        field_name="reporter__region", queryset=Region.objects.all(), empty_label="Any region"
    )
    customer_match = django_filters.ChoiceFilter(
        choices=SellOutLine.CustomerMatch.choices, empty_label="Any end customer", label="End customer"
    )
    currency = django_filters.CharFilter(lookup_expr="iexact", label="Currency")
    source = django_filters.ChoiceFilter(choices=SellOutLine.Source.choices, empty_label="Any source")
    corrected = django_filters.BooleanFilter(method="filter_corrected", label="Corrected")
    batch = django_filters.NumberFilter(field_name="batch_id", label="Import #")

    class Meta:
        model = SellOutLine
        fields = [
            "q",
            "product",
            "product_line",
            "date_from",
            "date_to",
            "transaction_type",
            "reporter",
            "sold_to_partner",
            "region",
            "customer_match",
            "currency",
            "source",
            "corrected",
            "batch",
        ]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(invoice_number__icontains=value)
            | Q(end_customer_name__icontains=value)
            | Q(sold_to_name__icontains=value)
        )

    def filter_corrected(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(revision__gt=1) if value else queryset.filter(revision=1)


class ImportBatchFilterSet(PageFilterSet):
    """The sell-out imports list (managers): deliveries by channel, partner, date and state."""

    channel = django_filters.ChoiceFilter(choices=ImportBatch.Channel.choices, empty_label="Any channel")
    partner = VisibleModelChoiceFilter(
        queryset=Partner.objects.only("pk", "name"),
        empty_label="Any partner",
        widget=SearchSelect("lookup:partners", placeholder="Type a partner name…"),
    )
    created_from = date_bound("created_at", "date__gte", "From")
    created_to = date_bound("created_at", "date__lte", "To")
    reverted = django_filters.BooleanFilter(field_name="reverted_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = ImportBatch
        fields = ["channel", "partner", "created_from", "created_to", "reverted"]


class SellOutUploadFilterSet(PageFilterSet):
    status = django_filters.ChoiceFilter(choices=SellOutUpload.Status.choices, empty_label="Any status")
    uploaded_from = date_bound("created_at", "date__gte", "Uploaded from")
    uploaded_to = date_bound("created_at", "date__lte", "Uploaded to")

    class Meta:
        model = SellOutUpload
        fields = ["status", "uploaded_from", "uploaded_to"]


class CandidateFilterSet(PageFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(choices=EndCustomerCandidate.Status.choices, empty_label="Any status")
    country = django_filters.CharFilter(lookup_expr="iexact", label="Country")

    class Meta:
        model = EndCustomerCandidate
        fields = ["q", "status", "country"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(domain__icontains=value)) if value else queryset
