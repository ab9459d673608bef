"""The catalog over the API: read-only for every signed-in user (it is edited in the admin)."""

from catalog.filtersets import ProductFilterSet
from catalog.models import Product, ProductLine
from core.api.viewsets import SCOPE_PUBLIC, ReadOnlyScopedViewSet

from .serializers import ProductLineSerializer, ProductSerializer


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
