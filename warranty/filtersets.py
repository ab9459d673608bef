"""One filter set for the warranty lists (portal and review queue), their export and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from catalog.models import Product
from core.filters import PageFilterSet, VisibleModelChoiceFilter, date_bound
from core.widgets import SearchSelect
from partners.models import Partner, Region

from .models import ClaimStatus, FailureCode, WarrantyClaim

OPEN = "open"
OPEN_STATUSES = (ClaimStatus.SUBMITTED, ClaimStatus.UNDER_REVIEW)
YES_NO = [("", "Either"), ("true", "Yes"), ("false", "No")]


class WarrantyClaimFilterSet(PageFilterSet):
    q = django_filters.CharFilter(method="search", label="Reference or serial")
    status = django_filters.ChoiceFilter(
        method="filter_status",
        # Short enough to read whole in the filter bar; "open" means submitted or under review.
        choices=[(OPEN, "Open (to decide)"), *ClaimStatus.choices],
        empty_label="Any status",
    )
    partner = VisibleModelChoiceFilter(
        queryset=Partner.objects.only("pk", "name"),
        empty_label="Any partner",
        widget=SearchSelect("lookup:partners", placeholder="Type a partner name…"),
    )
    region = django_filters.ModelChoiceFilter(
        field_name="partner__region", queryset=Region.objects.all(), empty_label="Any region"
    )
    product = django_filters.ModelChoiceFilter(
        queryset=Product.objects.only("pk", "sku", "name"),
        empty_label="Any product",
        widget=SearchSelect("lookup:products", params={"inactive": "1"}, placeholder="Type a SKU or name…"),
    )
    failure_code = django_filters.ModelChoiceFilter(queryset=FailureCode.objects.all(), empty_label="Any failure")
    out_of_warranty = django_filters.BooleanFilter(label="Out of warranty", widget=forms.Select(choices=YES_NO))
    is_duplicate = django_filters.BooleanFilter(label="Possible duplicate", widget=forms.Select(choices=YES_NO))
    submitted_from = date_bound("submitted_at", "date__gte", "Submitted from")
    submitted_to = date_bound("submitted_at", "date__lte", "Submitted to")

    class Meta:
        model = WarrantyClaim
        fields = [
            "q",
            "status",
            "partner",
            "region",
            "product",
            "failure_code",
            "out_of_warranty",
            "is_duplicate",
            "submitted_from",
            "submitted_to",
        ]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(reference__iexact=value) | Q(serial_number__icontains=value))

    def filter_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value) if value else queryset
