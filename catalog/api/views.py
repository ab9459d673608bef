"""The catalog over the API: read-only for every signed-in user (it is edited in the admin)."""

import django_filters
from django.db.models import Q

from catalog.models import Product, ProductLine
from core.api.viewsets import SCOPE_PUBLIC, ReadOnlyScopedViewSet

from .serializers import ProductLineSerializer, ProductSerializer


class ProductFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="SKU or name contains")
    sku = django_filters.CharFilter(field_name="sku", lookup_expr="iexact")

    class Meta:
        model = Product
        fields = ["q", "sku", "product_line", "is_active"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(sku__icontains=value) | Q(name__icontains=value)) if value else queryset


class ProductViewSet(ReadOnlyScopedViewSet):
    scope = SCOPE_PUBLIC
    queryset = Product.objects.select_related("product_line")
    serializer_class = ProductSerializer
    filterset_class = ProductFilterSet
    ordering_fields = ["id", "sku", "list_price"]
    ordering = ("sku",)
    lookup_value_regex = r"\d+"


class ProductLineViewSet(ReadOnlyScopedViewSet):
    scope = SCOPE_PUBLIC
    queryset = ProductLine.objects.all()
    serializer_class = ProductLineSerializer
    ordering_fields = ["id", "code", "name"]
    ordering = ("name",)
    lookup_value_regex = r"\d+"
