"""End customers over the API, read-only: a partner sees only the customers of its own deals and claims."""

import django_filters
from django.db.models import Q

from core.api.viewsets import SCOPE_VISIBLE, ReadOnlyScopedViewSet
from customers.models import Customer

from .serializers import CustomerSerializer


class CustomerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name or domain contains")

    class Meta:
        model = Customer
        fields = ["q", "domain", "country", "industry"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(domain__icontains=value)) if value else queryset


class CustomerViewSet(ReadOnlyScopedViewSet):
    scope = SCOPE_VISIBLE
    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilterSet
    ordering_fields = ["id", "name"]
    ordering = ("-id",)
    lookup_value_regex = r"\d+"
