"""Filter sets of the catalog's lists (the API's)."""

import django_filters
from django.db.models import Q

from .models import Product


class ProductFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="SKU or name contains")
    sku = django_filters.CharFilter(field_name="sku", lookup_expr="iexact")

    class Meta:
        model = Product
        fields = ["q", "sku", "product_line", "is_active"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(sku__icontains=value) | Q(name__icontains=value)) if value else queryset
