"""Filter sets of the customer lists (the API's)."""

import django_filters
from django.db.models import Q

from .models import Customer


class CustomerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name or domain contains")

    class Meta:
        model = Customer
        fields = ["q", "domain", "country", "industry"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(domain__icontains=value)) if value else queryset
