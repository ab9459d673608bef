"""The partner picker's lookup: only the partners the user may see (a regional manager: their regions)."""

from __future__ import annotations

from django.db.models import QuerySet

from core.lookups import LookupView

from .models import Partner


class PartnerLookupView(LookupView):
    """Partners through `Partner.visible_to`, by name; `?type=distributor` keeps one partner type."""

    ordering = ("name",)

    def get_queryset(self) -> QuerySet:
        partners = Partner.objects.visible_to(self.request.user).only("pk", "name")
        kind = self.request.GET.get("type")
        if kind in Partner.Type.values:
            partners = partners.filter(partner_type=kind)
        return partners

    def search(self, queryset: QuerySet, text: str) -> QuerySet:
        return queryset.filter(name__icontains=text)
