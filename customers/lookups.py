"""The customer picker's lookup: only the customers the user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from core.lookups import LookupView

from .models import Customer


class CustomerLookupView(LookupView):
    """Customers through `Customer.visible_to`: a partner finds only those of its own deals and claims."""

    ordering = ("name", "pk")

    def get_queryset(self) -> QuerySet:
        return Customer.objects.visible_to(self.request.user).only("pk", "name", "domain")

    def search(self, queryset: QuerySet, text: str) -> QuerySet:
        return queryset.filter(Q(name__icontains=text) | Q(domain__icontains=text))

    def label(self, obj: Customer) -> str:
        return customer_label(obj)


def customer_label(customer: Customer) -> str:
    """How a customer reads in a picker: its name, and its domain to tell namesakes apart."""
    return f"{customer.name} ({customer.domain})" if customer.domain else customer.name
