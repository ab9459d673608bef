"""Serializer helpers shared by every app's API: strict input and cheap look-ups of referenced rows.

Look-ups for a whole request are built from the raw request data, before validation, so anything may
stand where an id or a SKU belongs (an object, a list, a float, a string). Only values a field could
accept are looked up (`object_id`, `usable_sku`); the rest are left for the serializer's field to
refuse with its own message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Q
from rest_framework import serializers

from catalog.models import Product

MAX_INT = 2_147_483_647
MAX_ID = 2**63 - 1


class StrictFieldsMixin:
    """Unknown input fields are an error listing them (DRF would silently drop them)."""

    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = {name: ["Unknown field."] for name in sorted(set(data) - writable)}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**unknown, **exc.detail})
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class StrictSerializer(StrictFieldsMixin, serializers.Serializer):
    pass


class NoBodySerializer(StrictSerializer):
    """Actions without input accept an empty object or no body; any field is unknown."""


def no_body(request: Any) -> None:
    """Refuse a body with fields on an action that takes none (400 listing them), like every other write."""
    NoBodySerializer(data=request.data if request.data is not None else {}).is_valid(raise_exception=True)


def object_id(value: Any) -> int | None:
    """`value` if it can name a row (a JSON integer from 1 to the largest bigint), else None."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
        return value
    return None


def usable_sku(value: Any) -> bool:
    """Worth a look-up: a short string without NUL (PostgreSQL refuses NUL in text parameters)."""
    return isinstance(value, str) and 0 < len(value.strip()) <= 40 and "\x00" not in value


def referenced_ids(items: Iterable[Any], key: str) -> set[int]:
    """The ids under `key` of the items that are objects, leaving out whatever cannot be an id."""
    found = {object_id(item.get(key)) for item in items if isinstance(item, Mapping)}
    found.discard(None)
    return found


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
