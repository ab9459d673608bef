"""The product picker's lookup: the catalog, by SKU or name."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from core.lookups import LookupView

from .models import Product


class ProductLookupView(LookupView):
    """Active products for every signed-in user (`?inactive=1`: withdrawn ones too, for filters on history)."""

    ordering = ("sku",)

    def get_queryset(self) -> QuerySet:
        products = Product.objects.visible_to(self.request.user).only("pk", "sku", "name")
        if self.request.GET.get("inactive") != "1":
            products = products.filter(is_active=True)
        return products

    def search(self, queryset: QuerySet, text: str) -> QuerySet:
        return queryset.filter(Q(sku__icontains=text) | Q(name__icontains=text))
