"""One filter set for the rate list page, its export and the API."""

from __future__ import annotations

import django_filters

from core.filters import PageFilterSet, date_bound

from .models import ExchangeRate, RateUpload


class ExchangeRateFilterSet(PageFilterSet):
    currency = django_filters.CharFilter(lookup_expr="iexact", label="Currency")
    granularity = django_filters.ChoiceFilter(choices=ExchangeRate.Granularity.choices, empty_label="Any granularity")
    date_from = date_bound("date", "gte", "From")
    date_to = date_bound("date", "lte", "To")
    source = django_filters.ChoiceFilter(choices=ExchangeRate.Source.choices, empty_label="Any source")

    class Meta:
        model = ExchangeRate
        fields = ["currency", "granularity", "date_from", "date_to", "source"]


class RateUploadFilterSet(PageFilterSet):
    status = django_filters.ChoiceFilter(choices=RateUpload.Status.choices, empty_label="Any status")

    class Meta:
        model = RateUpload
        fields = ["status"]
