"""One filter set for every deal list: portal, manager list and queue, API and exports."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from catalog.models import Product, ProductLine
from core.filters import PageFilterSet, VisibleModelChoiceFilter, date_bound
from core.widgets import SearchSelect
from partners.models import Partner, Region, Tier

from .models import LOSS_REASON_NOT_RECORDED, DealLine, DealRegistration, DealStatus, LossReason

WAITING_CHOICES = [
    ("1", "More than 1 day"),
    ("3", "More than 3 days"),
    ("7", "More than 7 days"),
    ("14", "More than 14 days"),
]


class DealFilterSet(PageFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(choices=DealStatus.choices, empty_label="Any")
    deal_type = django_filters.ChoiceFilter(
        choices=DealRegistration.DealType.choices, label="Deal type", empty_label="Any"
    )
    has_conflict = django_filters.BooleanFilter(
        label="Conflict",
        widget=forms.Select(choices=[("", "Any"), ("true", "Conflicting"), ("false", "No conflict")]),
    )
    partner = VisibleModelChoiceFilter(
        queryset=Partner.objects.only("pk", "name"),
        empty_label="Any",
        widget=SearchSelect("lookup:partners", placeholder="Type a partner name…"),
    )
    region = django_filters.ModelChoiceFilter(
        field_name="partner__region", queryset=Region.objects.all(), empty_label="Any"
    )
    tier = django_filters.ModelChoiceFilter(field_name="partner__tier", queryset=Tier.objects.all(), empty_label="Any")
    product_line = django_filters.ModelChoiceFilter(
        method="filter_product_line", queryset=ProductLine.objects.all(), label="Product line", empty_label="Any"
    )
    waiting = django_filters.ChoiceFilter(
        method="filter_waiting", choices=WAITING_CHOICES, label="Waiting", empty_label="Any"
    )
    submitted_after = date_bound("submitted_at", "date__gte", "Submitted from")
    submitted_before = date_bound("submitted_at", "date__lte", "Submitted to")
    close_after = date_bound("expected_close_date", "gte", "Closing from")
    close_before = date_bound("expected_close_date", "lte", "Closing to")
    closed_after = date_bound("closed_at", "date__gte", "Closed from")
    closed_before = date_bound("closed_at", "date__lte", "Closed to")
    loss_reason = django_filters.ModelChoiceFilter(
        queryset=LossReason.objects.all(),
        to_field_name="code",
        label="Loss reason",
        empty_label="Any",
        null_label=LOSS_REASON_NOT_RECORDED,
        null_value="none",
    )
    product = django_filters.ModelChoiceFilter(
        method="filter_product",
        queryset=Product.objects.only("pk", "sku", "name"),
        label="Product",
        empty_label="Any",
        widget=SearchSelect("lookup:products", params={"inactive": "1"}, placeholder="Type a SKU or name…"),
    )
    source = django_filters.ChoiceFilter(choices=DealRegistration.Source.choices, empty_label="Any")
    extension_requested = django_filters.BooleanFilter(
        method="filter_extension_requested",
        label="Extension",
        widget=forms.Select(choices=[("", "Any"), ("true", "Requested, not yet extended"), ("false", "Not requested")]),
    )

    class Meta:
        model = DealRegistration
        fields = [
            "q",
            "status",
            "deal_type",
            "has_conflict",
            "partner",
            "region",
            "tier",
            "product_line",
            "waiting",
            "submitted_after",
            "submitted_before",
            "close_after",
            "close_before",
            "closed_after",
            "closed_before",
            "loss_reason",
            "product",
            "source",
            "extension_requested",
        ]

    def search(self, queryset, name, value):
        """Reference, customer name or domain, partner name (a partner only ever matches its own rows)."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reference__icontains=value)
            | Q(customer__name__icontains=value)
            | Q(customer__domain__icontains=value)
            | Q(partner__name__icontains=value)
        )

    def filter_product_line(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(DealLine.objects.filter(deal=OuterRef("pk"), product__product_line=value)))

    def filter_product(self, queryset, name, value):
        """Registrations with at least one line of the product."""
        if not value:
            return queryset
        return queryset.filter(Exists(DealLine.objects.filter(deal=OuterRef("pk"), product=value)))

    def filter_waiting(self, queryset, name, value):
        """Submitted more than N days ago (the age of a registration in the queue)."""
        if not value:
            return queryset
        return queryset.filter(submitted_at__lte=timezone.now() - timedelta(days=int(value)))

    def filter_extension_requested(self, queryset, name, value):
        """Approved registrations whose partner asked for more time that no manager has granted yet."""
        if value is None:
            return queryset
        pending = Q(status=DealStatus.APPROVED, extension_requested_at__isnull=False, extended_at__isnull=True)
        return queryset.filter(pending) if value else queryset.exclude(pending)


class DealApiFilterSet(DealFilterSet):
    """The pages' filters for the API (which orders with `ordering`, where the pages sort by their headers)."""

    # The pages' filter, typed for the schema (an id).
    product_line = extend_schema_field(OpenApiTypes.INT)(
        django_filters.ModelChoiceFilter(
            method="filter_product_line", queryset=ProductLine.objects.all(), label="Product line"
        )
    )

    product = extend_schema_field(OpenApiTypes.INT)(
        django_filters.ModelChoiceFilter(method="filter_product", queryset=Product.objects.all(), label="Product")
    )

    class Meta(DealFilterSet.Meta):
        pass
