import django_filters
from django.db.models import Q

from .models import Partner, Region, Tier


class PartnerFilterSet(django_filters.FilterSet):
    """One filter set for the partner list page, its export and the API."""

    q = django_filters.CharFilter(method="search", label="Search")
    tier = django_filters.ModelChoiceFilter(queryset=Tier.objects.all())
    region = django_filters.ModelChoiceFilter(queryset=Region.objects.all())
    parent = django_filters.ModelChoiceFilter(
        queryset=Partner.objects.filter(partner_type=Partner.Type.DISTRIBUTOR), label="Distributor"
    )

    class Meta:
        model = Partner
        fields = ["q", "status", "partner_type", "tier", "region", "country", "parent"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(website__icontains=value))
