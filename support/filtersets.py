"""One filter set for the ticket lists (the partner's tickets and the support queue), their exports and the API."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from catalog.models import Product
from core.filters import PageFilterSet, VisibleModelChoiceFilter, date_bound
from core.widgets import SearchSelect
from partners.models import Partner, Region

from .models import OPEN_STATUSES, Severity, Ticket, TicketCategory, TicketStatus, breached_q

OPEN = "open"
YES_NO = [("", "Either"), ("true", "Yes"), ("false", "No")]
# Age of a ticket: time since it was opened.
AGE_CHOICES = [
    ("1", "Older than 1 day"),
    ("3", "Older than 3 days"),
    ("7", "Older than a week"),
    ("30", "Older than 30 days"),
]


class TicketFilterSet(PageFilterSet):
    q = django_filters.CharFilter(method="search", label="Reference, subject, serial or customer")
    status = django_filters.ChoiceFilter(
        method="filter_status", choices=[(OPEN, "Open (not resolved)"), *TicketStatus.choices], empty_label="Any status"
    )
    severity = django_filters.ChoiceFilter(choices=Severity.choices, empty_label="Any severity")
    category = django_filters.ModelChoiceFilter(
        queryset=TicketCategory.objects.all(), empty_label="Any category", to_field_name="code"
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
    older_than = django_filters.ChoiceFilter(
        method="filter_age", choices=AGE_CHOICES, empty_label="Any age", label="Age"
    )
    sla_breached = django_filters.BooleanFilter(
        method="filter_breached", label="SLA breached", widget=forms.Select(choices=YES_NO)
    )
    reopened = django_filters.BooleanFilter(
        method="filter_reopened", label="Reopened", widget=forms.Select(choices=YES_NO)
    )
    opened_from = date_bound("opened_at", "date__gte", "Opened from")
    opened_to = date_bound("opened_at", "date__lte", "Opened to")

    class Meta:
        model = Ticket
        fields = [
            "q",
            "status",
            "severity",
            "category",
            "partner",
            "region",
            "product",
            "older_than",
            "sla_breached",
            "reopened",
            "opened_from",
            "opened_to",
        ]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reference__iexact=value)
            | Q(subject__icontains=value)
            | Q(serial_number__icontains=value)
            | Q(customer_name__icontains=value)
        )

    def filter_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value) if value else queryset

    def filter_age(self, queryset, name, value):
        return queryset.filter(opened_at__lt=timezone.now() - timedelta(days=int(value))) if value else queryset

    def filter_breached(self, queryset, name, value):
        if value is None:
            return queryset
        condition = breached_q(timezone.now())
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_reopened(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(reopen_count__gt=0) if value else queryset.filter(reopen_count=0)
