"""Catalog serializers, and the product reference every other app's API input uses (by id or SKU).

The resolver is built from the raw request data before validation: only values a field could accept are
looked up (`object_id`, `usable_sku`); the rest are left for the serializer's field to refuse.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Q
from rest_framework import serializers

from catalog.models import Product, ProductLine
from core.api.serializers import MAX_ID, object_id, referenced_ids


class ProductLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductLine
        fields = ["id", "code", "name"]


class ProductSerializer(serializers.ModelSerializer):
    product_line = serializers.IntegerField(source="product_line_id", read_only=True)
    product_line_code = serializers.CharField(source="product_line.code", read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "gtin",
            "name",
            "product_line",
            "product_line_code",
            "list_price",
            "warranty_months",
            "is_active",
            "updated_at",
        ]


def usable_sku(value: Any) -> bool:
    """Worth a look-up: a short string without NUL (PostgreSQL refuses NUL in text parameters)."""
    return isinstance(value, str) and 0 < len(value.strip()) <= 40 and "\x00" not in value


class ProductResolver:
    """Products by id or SKU for a whole request, read in one query.

    Built from the raw request data before validation, so a bulk request of
    10,000 items with lines costs one catalog query, not one per line.
    """

    def __init__(self, ids: Iterable[Any] = (), skus: Iterable[Any] = ()):
        clean_ids = {i for i in map(object_id, ids) if i is not None}
        clean_skus = {s.strip() for s in skus if usable_sku(s)}
        self.by_id: dict[int, Product] = {}
        self.by_sku: dict[str, Product] = {}
        if clean_ids or clean_skus:
            self._add(Product.objects.filter(Q(pk__in=clean_ids) | Q(sku__in=clean_skus)))

    def _add(self, products: Iterable[Product]) -> None:
        for product in products:
            self.by_id[product.pk] = product
            self.by_sku[product.sku] = product

    def get(self, *, pk: int | None = None, sku: str | None = None) -> Product | None:
        if pk is not None:
            if pk not in self.by_id:
                self._add(Product.objects.filter(pk=pk))
            return self.by_id.get(pk)
        if sku is not None:
            sku = sku.strip()
            if sku not in self.by_sku and usable_sku(sku):
                self._add(Product.objects.filter(sku=sku))
            return self.by_sku.get(sku)
        return None

    @classmethod
    def for_lines(cls, items: Iterable[Any], key: str = "lines") -> ProductResolver:
        """Collect `product`/`sku` references from items (each with a list of lines, or flat when key is None)."""
        lines: list[Any] = []
        for item in items:
            if not isinstance(item, Mapping):
                continue
            nested = item.get(key) if key else [item]
            if isinstance(nested, list):
                lines.extend(nested)
        ids = referenced_ids(lines, "product")
        skus = {line.get("sku") for line in lines if isinstance(line, Mapping) and usable_sku(line.get("sku"))}
        return cls(ids, skus)


class ProductReferenceMixin(serializers.Serializer):
    """`product` (id) or `sku`: exactly one names a catalog product; validated data gets `product`."""

    exactly_one_of = (("product", "sku"),)

    product = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text="Product id.")
    sku = serializers.CharField(required=False, max_length=40, help_text="Product SKU (instead of `product`).")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        pk, sku = attrs.pop("product", None), attrs.pop("sku", None)
        if (pk is None) == (sku is None):
            raise serializers.ValidationError({"product": ["Give either `product` (id) or `sku`."]})
        resolver = self.context.get("products") or ProductResolver()
        product = resolver.get(pk=pk) if pk is not None else resolver.get(sku=sku)
        if product is None:
            raise serializers.ValidationError({"product" if pk is not None else "sku": ["Unknown product."]})
        attrs["product"] = product
        return attrs
